import { describeCommandsInput, META_DESCRIPTIONS } from '../../gateway/meta-schemas.ts';
import { defineTool } from '../define-tool.ts';
import { accessOf, gatewayOf } from './access.ts';

/** The gateway's describe_commands meta-tool for the team server. */
export const describeCommandsTool = defineTool({
  name: 'describe_commands',
  description: META_DESCRIPTIONS.describe_commands,
  scope: 'gateway',
  input: describeCommandsInput,
  // promote changes what every client of the gateway lists
  readOnly: (args) => args.promote !== true,
  run: (args, ctx) => gatewayOf(ctx).describeCommands(args, accessOf(ctx)),
});
