import { ToolError } from '../../errors.ts';
import type { Access, Gateway } from '../../gateway/gateway.ts';
import type { ToolContext } from '../define-tool.ts';

/** The team's gateway from the call's context; the meta-tools are listed only when it exists. */
export function gatewayOf(ctx: ToolContext): Gateway {
  if (!ctx.gateway) {
    throw new ToolError('no downstream servers are configured: add a `servers` block to team.json');
  }
  return ctx.gateway;
}

/**
 * The caller's view of the gateway: the token's server globs, the call's abort signal, and
 * process details (pid, config file) only for holders of the `audit` scope.
 */
export function accessOf(ctx: ToolContext): Access {
  return { servers: ctx.downstreamServers, signal: ctx.signal, showProcess: ctx.scopes.has('audit') };
}
