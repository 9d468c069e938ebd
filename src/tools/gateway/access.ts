import type { Access } from '../../gateway/gateway.ts';
import type { ToolContext } from '../define-tool.ts';

/** The caller's view of the gateway: the token's server globs and the call's abort signal. */
export function accessOf(ctx: ToolContext): Access {
  return { servers: ctx.downstreamServers, signal: ctx.signal };
}
