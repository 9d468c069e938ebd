import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { routeKey, toRouterPath } from '../../src/server/route-doc.ts';
import { ROUTES } from '../../src/server/route-table.ts';
import { COVERED_ROUTES } from '../helpers/conformance-kit.ts';
import { callToolText, type RunningTestServer, startTestServer } from '../helpers/team-server.ts';

/** Routes of the SDK surface another change (events search and lineage) serves; documented already. */
const NOT_SERVED_YET = ['GET /v1/events/search', 'GET /v1/events/lineage'];
/** A query a route needs to answer 200. */
const SAMPLE_QUERY: Record<string, string> = {
  '/v1/events/search': '?q=ctx_read',
  '/v1/events/lineage': '?id=1',
};

type Doc = { openapi: string; paths: Record<string, Record<string, Operation>> };
type Operation = {
  security?: unknown[];
  parameters?: { name: string; in: string; required: boolean }[];
  responses: Record<string, { content?: Record<string, { schema: Record<string, unknown> }> }>;
};

describe('GET /v1/openapi.json', () => {
  let srv: RunningTestServer;
  const docs: Record<'sdk' | 'all', Doc> = {} as never;
  before(async () => {
    srv = await startTestServer({ tokens: [{ id: 'alice', role: 'admin' }] });
    for (const surface of ['sdk', 'all'] as const) {
      const res = await srv.request(`/v1/openapi.json${surface === 'all' ? '?surface=all' : ''}`, {
        as: 'alice',
      });
      assert.equal(res.status, 200);
      docs[surface] = (await res.json()) as Doc;
    }
  });
  after(() => srv.close());

  const served = () =>
    srv.server.app.routes
      .filter((r) => r.method !== 'ALL')
      .map((r) => `${r.method} ${r.path}`)
      .sort();
  const servedTable = () => ROUTES.filter((r) => served().includes(`${r.method} ${toRouterPath(r.path)}`));

  test('every route the app serves has an entry in the route table, and no entry is stale', () => {
    const documented = ROUTES.map((r) => `${r.method} ${toRouterPath(r.path)}`);
    const missing = served().filter((r) => !documented.includes(r));
    assert.deepEqual(missing, [], 'served but not in src/server/route-table.ts: add an entry');
    const unserved = documented.filter((r) => !served().includes(r));
    for (const r of unserved) {
      assert.ok(NOT_SERVED_YET.includes(r), `${r} is in the route table but not served`);
    }
    assert.equal(new Set(documented).size, documented.length, 'no route is listed twice');
  });

  test('both documents are valid OpenAPI 3.1 by a real validator', async () => {
    for (const surface of ['sdk', 'all'] as const) {
      const validator = new Validator();
      const result = await validator.validate(structuredClone(docs[surface]));
      assert.deepEqual(result.errors ?? [], [], surface);
      assert.equal(result.valid, true, surface);
      assert.equal(validator.version, '3.1');
    }
  });

  test('`all` lists every route served; the default exactly the SDK-covered ones', () => {
    const listed = (doc: Doc) =>
      Object.entries(doc.paths)
        .flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`))
        .sort();
    assert.deepEqual(listed(docs.all), servedTable().map(routeKey).sort());
    const sdk = listed(docs.sdk);
    assert.deepEqual(
      sdk,
      servedTable()
        .filter((r) => r.sdk)
        .map(routeKey)
        .sort(),
    );
    for (const route of sdk) assert.ok(COVERED_ROUTES.includes(route), `${route} is not covered by the SDKs`);
  });

  test('auth, parameters and scope are described as the routes enforce them', async () => {
    const health = docs.all.paths['/health']?.get;
    assert.deepEqual(health?.security, [], '/health needs no token');
    const tools = docs.all.paths['/v1/tools']?.get;
    assert.deepEqual(
      tools?.parameters?.map((p) => [p.name, p.in, p.required]),
      [
        ['offset', 'query', false],
        ['limit', 'query', false],
      ],
    );
    const member = docs.all.paths['/v1/savings/member/{signer}']?.get as Operation & {
      'x-required-scope'?: string;
    };
    assert.deepEqual(
      member.parameters?.map((p) => [p.name, p.in, p.required]),
      [['signer', 'path', true]],
    );
    assert.equal(member['x-required-scope'], 'audit');
    // no token: the document says bearer, and the server agrees
    assert.equal((await srv.request('/v1/savings/summary')).status, 401);
  });

  test("each JSON answer of a GET validates against the document's schema", async () => {
    await callToolText(srv, 'alice', 'ctx_read', { path: 'src/index.ts', mode: 'map' });
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    const concrete = (path: string) => `${path.replace('{signer}', 'alice')}${SAMPLE_QUERY[path] ?? ''}`;
    let checked = 0;
    for (const [path, ops] of Object.entries(docs.all.paths)) {
      const schema = ops.get?.responses['200']?.content?.['application/json']?.schema;
      if (!schema) continue;
      const res = await srv.request(concrete(path), { as: 'alice' });
      assert.equal(res.status, 200, path);
      const body = (await res.json()) as unknown;
      const validate = ajv.compile(schema);
      assert.ok(validate(body), `${path}: ${ajv.errorsText(validate.errors)}`);
      checked++;
    }
    assert.ok(checked >= 12, `JSON GET routes checked: ${checked}`);
  });

  test('an error answer matches the Error schema', async () => {
    const ajv = new Ajv2020({ strict: false });
    const schema = (docs.all as unknown as { components: { schemas: { Error: object } } }).components.schemas
      .Error;
    const res = await srv.request('/v1/tools?limit=x', { as: 'alice' });
    assert.equal(res.status, 400);
    assert.ok(ajv.validate(schema, await res.json()), ajv.errorsText());
  });

  test('?surface= takes only sdk or all', async () => {
    const res = await srv.request('/v1/openapi.json?surface=internal', { as: 'alice' });
    assert.equal(res.status, 400);
    assert.match(((await res.json()) as { error: string }).error, /surface/);
  });
});
