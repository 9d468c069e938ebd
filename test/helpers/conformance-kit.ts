/**
 * The conformance kit of the original lean-ctx SDKs (TypeScript `runConformance`, Python
 * `run_conformance`, Rust `run_conformance`: the same 14 checks in each), written again here
 * so our server is held to it. Each probe sends what those clients send (Accept header,
 * bearer token, `x-leanctx-workspace` when a workspace is configured) and accepts only what
 * their decoders accept: a check passes or fails with a detail, it never throws.
 */

/** `METHOD path` the SDKs have a method for; an advertised route outside it fails `route_coverage`. */
export const COVERED_ROUTES: readonly string[] = [
  'GET /health',
  'GET /v1/manifest',
  'GET /v1/capabilities',
  'GET /v1/openapi.json',
  'GET /v1/tools',
  'POST /v1/tools/call',
  'GET /v1/events',
  'GET /v1/context/summary',
  'GET /v1/events/search',
  'GET /v1/events/lineage',
  'GET /v1/metrics',
  'GET /v1/cache/stats',
];

/** `http_mcp` contract versions the SDK releases speak. */
const SUPPORTED_HTTP_CONTRACT_VERSIONS = [1];

/** The route each check probes (the conformance test expects a check to pass iff it is served). */
export const CHECK_ROUTES = {
  health: 'GET /health',
  manifest_shape: 'GET /v1/manifest',
  capabilities_shape: 'GET /v1/capabilities',
  contract_status_map: 'GET /v1/capabilities',
  engine_compat: 'GET /v1/capabilities',
  openapi_shape: 'GET /v1/openapi.json',
  route_coverage: 'GET /v1/openapi.json',
  tools_list: 'GET /v1/tools',
  tool_call_error_contract: 'POST /v1/tools/call',
  events_stream: 'GET /v1/events',
  context_summary_shape: 'GET /v1/context/summary',
  events_search_shape: 'GET /v1/events/search',
  event_lineage_shape: 'GET /v1/events/lineage',
  metrics_shape: 'GET /v1/metrics',
} as const;

export type CheckName = keyof typeof CHECK_ROUTES;

export interface Check {
  name: CheckName;
  passed: boolean;
  detail: string;
}

export interface KitOptions {
  baseUrl: string;
  bearerToken?: string;
  workspaceId?: string;
  /** Where the kit reads the OpenAPI document (the SDKs: `/v1/openapi.json`). */
  openapiPath?: string;
}

/** A non-2xx answer as the SDKs decode it: `error_code` only from a JSON body. */
class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly errorCode: string | undefined,
    message: string,
  ) {
    super(message);
  }
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const isCount = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 0;

function createKitClient(opts: KitOptions) {
  const base = opts.baseUrl.replace(/\/$/, '');
  const headers = (accept: string, withWorkspace = false): Record<string, string> => ({
    accept,
    ...(opts.bearerToken ? { authorization: `Bearer ${opts.bearerToken}` } : {}),
    ...(withWorkspace && opts.workspaceId ? { 'x-leanctx-workspace': opts.workspaceId } : {}),
  });
  const fail = async (res: Response, what: string): Promise<HttpError> => {
    let code: string | undefined;
    let message = `HTTP ${res.status} ${what}`;
    if ((res.headers.get('content-type') ?? '').includes('application/json')) {
      const body = (await res.json().catch(() => undefined)) as unknown;
      if (isObject(body) && typeof body.error_code === 'string' && body.error_code.trim())
        code = body.error_code;
      if (isObject(body) && typeof body.error === 'string') message = `${message}: ${body.error}`;
    } else {
      await res.body?.cancel();
    }
    return new HttpError(res.status, code, message);
  };
  const getJson = async (path: string, query: Record<string, string> = {}): Promise<unknown> => {
    const q = new URLSearchParams(query).toString();
    const res = await fetch(`${base}${path}${q ? `?${q}` : ''}`, { headers: headers('application/json') });
    if (!res.ok) throw await fail(res, `GET ${path}`);
    return res.json();
  };
  const wsQuery = (): Record<string, string> => (opts.workspaceId ? { workspaceId: opts.workspaceId } : {});
  return {
    async health(): Promise<string> {
      const res = await fetch(`${base}/health`, { headers: headers('text/plain') });
      if (!res.ok) throw await fail(res, 'GET /health');
      return res.text();
    },
    getJson,
    async callTool(name: string): Promise<unknown> {
      const body: Json = { name };
      if (opts.workspaceId) body.workspaceId = opts.workspaceId;
      const res = await fetch(`${base}/v1/tools/call`, {
        method: 'POST',
        headers: { ...headers('application/json', true), 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      if (!res.ok) throw await fail(res, 'POST /v1/tools/call');
      return res.json();
    },
    /** Opens the event stream, reads only its headers. */
    async eventsProbe(): Promise<string> {
      const res = await fetch(`${base}/v1/events?limit=1`, { headers: headers('text/event-stream') });
      if (!res.ok) throw await fail(res, 'GET /v1/events');
      const type = res.headers.get('content-type') ?? '';
      await res.body?.cancel();
      return type;
    },
    contextSummary: () => getJson('/v1/context/summary', { ...wsQuery(), limit: '1' }),
    searchEvents: (q: string) => getJson('/v1/events/search', { q, ...wsQuery(), limit: '1' }),
    eventLineage: (id: number) => getJson('/v1/events/lineage', { id: String(id), depth: '1', ...wsQuery() }),
  };
}

type Probe = () => Promise<[boolean, string?]>;

/** Runs the 14 checks in the SDKs' order; the scorecard is always complete. */
export async function runConformanceKit(opts: KitOptions): Promise<Check[]> {
  const client = createKitClient(opts);
  const checks: Check[] = [];
  const add = async (name: CheckName, probe: Probe) => {
    try {
      const [passed, detail] = await probe();
      checks.push({ name, passed, detail: detail ?? '' });
    } catch (err) {
      checks.push({ name, passed: false, detail: String(err) });
    }
  };
  const capabilities = async () => {
    const caps = await client.getJson('/v1/capabilities');
    if (!isObject(caps)) throw new Error('capabilities: not a JSON object');
    return caps;
  };
  const openapi = async () => {
    const doc = await client.getJson(opts.openapiPath ?? '/v1/openapi.json');
    if (!isObject(doc)) throw new Error('openapi: not a JSON object');
    return doc;
  };

  await add('health', async () => [typeof (await client.health()) === 'string']);
  await add('manifest_shape', async () => {
    const m = await client.getJson('/v1/manifest');
    return [isObject(m) && Object.keys(m).length > 0];
  });
  await add('capabilities_shape', async () => {
    const c = await capabilities();
    const ok =
      Number.isInteger(c.contract_version) &&
      isObject(c.server) &&
      !!c.server.version &&
      typeof c.plane === 'string' &&
      Array.isArray(c.transports) &&
      isObject(c.features) &&
      isObject(c.contracts);
    return [ok, ok ? '' : JSON.stringify(c).slice(0, 300)];
  });
  await add('contract_status_map', async () => {
    const status = (await capabilities()).contract_status;
    const ok = isObject(status) && ['frozen', 'stable'].includes(String(status['http-mcp']));
    return [ok, ok ? '' : `contract_status=${JSON.stringify(status)}`];
  });
  await add('engine_compat', async () => {
    const contracts = (await capabilities()).contracts;
    const version = isObject(contracts) ? contracts['leanctx.contract.http_mcp.contract_version'] : undefined;
    const ok = typeof version === 'number' && SUPPORTED_HTTP_CONTRACT_VERSIONS.includes(version);
    return [ok, ok ? '' : `server http_mcp contract v${String(version)} unsupported`];
  });
  await add('openapi_shape', async () => {
    const doc = await openapi();
    return [typeof doc.openapi === 'string' && doc.openapi.startsWith('3.') && isObject(doc.paths)];
  });
  await add('route_coverage', async () => {
    const paths = (await openapi()).paths;
    const uncovered: string[] = [];
    for (const [path, ops] of Object.entries(isObject(paths) ? paths : {})) {
      if (!isObject(ops)) continue;
      // Every key of a path item counts, as in the SDKs: `parameters` there would be a "route".
      for (const method of Object.keys(ops)) {
        const route = `${method.toUpperCase()} ${path}`;
        if (!COVERED_ROUTES.includes(route)) uncovered.push(route);
      }
    }
    return [uncovered.length === 0, uncovered.sort().join(', ')];
  });
  await add('tools_list', async () => {
    const list = await client.getJson('/v1/tools', { limit: '1' });
    // The Rust client's ListToolsResponse: u64 total/offset/limit, an array of tools.
    const ok =
      isObject(list) &&
      Array.isArray(list.tools) &&
      isCount(list.total) &&
      (list.offset === undefined || isCount(list.offset)) &&
      (list.limit === undefined || isCount(list.limit));
    return [ok, ok ? '' : JSON.stringify(list).slice(0, 300)];
  });
  await add('tool_call_error_contract', async () => {
    try {
      await client.callTool('definitely_not_a_tool_conformance_probe');
    } catch (err) {
      if (!(err instanceof HttpError)) return [false, String(err)];
      const ok = err.status >= 400 && err.status < 500 && !!err.errorCode;
      return [ok, ok ? '' : `status=${err.status} errorCode=${String(err.errorCode)}`];
    }
    return [false, 'unknown tool call unexpectedly succeeded'];
  });
  await add('events_stream', async () => {
    const type = await client.eventsProbe();
    const ok = type.startsWith('text/event-stream');
    return [ok, ok ? '' : `content-type=${type}`];
  });
  await add('context_summary_shape', async () => {
    const s = await client.contextSummary();
    const ok =
      isObject(s) &&
      typeof s.workspaceId === 'string' &&
      Number.isInteger(s.totalEvents) &&
      isObject(s.eventCountsByKind);
    return [ok, ok ? '' : JSON.stringify(s).slice(0, 300)];
  });
  await add('events_search_shape', async () => {
    const r = await client.searchEvents('conformance-probe');
    return [isObject(r) && Array.isArray(r.results) && Number.isInteger(r.count)];
  });
  await add('event_lineage_shape', async () => {
    const r = await client.eventLineage(1);
    return [isObject(r) && 'eventId' in r && Array.isArray(r.chain)];
  });
  await add('metrics_shape', async () => [isObject(await client.getJson('/v1/metrics'))]);
  return checks;
}
