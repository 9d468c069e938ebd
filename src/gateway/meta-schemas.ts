import { z } from 'zod';

/** Inputs of the four meta-tools; lazy-mcp and the team server share them. */
export const listServersInput = z.object({
  tags: z.array(z.string()).optional().describe('Only servers with any of these tags.'),
  reload: z.boolean().optional().describe('Re-read servers.json first (after editing it).'),
});

export const listCommandsInput = z.object({
  server: z.union([z.string(), z.array(z.string())]).describe('Server name, or several.'),
});

export const describeCommandsInput = z.object({
  server: z.string(),
  commands: z.array(z.string()).min(1).describe('Command names from list_commands.'),
  promote: z.boolean().optional().describe('Also list these commands as direct tools from now on.'),
});

export const invokeCommandInput = z
  .object({
    server: z.string(),
    command: z.string(),
    parameters: z
      .union([z.record(z.string(), z.unknown()), z.string()])
      .optional()
      .describe("The command's arguments as an object (see describe_commands)."),
  })
  .catchall(z.unknown());

/** The original lazy-mcp's argument names, still sent by agents and prompts written for it. */
const ARGUMENT_ALIASES = [
  ['server_name', 'server'],
  ['command_name', 'command'],
] as const;

/** Meta-tool arguments with `server_name`/`command_name` read as `server`/`command`. */
export function withArgumentAliases(args: unknown): unknown {
  if (typeof args !== 'object' || args === null || Array.isArray(args)) return args;
  if (!ARGUMENT_ALIASES.some(([alias]) => Object.hasOwn(args, alias))) return args;
  const out: Record<string, unknown> = { ...args };
  for (const [alias, name] of ARGUMENT_ALIASES) {
    if (!Object.hasOwn(out, alias)) continue;
    out[name] ??= out[alias];
    delete out[alias];
  }
  return out;
}

export type ListServersArgs = z.output<typeof listServersInput>;
export type ListCommandsArgs = z.output<typeof listCommandsInput>;
export type DescribeCommandsArgs = z.output<typeof describeCommandsInput>;
export type InvokeCommandArgs = z.output<typeof invokeCommandInput>;

export const META_TOOL_NAMES = [
  'list_servers',
  'list_commands',
  'describe_commands',
  'invoke_command',
] as const;
export type MetaToolName = (typeof META_TOOL_NAMES)[number];

export const META_DESCRIPTIONS: Record<MetaToolName, string> = {
  list_servers:
    'List the MCP servers behind this gateway: name, description, tags, health. Start here, then list_commands.',
  list_commands:
    "List a server's commands with one-line descriptions (several servers at once if given a list).",
  describe_commands: 'Get the full input schemas of commands before invoking them.',
  invoke_command: 'Run a command on a server. Put its arguments in "parameters" as an object.',
};
