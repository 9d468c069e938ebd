import type { Gateway } from '../../gateway/gateway.ts';
import { listServersInput, META_DESCRIPTIONS } from '../../gateway/meta-schemas.ts';
import { defineTool } from '../define-tool.ts';
import { accessOf } from './access.ts';

/** The gateway's list_servers meta-tool for the team server. */
export function defineListServersTool(gateway: Gateway) {
  return defineTool({
    name: 'list_servers',
    description: META_DESCRIPTIONS.list_servers,
    scope: 'gateway',
    input: listServersInput,
    readOnly: true,
    run: (args, ctx) => gateway.listServers(args, accessOf(ctx)),
  });
}
