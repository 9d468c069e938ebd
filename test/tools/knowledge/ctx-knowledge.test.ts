import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Fact } from '../../../src/store/knowledge.ts';
import { KNOWLEDGE_ACTIONS } from '../../../src/tools/knowledge/ctx-knowledge.ts';
import { openEventStream } from '../../helpers/event-stream.ts';
import { callTool, type RunningTestServer, startTestServer } from '../../helpers/team-server.ts';

interface Reply {
  status: number;
  text: string;
  isError: boolean;
  body: Record<string, unknown>;
}

describe('ctx_knowledge over HTTP', () => {
  let srv: RunningTestServer;
  before(async () => {
    srv = await startTestServer({
      tokens: [
        { id: 'alice', role: 'admin' },
        { id: 'viewer', role: 'viewer' },
        { id: 'scribe', scopes: ['knowledge'] },
      ],
      extraWorkspaces: [
        { id: 'copy', files: { 'a.txt': 'a\n' } },
        { id: 'other', files: { 'a.txt': 'a\n' } },
      ],
    });
  });
  after(() => srv.close());

  async function k(args: Record<string, unknown>, as = 'alice', workspaceId = 'main'): Promise<Reply> {
    const res = await callTool(srv, as, { name: 'ctx_knowledge', arguments: args, workspaceId });
    const body = (await res.json()) as Record<string, unknown> & {
      result?: { content: { text: string }[]; isError?: boolean };
    };
    return {
      status: res.status,
      text: body.result?.content[0]?.text ?? '',
      isError: body.result?.isError === true,
      body,
    };
  }
  const ok = async (args: Record<string, unknown>, as?: string, ws?: string) => {
    const r = await k(args, as, ws);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.ok(!r.isError, r.text);
    return r.text;
  };
  const versionsOf = async (category: string, key: string, ws = 'main') =>
    (
      JSON.parse(await ok({ action: 'timeline', category, key, format: 'json' }, 'alice', ws)) as {
        facts: Fact[];
      }
    ).facts;

  test('a new value for a key closes the old fact, records what it supersedes and reports the contradiction', async () => {
    const db = { action: 'remember', category: 'architecture', key: 'database' };
    assert.match(
      await ok({ ...db, value: 'SQLite in WAL mode', valid_from: '2026-01-01T00:00:00Z', confidence: 0.9 }),
      /^remembered #(\d+) \[architecture\] database = "SQLite in WAL mode" \(valid 2026-01-01 00:00Z → now\)$/,
    );
    const second = await ok({ ...db, value: 'PostgreSQL 16', valid_from: '2026-03-01T00:00:00Z' });
    const [, v2, v1] = /^updated #(\d+) .* supersedes #(\d+)\n/.exec(second) ?? [];
    assert.ok(v1 && v2, second);
    assert.match(
      second,
      new RegExp(
        `\\ncontradiction \\(high\\): #${v1} said "SQLite in WAL mode" \\(valid 2026-01-01 00:00Z → 2026-03-01 00:00Z, confidence 0\\.90, 1 confirmations, by alice\\)$`,
      ),
    );
    const third = await ok({ ...db, value: 'PostgreSQL 16.2', valid_from: '2026-06-01T00:00:00Z' });
    assert.match(
      third,
      new RegExp(`supersedes #${v2}\\ncontradiction \\(low\\): #${v2} said "PostgreSQL 16"`),
    );

    const chain = await versionsOf('architecture', 'database');
    assert.deepEqual(
      chain.map((f) => [f.value, f.validFrom, f.validUntil, f.supersedes, f.supersededBy]),
      [
        ['PostgreSQL 16.2', '2026-06-01T00:00:00.000Z', null, Number(v2), null],
        ['PostgreSQL 16', '2026-03-01T00:00:00.000Z', '2026-06-01T00:00:00.000Z', Number(v1), chain[0]?.id],
        ['SQLite in WAL mode', '2026-01-01T00:00:00.000Z', '2026-03-01T00:00:00.000Z', null, Number(v2)],
      ],
    );
    assert.ok(chain.slice(1).every((f) => f.closedAt !== null && f.closedAt >= f.recordedAt));

    // valid time: what was true then
    for (const [asOf, value] of [
      ['2026-02-01T00:00:00Z', 'SQLite in WAL mode'],
      ['2026-04-01T00:00:00Z', 'PostgreSQL 16'],
    ]) {
      assert.match(
        await ok({ action: 'recall', query: 'database', as_of: asOf }),
        new RegExp(`= "${value}"`),
      );
    }
    assert.match(
      await ok({ action: 'recall', query: 'which database' }),
      /^1 of 1 matching facts.*\n1\. .* = "PostgreSQL 16\.2"/,
    );
    // the past values stay searchable
    assert.match(
      await ok({ action: 'search', query: 'sqlite' }),
      /"SQLite in WAL mode", valid .*superseded by/,
    );

    // the same value again confirms; an older valid time cannot be slipped in before the current one
    assert.match(await ok({ ...db, value: 'PostgreSQL 16.2' }), /^confirmed #\d+ .* \(2 confirmations/);
    assert.equal((await versionsOf('architecture', 'database')).length, 3);
    const backdated = await k({ ...db, value: 'MySQL', valid_from: '2026-02-01T00:00:00Z' });
    assert.ok(backdated.isError);
    assert.match(backdated.text, /valid_from must be after the current value's \(2026-06-01T00:00:00\.000Z/);
  });

  test('writes need the knowledge scope, reads need search', async () => {
    const denied = await k({ action: 'remember', category: 'ops', key: 'k', value: 'v' }, 'viewer');
    assert.equal(denied.status, 403);
    assert.equal(denied.body.error_code, 'scope_denied');
    assert.deepEqual(denied.body.required, ['knowledge']);
    assert.equal((await k({ action: 'status' }, 'viewer')).status, 200);
    const blind = await k({ action: 'recall', query: 'anything' }, 'scribe');
    assert.equal(blind.status, 403);
    assert.deepEqual(blind.body.required, ['search']);
    assert.equal(
      (await k({ action: 'remember', category: 'ops', key: 'k', value: 'v' }, 'scribe')).status,
      200,
    );
  });

  test('bad input is refused naming what is wrong: an unknown action lists the valid ones; sizes name their limits', async () => {
    const unknown = await k({ action: 'forget' });
    assert.equal(unknown.status, 400);
    assert.equal(unknown.body.error_code, 'invalid_arguments');
    for (const action of KNOWLEDGE_ACTIONS)
      assert.ok(String(unknown.body.error).includes(`"${action}"`), action);

    const big = await k({ action: 'remember', category: 'ops', key: 'k', value: 'x'.repeat(4097) });
    assert.equal(big.status, 400);
    assert.deepEqual(big.body.issues, [{ path: 'value', message: 'at most 4096 characters for a fact' }]);
    const longKey = await k({ action: 'remember', category: 'ops', key: 'k'.repeat(257), value: 'v' });
    assert.deepEqual(longKey.body.issues, [{ path: 'key', message: 'at most 256 characters' }]);
    const missing = await k({ action: 'remember', category: 'ops' });
    assert.deepEqual(
      (missing.body.issues as { path: string }[]).map((i) => i.path),
      ['key', 'value'],
    );
    const slash = await k({ action: 'remember', category: 'a/b', key: 'k', value: 'v' });
    assert.match(String(slash.body.error), /category: letters, digits, spaces and _ \. : - only/);
  });

  test('export then import restores the history into an empty workspace; a malformed export is refused whole', async () => {
    await ok({ action: 'remember', category: 'team', key: 'lead', value: 'Ada' });
    await ok({ action: 'remember', category: 'team', key: 'lead', value: 'Grace' });
    await ok({ action: 'remember', category: 'team', key: 'channel', value: '#platform' });
    await ok({ action: 'relate', category: 'team', key: 'channel', to: 'team/lead', relation: 'related_to' });
    const exported = await ok({ action: 'export', category: 'team' });
    const dump = JSON.parse(exported) as { facts: Record<string, unknown>[] };
    assert.equal(dump.facts.length, 3);

    const statusOf = async () => ok({ action: 'status' }, 'alice', 'copy');
    const before = await statusOf();
    const broken = (change: (d: typeof dump) => void) => {
      const copy = structuredClone(dump);
      change(copy);
      return JSON.stringify(copy);
    };
    const malformed: [string, string, RegExp][] = [
      ['not JSON', `${exported.slice(0, -1)}`, /^value: not JSON/],
      [
        'one bad field among good facts',
        broken((d) => {
          (d.facts[2] as Record<string, unknown>).confidence = 7;
        }),
        /value\.facts\.2\.confidence: Too big/,
      ],
      [
        'two current values for one key',
        broken((d) => {
          const first = d.facts[0] as Record<string, unknown>;
          first.supersededBy = null;
          first.validUntil = null;
        }),
        /a second current value for \[team\] lead|not in the export as this key's next version/,
      ],
      [
        'a broken supersede link',
        broken((d) => {
          (d.facts[1] as Record<string, unknown>).supersedes = 999;
        }),
        /supersedes #999, which is not in the export/,
      ],
    ];
    for (const [what, value, message] of malformed) {
      const r = await k({ action: 'import', value }, 'alice', 'copy');
      assert.equal(r.status, 400, what);
      assert.equal(r.body.error_code, 'invalid_arguments', what);
      assert.match(String(r.body.error), message, what);
      assert.equal(await statusOf(), before, `${what}: nothing was applied`);
    }

    assert.match(
      await ok({ action: 'import', value: exported }, 'alice', 'copy'),
      /^restored 3 fact versions \(1 superseded\) and 1 relations/,
    );
    const strip = (facts: Fact[]) =>
      facts.map(({ id: _, supersedes: __, supersededBy: ___, workspaceId: ____, ...f }) => f);
    assert.deepEqual(
      strip(await versionsOf('team', 'lead', 'copy')),
      strip(await versionsOf('team', 'lead')),
    );
    assert.match(
      await ok({ action: 'relations' }, 'alice', 'copy'),
      /\[team\] channel --related_to--> \[team\] lead/,
    );

    // into a workspace that already knows things, current facts merge by valid time: a value
    // valid since before the import's supersedes, one valid since after it stays
    await ok(
      {
        action: 'remember',
        category: 'team',
        key: 'lead',
        value: 'Linus',
        valid_from: '2025-01-01T00:00:00Z',
      },
      'alice',
      'other',
    );
    await ok({ action: 'remember', category: 'team', key: 'channel', value: '#ops' }, 'alice', 'other');
    assert.equal(
      await ok({ action: 'import', value: exported }, 'alice', 'other'),
      'merged: 1 facts recorded (1 of them superseding a different value), 0 confirmed, 1 older than the current value kept out, 1 relations',
    );
  });

  test('every change is a knowledge_changed event with references, never the value', async () => {
    const stream = await openEventStream(srv.url, srv.tokens.alice as string, 'channelId=main&since=0');
    try {
      await ok({
        action: 'remember',
        category: 'secrets',
        key: 'vault',
        value: 'the vault password is hunter2',
      });
      const e = await stream.waitFor((x) => x.kind === 'knowledge_changed' && x.data.payload.key === 'vault');
      assert.deepEqual(Object.keys(e.data.payload).sort(), [
        'action',
        'category',
        'factId',
        'key',
        'outcome',
      ]);
      await stream.waitFor((x) => x.kind === 'tool_call_recorded' && x.data.payload.key === 'vault');
      assert.ok(
        stream.events.every((x) => !JSON.stringify(x.data).includes('hunter2')),
        'no event carries the value',
      );
    } finally {
      await stream.close();
    }
  });

  test('relations link keys, draw as Mermaid and need both facts', async () => {
    await ok({ action: 'remember', category: 'ops', key: 'backup', value: 'nightly pg_dump' });
    await ok({ action: 'remember', category: 'ops', key: 'restore-drill', value: 'monthly' });
    assert.equal(
      await ok({
        action: 'relate',
        category: 'ops',
        key: 'restore-drill',
        to: 'ops/backup',
        relation: 'depends_on',
      }),
      'related [ops] restore-drill --depends_on--> [ops] backup',
    );
    assert.match(
      await ok({ action: 'relations_diagram', category: 'ops', key: 'backup' }),
      /^flowchart LR\n {2}n1\["ops\/restore-drill"\]\n {2}n2\["ops\/backup"\]\n {2}n1 -->\|depends_on\| n2$/,
    );
    const dangling = await k({ action: 'relate', category: 'ops', key: 'backup', to: 'ops/nothing' });
    assert.ok(dangling.isError);
    assert.match(dangling.text, /no current fact \[ops\] nothing; remember it first/);
    // the seeds' ctx_knowledge_relations tool reads and writes the same edges, under the same scopes
    const listed = await callTool(srv, 'viewer', {
      name: 'ctx_knowledge_relations',
      arguments: { action: 'list', category: 'ops', key: 'backup' },
    });
    assert.match(JSON.stringify(await listed.json()), /\[ops\] restore-drill --depends_on--> \[ops\] backup/);
    const denied = await callTool(srv, 'viewer', {
      name: 'ctx_knowledge_relations',
      arguments: { action: 'unrelate', category: 'ops', key: 'restore-drill' },
    });
    assert.equal(denied.status, 403);
    assert.equal(
      await ok({ action: 'unrelate', category: 'ops', key: 'restore-drill' }),
      'removed 1 relation from [ops] restore-drill',
    );
  });

  test('consolidate retires a fact that repeats another under a different key, keeping the better one', async () => {
    await ok({
      action: 'remember',
      category: 'style',
      key: 'quotes',
      value: 'use single quotes in TypeScript',
      confidence: 0.95,
    });
    await ok({
      action: 'remember',
      category: 'style',
      key: 'quote-style',
      value: 'Use single quotes in TypeScript.',
      confidence: 0.5,
    });
    const r = await ok({ action: 'consolidate', category: 'style' });
    assert.match(
      r,
      /^consolidated 1 duplicate facts among 2 current ones in \[style\]\n {2}kept #\d+ \[style\] quotes, retired #\d+ \[style\] quote-style$/,
    );
    assert.match(
      await ok({ action: 'relations', category: 'style', key: 'quotes' }),
      /\[style\] quotes --supersedes--> \[style\] quote-style/,
    );
    assert.match(await ok({ action: 'recall', query: 'quotes', category: 'style' }), /^1 of 1 /);
  });
});
