import { invokeCommandInput, META_DESCRIPTIONS } from '../../gateway/meta-schemas.ts';
import { defineTool } from '../define-tool.ts';
import { accessOf, gatewayOf } from './access.ts';

/** The gateway's invoke_command meta-tool for the team server. */
export const invokeCommandTool = defineTool({
  name: 'invoke_command',
  description: META_DESCRIPTIONS.invoke_command,
  scope: 'gateway',
  input: invokeCommandInput,
  run: (args, ctx) => gatewayOf(ctx).invokeCommand(args, accessOf(ctx)),
});
