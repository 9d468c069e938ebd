import type { Gateway } from '../../gateway/gateway.ts';
import { describeCommandsInput, META_DESCRIPTIONS } from '../../gateway/meta-schemas.ts';
import { defineTool } from '../define-tool.ts';
import { accessOf } from './access.ts';

/** The gateway's describe_commands meta-tool for the team server. */
export function defineDescribeCommandsTool(gateway: Gateway) {
  return defineTool({
    name: 'describe_commands',
    description: META_DESCRIPTIONS.describe_commands,
    scope: 'gateway',
    input: describeCommandsInput,
    readOnly: true,
    run: (args, ctx) => gateway.describeCommands(args, accessOf(ctx)),
  });
}
