import type { Tool } from '../define-tool.ts';
import { describeCommandsTool } from './describe-commands.ts';
import { invokeCommandTool } from './invoke-command.ts';
import { listCommandsTool } from './list-commands.ts';
import { listServersTool } from './list-servers.ts';

/**
 * The four meta-tools under the `gateway` scope, over the gateway the call's context carries.
 * Each honours `ctx.downstreamServers` (a server the token may not use is invisible and
 * refused) and `ctx.signal` (aborts the downstream call).
 */
export const gatewayTools: readonly Tool[] = [
  listServersTool,
  listCommandsTool,
  describeCommandsTool,
  invokeCommandTool,
];
