import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { type ContextMetrics, createContextMetrics } from './context-counters.ts';
import { createRefusalWindow, type RefusalWindow } from './refusal-window.ts';
import { createSloWindow, type SloSnapshot, type SloWindow } from './slo-window.ts';

export interface Metrics {
  readonly registry: Registry;
  httpRequests: Counter<'route' | 'status'>;
  httpDuration: Histogram<'route'>;
  toolCalls: Counter<'tool' | 'outcome'>;
  toolDuration: Histogram<'tool'>;
  denials: Counter<'reason'>;
  toolsInFlight: Gauge;
  sseClients: Gauge;
  mcpSessions: Gauge;
  eventsAppended: Counter;
  budgetAlerts: Counter<'budget' | 'level'>;
  /** Calls let through unchecked because Redis did not answer (rate limits fail open). */
  rateLimitFailOpen: Counter;
  /** Usage rows and events given up: retries spent or the write queue full (`record`: usage, event). */
  recordsDropped: Counter<'record'>;
  /** The original lean-ctx MetricsSnapshot counters (top level of the JSON answer). */
  context: ContextMetrics;
  /** The original's `slo` view, also exported as the `leanctx_team_*` series. */
  slo: SloWindow;
  /** Refusals and failed calls by error_code, per minute (the observatory's error rates). */
  refusals: RefusalWindow;
}

/** Budget use of the current period per token, agent, role and workspace, read at each scrape. */
export type BudgetUsageSource = () => Promise<
  { tokenId: string; agent: string; role: string; workspaceId: string; tokens: number; costUsd: number }[]
>;

/** One registry per server (never prom-client's global), so tests and replicas stay apart. */
export function createMetrics(
  budgetUsage: BudgetUsageSource = async () => [],
  now: () => number = Date.now,
  /** Every series carries `replica="<id>"`, so replicas behind one scraper stay apart. */
  replica?: string,
): Metrics {
  const registry = new Registry();
  if (replica !== undefined) registry.setDefaultLabels({ replica });
  collectDefaultMetrics({ register: registry, prefix: 'leanctx_process_' });
  const registers = [registry];
  const metrics: Metrics = {
    registry,
    httpRequests: new Counter({
      name: 'leanctx_http_requests_total',
      help: 'HTTP requests by route and status',
      labelNames: ['route', 'status'],
      registers,
    }),
    httpDuration: new Histogram({
      name: 'leanctx_http_request_duration_seconds',
      help: 'HTTP request duration',
      labelNames: ['route'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10, 30],
      registers,
    }),
    toolCalls: new Counter({
      name: 'leanctx_tool_calls_total',
      help: 'Tool calls by tool and outcome (ok, tool_error, or an error_code)',
      labelNames: ['tool', 'outcome'],
      registers,
    }),
    toolDuration: new Histogram({
      name: 'leanctx_tool_duration_seconds',
      help: 'Tool run time',
      labelNames: ['tool'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10, 30],
      registers,
    }),
    denials: new Counter({
      name: 'leanctx_denials_total',
      help: 'Refused requests by error_code',
      labelNames: ['reason'],
      registers,
    }),
    toolsInFlight: new Gauge({ name: 'leanctx_tools_in_flight', help: 'Tool calls running now', registers }),
    sseClients: new Gauge({ name: 'leanctx_sse_clients', help: 'Open SSE event streams', registers }),
    mcpSessions: new Gauge({ name: 'leanctx_mcp_sessions', help: 'Open MCP sessions', registers }),
    eventsAppended: new Counter({
      name: 'leanctx_events_appended_total',
      help: 'Events recorded',
      registers,
    }),
    budgetAlerts: new Counter({
      name: 'leanctx_budget_alerts_total',
      help: 'Budgets a call took past the alert threshold (level=alert) or the limit (level=exhausted)',
      labelNames: ['budget', 'level'],
      registers,
    }),
    rateLimitFailOpen: new Counter({
      name: 'leanctx_ratelimit_fail_open_total',
      help: 'Requests let through without a rate-limit check because Redis did not answer',
      registers,
    }),
    recordsDropped: new Counter({
      name: 'leanctx_records_dropped_total',
      help: 'Usage rows (record=usage) and events (record=event) not stored: the store stayed unavailable through every retry, or its write queue was full',
      labelNames: ['record'],
      registers,
    }),
    context: createContextMetrics(now),
    slo: createSloWindow(now),
    refusals: createRefusalWindow(now),
  };
  registerTeamSeries(registry, metrics.slo);
  const labelNames = ['token', 'agent', 'role', 'workspace'] as const;
  type Row = Awaited<ReturnType<BudgetUsageSource>>[number];
  /** A gauge read from the store at each scrape, so it survives restarts and counts every replica. */
  const usageGauge = (name: string, help: string, pick: (r: Row) => number) => {
    const gauge: Gauge<(typeof labelNames)[number]> = new Gauge({
      name,
      help,
      labelNames,
      registers,
      async collect() {
        const rows = await budgetUsage();
        gauge.reset();
        for (const r of rows) {
          gauge.set({ token: r.tokenId, agent: r.agent, role: r.role, workspace: r.workspaceId }, pick(r));
        }
      },
    });
  };
  usageGauge(
    'leanctx_budget_tokens',
    'o200k tokens served in the current budget period, per token, agent, role and workspace',
    (r) => r.tokens,
  );
  usageGauge(
    'leanctx_budget_cost_usd',
    "What the tokens served in the current budget period cost at the profile's model price",
    (r) => r.costUsd,
  );
  return metrics;
}

/**
 * The original team server's `leanctx_team_*` series, read from the SLO window at each scrape
 * (one snapshot per scrape). The index lag has no sample until an index write happened.
 */
function registerTeamSeries(registry: Registry, slo: SloWindow): void {
  const registers = [registry];
  let scrape: { at: number; snap: SloSnapshot } | undefined;
  // prom-client collects each metric in turn; they share one snapshot per scrape
  const read = (): SloSnapshot => {
    const at = performance.now();
    if (!scrape || at - scrape.at > 50) scrape = { at, snap: slo.snapshot() };
    return scrape.snap;
  };
  const gauge = (name: string, help: string, pick: (s: SloSnapshot) => number | null) =>
    new Gauge({
      name,
      help,
      registers,
      collect() {
        const v = pick(read());
        if (v === null) this.remove();
        else this.set(v);
      },
    });
  gauge(
    'leanctx_team_request_duration_p50_ms',
    'Rolling p50 request latency over /v1 routes',
    (s) => s.p50_ms,
  );
  gauge(
    'leanctx_team_request_duration_p95_ms',
    'Rolling p95 request latency over /v1 routes',
    (s) => s.p95_ms,
  );
  gauge(
    'leanctx_team_request_duration_p99_ms',
    'Rolling p99 request latency over /v1 routes',
    (s) => s.p99_ms,
  );
  gauge(
    'leanctx_team_availability_pct',
    'Share of non-5xx answers in the rolling window (percent)',
    (s) => s.availability_pct,
  );
  gauge(
    'leanctx_team_index_lag_seconds',
    'Seconds since the last successful index-changing tool call',
    (s) => s.index_lag_seconds,
  );
  gauge('leanctx_team_uptime_seconds', 'Seconds since the server started', (s) => s.uptime_seconds);
  // Counters in prom-client only go up by inc(); these mirror totals the window keeps.
  const total = (name: string, help: string, pick: (s: SloSnapshot) => number) => {
    const counter: Counter = new Counter({
      name,
      help,
      registers,
      collect() {
        counter.reset();
        counter.inc(pick(read()));
      },
    });
  };
  total('leanctx_team_requests_total', 'Requests answered on /v1 routes', (s) => s.requests_total);
  total('leanctx_team_errors_total', '5xx answers on /v1 routes', (s) => s.errors_total);
}
