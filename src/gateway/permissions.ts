import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { GlobalPermissions, ServerConfig } from '../config/servers-config.ts';
import { compileGlob } from './glob.ts';

export type PolicyLevel = 'server-rule' | 'global-rule' | 'server-default' | 'global-default' | 'implicit';

export interface PolicyDecision {
  readonly action: 'allow' | 'deny';
  readonly level: PolicyLevel;
  /** The matching rule's glob, when a rule decided. */
  readonly pattern?: string;
  readonly message?: string;
}

function lastMatch<R extends { pattern: string }>(rules: readonly R[], command: string): R | undefined {
  let found: R | undefined;
  for (const rule of rules) if (compileGlob(rule.pattern).test(command)) found = rule;
  return found;
}

/**
 * Seed 002's resolution: per-server rules, then global rules (gated by their `server` glob),
 * then the per-server default, the global default, and finally allow. The first level with
 * a match decides; within a level the last matching rule wins.
 */
export function decidePermission(
  server: Pick<ServerConfig, 'name' | 'permissions'>,
  global: GlobalPermissions | undefined,
  command: string,
): PolicyDecision {
  const own = lastMatch(server.permissions?.rules ?? [], command);
  if (own) return { action: own.action, level: 'server-rule', pattern: own.pattern, message: own.message };
  const gated = (global?.rules ?? []).filter((rule) => compileGlob(rule.server).test(server.name));
  const shared = lastMatch(gated, command);
  if (shared)
    return { action: shared.action, level: 'global-rule', pattern: shared.pattern, message: shared.message };
  if (server.permissions?.default) return { action: server.permissions.default, level: 'server-default' };
  if (global?.default) return { action: global.default, level: 'global-default' };
  return { action: 'allow', level: 'implicit' };
}

const HOW_TO_ALLOW: Record<PolicyLevel, string> = {
  'server-rule': 'remove the matching deny rule from the server\'s "permissions.rules"',
  'global-rule': 'remove the matching deny rule from the top-level "permissions.rules"',
  'server-default': 'add an allow rule for it to the server\'s "permissions.rules" (its default is deny)',
  'global-default': 'add an allow rule for it to "permissions.rules" (the global default is deny)',
  implicit: 'change the policy',
};

/** The seed's error contract: `isError` plus `_meta.lazyMcpPolicy: "blocked"`. */
export function blockedResult(
  serverName: string,
  command: string,
  decision: PolicyDecision,
  where: { configPath: string | undefined; pid: number },
): CallToolResult {
  const details =
    decision.message ??
    (decision.pattern
      ? `It matches the deny rule "${decision.pattern}" (${decision.level}).`
      : `The ${decision.level === 'server-default' ? "server's" : 'global'} default action is deny.`);
  const file = where.configPath ?? 'your lazy-mcp config';
  const text =
    `🚫 Blocked by lazy-mcp policy: Tool '${serverName}:${command}' is blocked by lazy-mcp policy\n\n` +
    `Details: ${details}\n\n` +
    `To allow this, ${HOW_TO_ALLOW[decision.level]} in your lazy-mcp config (${file}) and reload with: ` +
    `kill -HUP ${where.pid} (or call list_servers with {"reload": true})`;
  return { content: [{ type: 'text', text }], isError: true, _meta: { lazyMcpPolicy: 'blocked' } };
}
