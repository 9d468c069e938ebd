import type { Gateway } from '../../gateway/gateway.ts';
import type { Tool } from '../define-tool.ts';
import { defineDescribeCommandsTool } from './describe-commands.ts';
import { defineInvokeCommandTool } from './invoke-command.ts';
import { defineListCommandsTool } from './list-commands.ts';
import { defineListServersTool } from './list-servers.ts';

/**
 * The four meta-tools under the `gateway` scope, bound to one gateway. Each honours
 * `ctx.downstreamServers` (a server the token may not use is invisible and refused) and
 * `ctx.signal` (aborts the downstream call).
 */
export function gatewayTools(gateway: Gateway): Tool[] {
  return [
    defineListServersTool(gateway),
    defineListCommandsTool(gateway),
    defineDescribeCommandsTool(gateway),
    defineInvokeCommandTool(gateway),
  ] as Tool[];
}
