import type { Gateway } from '../../gateway/gateway.ts';
import { listCommandsInput, META_DESCRIPTIONS } from '../../gateway/meta-schemas.ts';
import { defineTool } from '../define-tool.ts';
import { accessOf } from './access.ts';

/** The gateway's list_commands meta-tool for the team server. */
export function defineListCommandsTool(gateway: Gateway) {
  return defineTool({
    name: 'list_commands',
    description: META_DESCRIPTIONS.list_commands,
    scope: 'gateway',
    input: listCommandsInput,
    readOnly: true,
    run: (args, ctx) => gateway.listCommands(args, accessOf(ctx)),
  });
}
