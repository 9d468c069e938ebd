import { z } from 'zod';
import { ERROR_CODES } from '../errors.ts';

/**
 * Inputs the routes parse and answers they send, as zod schemas: handlers parse with them
 * and type their answers by them, and the OpenAPI document is generated from them.
 */

const count = z.number().int().min(0);
const queryInt = (what: string) =>
  z.coerce
    .number({ error: `${what} must be an integer` })
    .int(`${what} must be an integer`)
    .min(0, `${what} must be ≥ 0`);

export const errorEnvelope = z.looseObject({
  error: z.string().describe('one sentence for a person; do not branch on it'),
  error_code: z.enum(Object.keys(ERROR_CODES) as [keyof typeof ERROR_CODES]),
});

export const toolInfo = z.object({
  name: z.string(),
  description: z.string(),
  inputSchema: z.record(z.string(), z.unknown()),
  scope: z.string(),
  core: z.boolean(),
  readOnly: z.boolean(),
});

/** `GET /v1/tools`: like the original, `limit` is clamped to 500 and an offset past the end gives an empty page. */
export const TOOLS_PAGE_MAX = 500;
export const toolsQuery = z.object({
  offset: queryInt('offset').default(0),
  limit: queryInt('limit').default(200).describe(`page size, clamped to ${TOOLS_PAGE_MAX}`),
});
export const toolsPage = z.object({
  tools: z.array(toolInfo),
  total: count,
  offset: count.describe('the offset used: the one asked for, at most `total`'),
  limit: count,
});

export const toolCallBody = z.strictObject({
  name: z.string().min(1),
  arguments: z
    .record(z.string(), z.unknown(), { error: 'must be a JSON object' })
    .nullable()
    .optional()
    .describe("the tool's arguments; a value that is not an object is 400 invalid_arguments"),
  workspaceId: z
    .string()
    .optional()
    .describe('wins over the x-leanctx-workspace / X-Workspace header for this call'),
  channelId: z.string().min(1).max(128).optional(),
  contextId: z.string().min(1).max(256).optional(),
});
export const toolCallAnswer = z.object({
  result: z.looseObject({
    content: z.array(z.looseObject({ type: z.string() })),
    isError: z.boolean().optional(),
  }),
});

export const manifest = z.looseObject({
  name: z.string(),
  version: z.string(),
  token: z.object({ id: z.string(), scopes: z.array(z.string()) }),
  defaultWorkspaceId: z.string(),
  workspaces: z.array(z.object({ id: z.string(), label: z.string().optional() })),
  toolSurface: z.enum(['core', 'all']),
  toolCount: count,
  tools: z.array(z.looseObject({ name: z.string(), requiredScope: z.string() })),
  readModes: z.array(z.string()),
  /** Whether ctx_execute runs in a namespace sandbox here (null: no workspace allows exec). */
  execution: z.looseObject({ sandboxed: z.boolean().nullable(), detail: z.string() }),
  limits: z.record(z.string(), z.number()),
});

export const capabilities = z.object({
  contract_version: z.literal(1),
  server: z.object({ name: z.string(), version: z.string(), persona: z.string() }),
  plane: z.enum(['personal', 'team', 'cloud']),
  transports: z.array(z.string()),
  presets: z.array(z.string()),
  read_modes: z.object({ count, modes: z.array(z.string()) }),
  tools: z.object({ total: count, names: z.array(z.string()) }),
  features: z.record(z.string(), z.boolean()),
  extensions: z.object({
    plugins: z.array(z.unknown()),
    tools: z.array(z.unknown()),
    read_modes: z.array(z.string()),
    compressors: z.array(z.string()),
    chunkers: z.array(z.string()),
  }),
  contracts: z.record(z.string(), z.number()),
  contract_status: z.record(z.string(), z.enum(['frozen', 'stable', 'experimental'])),
});

export const openapiQuery = z.object({
  surface: z
    .enum(['sdk', 'all'])
    .default('sdk')
    .describe('`sdk`: the routes the lean-ctx SDKs cover (the default); `all`: every route'),
});
export const openapiDocument = z.looseObject({
  openapi: z.string(),
  info: z.looseObject({ title: z.string(), version: z.string() }),
  paths: z.record(z.string(), z.unknown()),
});

export const SUMMARY_MAX_EVENTS = 500;
export const contextSummaryQuery = z.object({
  workspaceId: z.string().optional().describe('used when no x-leanctx-workspace header is sent'),
  channelId: z.string().optional().describe('default `main`'),
  limit: queryInt('limit')
    .default(100)
    .describe(`newest events summarised, clamped to ${SUMMARY_MAX_EVENTS}`),
});
const decision = z.object({
  agent: z.string(),
  tool: z.string(),
  action: z.string().nullable(),
  reasoning: z.string().nullable(),
  timestamp: z.string(),
});
export const contextSummary = z.object({
  workspaceId: z.string(),
  channelId: z.string(),
  totalEvents: count.describe('events in the summarised window'),
  latestVersion: count.describe("the channel's newest revision"),
  activeAgents: z.array(z.string()),
  recentDecisions: z.array(decision).describe('the last 10 session and knowledge writes'),
  knowledgeDelta: z.array(
    z.object({ category: z.string(), key: z.string(), agent: z.string(), timestamp: z.string() }),
  ),
  conflictAlerts: z.array(z.object({ category: z.string(), key: z.string(), agents: z.array(z.string()) })),
  eventCountsByKind: z.record(z.string(), count),
});

const savingsTotals = z.object({
  saved_tokens: count,
  net_saved_tokens: count,
  saved_usd: z.number(),
  total_events: count.describe('tool calls'),
});
const seriesPoint = z.object({
  date: z.string().describe('YYYY-MM-DD (UTC)'),
  net_saved_tokens: count,
  saved_usd: z.number(),
  total_events: count,
});
const modelRow = z.object({ model: z.string(), saved_tokens: count, saved_usd: z.number() });
const toolRow = z.object({ tool: z.string(), saved_tokens: count });
export const savingsSummary = z.object({
  schema_version: z.literal(1),
  generated_at: z.string(),
  member_count: count,
  totals: savingsTotals,
  by_member: z.array(
    z.object({
      signer: z.string().describe('the agent (token) id; the path segment of /v1/savings/member/{signer}'),
      agent_id: z.string(),
      saved_tokens: count,
      net_saved_tokens: count,
      saved_usd: z.number(),
      total_events: count,
      last_reported: z.string(),
    }),
  ),
  by_model: z.array(modelRow),
  by_tool: z.array(toolRow),
  series: z.array(seriesPoint),
  window_days: count,
});
export const memberParams = z.object({
  signer: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,64}$/, 'must be an agent id: 1-64 letters, digits, ".", "_" or "-"'),
});
export const memberSavings = z.object({
  schema_version: z.literal(1),
  generated_at: z.string(),
  signer: z.string(),
  agent_id: z.string(),
  last_reported: z.string(),
  totals: savingsTotals,
  by_model: z.array(modelRow),
  by_tool: z.array(toolRow),
  series: z.array(seriesPoint),
  window_days: count,
});

export const storageReport = z.object({
  schemaVersion: z.literal(1),
  measuredAt: z.string(),
  usedBytes: count,
  quotaBytes: count.describe('storageQuotaBytes of team.json, reported, not enforced; 0 = none'),
  components: z.array(z.object({ id: z.string(), bytes: count })),
  cacheAgeSeconds: count,
});
export const usageReport = z.object({
  schemaVersion: z.literal(1),
  generatedAt: z.string(),
  savings: z.object({
    memberCount: count,
    savedTokens: count,
    netSavedTokens: count,
    savedUsd: z.number(),
  }),
  toolCalls: count,
  storage: z.object({ used_bytes: count, quota_bytes: count }),
  connectors: z.record(z.string(), z.unknown()),
});

export const healthz = z.object({
  status: z.literal('ok'),
  version: z.string(),
  uptime: z.string(),
  /** One entry per service the server stands on (`postgres`, `redis`); a failing one makes it a 503. */
  dependencies: z.record(
    z.string(),
    z.object({ ok: z.boolean(), latencyMs: z.number(), error: z.string().optional() }),
  ),
});

export const eventsQuery = z.looseObject({
  since: z.string().optional().describe('replay events after this revision (or send Last-Event-ID)'),
  channelId: z.string().optional(),
  workspaceId: z.string().optional(),
});
export const eventsSearchQuery = z.looseObject({
  q: z.string().describe('the words to find'),
  workspaceId: z.string().optional(),
  channelId: z.string().optional(),
  limit: z.string().optional(),
});
export const eventsSearchAnswer = z.looseObject({ results: z.array(z.unknown()), count });
export const eventLineageQuery = z.looseObject({
  id: z.string().describe('the event id'),
  depth: z.string().optional(),
  workspaceId: z.string().optional(),
});
export const eventLineageAnswer = z.looseObject({ eventId: z.unknown(), chain: z.array(z.unknown()) });
export const metricsQuery = z.looseObject({ format: z.enum(['json', 'prometheus']).optional() });
export const auditQuery = z.object({ since: z.string().optional(), limit: z.string().optional() });
export const auditAnswer = z.looseObject({
  enabled: z.boolean(),
  entries: z.array(z.record(z.string(), z.unknown())),
});
export const sessionsQuery = z.object({ workspaceId: z.string().optional() });
export const sessionsAnswer = z.object({
  workspaceId: z.string(),
  channels: z.array(
    z.object({
      channelId: z.string(),
      revision: count.describe("the channel's event revision"),
      sessionRevision: count,
      agents: z.array(z.string()),
      lastActivity: z.string(),
      task: z.string().optional(),
    }),
  ),
});
export const jsonRpcMessage = z
  .looseObject({ jsonrpc: z.literal('2.0') })
  .describe('a JSON-RPC 2.0 message of MCP Streamable HTTP');

// The context-economics reports (src/reports/economics.ts): GET /v1/gain, /v1/cost, /v1/heatmap.
export const HEATMAP_MAX_LIMIT = 500;
const periodParam = z
  .enum(['week', 'month', 'all'])
  .default('all')
  .describe('the last 7 or 30 UTC days (today included), or all time');
const reportWorkspace = z
  .string()
  .optional()
  .describe("one of the token's workspaces; default: every workspace the token may use");
export const economicsQuery = z.object({ period: periodParam, workspaceId: reportWorkspace });
export const heatmapQuery = z.object({
  period: periodParam,
  workspaceId: reportWorkspace,
  limit: queryInt('limit').default(50).describe(`rows of files and of dirs, clamped to ${HEATMAP_MAX_LIMIT}`),
});
const economicsFigures = {
  calls: count,
  errors: count,
  tokensSent: count.describe('o200k tokens the clients received'),
  tokensRaw: count.describe('o200k tokens of the plain form those answers stood in for (whole files …)'),
  tokensSaved: count.describe('raw − sent of each call that measured a raw size, never below 0'),
};
const economicsHead = {
  schemaVersion: z.literal(1),
  generatedAt: z.string(),
  period: z.enum(['week', 'month', 'all']),
  sinceDay: z.string().nullable().describe('first UTC day counted; null = all time'),
  model: z.string().describe("the governance profile's model the USD figures are priced at"),
  usdPerMillionTokens: z.number(),
};
export const gainReport = z.object({
  ...economicsHead,
  totals: z.object({
    ...economicsFigures,
    savedPercent: z.number().describe('saved / (sent + saved), in %'),
    sentUsd: z.number(),
    savedUsd: z.number(),
  }),
  byTool: z.array(z.object({ tool: z.string(), ...economicsFigures, savedPercent: z.number() })),
  byAgent: z.array(
    z.object({ agentId: z.string(), ...economicsFigures, savedPercent: z.number(), lastTs: z.string() }),
  ),
  byDay: z.array(z.object({ day: z.string(), ...economicsFigures })),
});
const pricedRow = {
  calls: count,
  tokensSent: count,
  tokensSaved: count,
  sentUsd: z.number(),
  savedUsd: z.number(),
};
export const costReport = z.object({
  ...economicsHead,
  totals: z.object({
    ...pricedRow,
    withoutSavingsUsd: z.number().describe('what sent + saved would have cost'),
  }),
  byAgent: z.array(z.object({ agentId: z.string(), ...pricedRow })),
  byTool: z.array(z.object({ tool: z.string(), ...pricedRow })),
  llm: z
    .object({
      entries: count,
      inputTokens: count,
      outputTokens: count,
      avgLatencyMs: z.number(),
      inputUsd: z.number(),
      inputTokensWithoutSavings: count,
      inputUsdWithoutSavings: z.number(),
      savedShareOfInput: z.number().describe('tokensSaved / (LLM input + tokensSaved), in %'),
    })
    .describe('what agents reported with ctx_feedback: their LLM round trips'),
  resets: z
    .array(
      z.object({ workspaceId: z.string(), agentId: z.string(), resetAt: z.string(), resetBy: z.string() }),
    )
    .describe('`ctx_cost reset`s; over period=all, counts start there'),
});
const heatRow = z.object({
  workspaceId: z.string().describe('the same path in two workspaces is two rows'),
  path: z.string(),
  reads: count,
  tokensSent: count,
  tokensRaw: count,
});
export const heatmapReport = z.object({
  files: z.array(heatRow).describe('most-read files, workspace-relative'),
  dirs: z.array(heatRow).describe('their directories, each the sum of the files under it'),
});
/** `GET /v1/observatory/summary` (src/observatory/summary.ts). */
export const observatoryQuery = z.object({
  minutes: z.string().optional().describe('how many minutes back, 1 to 60 (default 30)'),
});
const budgetUse = z.object({
  budget: z.enum(['max_context_tokens', 'max_cost_usd']),
  used: z.number(),
  limit: z.number(),
  fraction: z.number().describe('used / limit'),
});
export const observatorySummary = z.object({
  generatedAt: z.string(),
  minutes: count,
  workspaces: z.array(z.string()),
  totals: z.object({
    calls: count,
    errors: count,
    tokensSent: count,
    tokensSaved: count,
    savedPct: z.number().describe('tokensSaved / (tokensSent + tokensSaved), in percent'),
  }),
  activity: z
    .array(
      z.object({
        minute: z.string().describe('YYYY-MM-DDTHH:MM, UTC'),
        tool: z.string(),
        agentId: z.string().describe('the token id'),
        calls: count,
        errors: count,
        tokensSent: count,
        tokensSaved: count,
      }),
    )
    .describe('calls per minute, tool and agent, oldest first'),
  errors: z
    .array(z.object({ code: z.string(), total: count, recent: count }))
    .describe('refusals and failed calls by error_code: recent = in the window, total = since start'),
  channels: z.array(
    z.object({
      workspaceId: z.string(),
      channelId: z.string(),
      revision: count.describe('newest event id when read; activity counts every call up to it'),
      agents: z.array(z.string()),
      lastActivity: z.string(),
    }),
  ),
  agents: z.array(z.object({ agentId: z.string(), calls: count, lastMinute: z.string() })),
  budget: z.object({
    period: z.string(),
    resetsAt: z.string(),
    alertThreshold: z.number(),
    model: z.string(),
    source: z.string(),
    rows: z.array(
      z.object({
        tokenId: z.string(),
        role: z.string().nullable(),
        agents: z.array(z.string()),
        tokens: count,
        costUsd: z.number(),
        calls: count,
        uses: z.array(budgetUse),
        level: z.enum(['ok', 'alert', 'exhausted']),
      }),
    ),
  }),
  gateway: z.object({
    configured: z.boolean(),
    servers: z.array(
      z.object({
        name: z.string(),
        type: z.string(),
        health: z.string(),
        running: z.boolean(),
        toolCount: count.nullable(),
        lastError: z.string().nullable(),
      }),
    ),
  }),
});
export const observatoryFileParams = z.object({
  file: z.enum(['index.html', 'app.js', 'style.css', 'uplot.js', 'uplot.css']),
});
