import type { Gateway } from '../../gateway/gateway.ts';
import { invokeCommandInput, META_DESCRIPTIONS } from '../../gateway/meta-schemas.ts';
import { defineTool } from '../define-tool.ts';
import { accessOf } from './access.ts';

/** The gateway's invoke_command meta-tool for the team server. */
export function defineInvokeCommandTool(gateway: Gateway) {
  return defineTool({
    name: 'invoke_command',
    description: META_DESCRIPTIONS.invoke_command,
    scope: 'gateway',
    input: invokeCommandInput,
    run: (args, ctx) => gateway.invokeCommand(args, accessOf(ctx)),
  });
}
