import { listCommandsInput, META_DESCRIPTIONS } from '../../gateway/meta-schemas.ts';
import { defineTool } from '../define-tool.ts';
import { accessOf, gatewayOf } from './access.ts';

/** The gateway's list_commands meta-tool for the team server. */
export const listCommandsTool = defineTool({
  name: 'list_commands',
  description: META_DESCRIPTIONS.list_commands,
  scope: 'gateway',
  input: listCommandsInput,
  readOnly: true,
  run: (args, ctx) => gatewayOf(ctx).listCommands(args, accessOf(ctx)),
});
