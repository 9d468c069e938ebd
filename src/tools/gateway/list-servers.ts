import { serverListing } from '../../gateway/meta-operations.ts';
import { listServersInput, META_DESCRIPTIONS } from '../../gateway/meta-schemas.ts';
import { defineTool, textResult } from '../define-tool.ts';
import { accessOf, gatewayOf } from './access.ts';

/** Why `reload: true` does nothing here: the team server owns its configuration's life. */
export const TEAM_RELOAD_MESSAGE =
  'The team server does not reload from list_servers: it re-reads team.json (with its servers block) by itself when the file changes, or on SIGHUP to the team server process. Edit team.json and list again.';

/** The gateway's list_servers meta-tool for the team server. */
export const listServersTool = defineTool({
  name: 'list_servers',
  description: META_DESCRIPTIONS.list_servers,
  scope: 'gateway',
  input: listServersInput,
  readOnly: true,
  run: async (args, ctx) => {
    const gateway = gatewayOf(ctx);
    const access = accessOf(ctx);
    if (!args.reload) return gateway.listServers(args, access);
    gateway.touch();
    const body = {
      reload: { ok: false, error: TEAM_RELOAD_MESSAGE },
      ...serverListing(gateway, args, access),
    };
    return textResult(JSON.stringify(body, null, 1), true);
  },
});
