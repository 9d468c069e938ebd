import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

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
}

/** Budget use of the current period per token, agent, role and workspace, read at each scrape. */
export type BudgetUsageSource = () => Promise<
  { tokenId: string; agent: string; role: string; workspaceId: string; tokens: number; costUsd: number }[]
>;

/** One registry per server (never prom-client's global), so tests and replicas stay apart. */
export function createMetrics(budgetUsage: BudgetUsageSource = async () => []): Metrics {
  const registry = new Registry();
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
  };
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
