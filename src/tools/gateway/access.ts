import type { Access } from '../../gateway/gateway.ts';
import type { ToolContext } from '../define-tool.ts';

/**
 * The caller's view of the gateway: the token's server globs, the call's abort signal, and
 * process details (pid, config file) only for holders of the `audit` scope.
 */
export function accessOf(ctx: ToolContext): Access {
  return { servers: ctx.downstreamServers, signal: ctx.signal, showProcess: ctx.scopes.has('audit') };
}
