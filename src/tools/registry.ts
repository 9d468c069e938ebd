import { z } from 'zod';
import { AppError, ToolError } from '../errors.ts';
import { type Tool, type ToolContext, type ToolOutcome, textResult, toOutcome } from './define-tool.ts';

export type ToolSurface = 'core' | 'all';

export interface ToolInfo {
  name: string;
  description: string;
  inputSchema: Record<string, unknown>;
  scope: string;
  core: boolean;
  /** Every call is read-only (the MCP readOnlyHint); false when some action writes. */
  readOnly: boolean;
}

export interface ToolRegistry {
  readonly size: number;
  all(): readonly Tool[];
  get(name: string): Tool | undefined;
  /** The tools a client sees in tools/list for this surface. */
  listed(surface: ToolSurface): readonly Tool[];
  info(tool: Tool): ToolInfo;
  /** The arguments parsed by the tool's schema (defaults applied), or invalid_arguments. */
  validate(tool: Tool, rawArgs: unknown): Record<string, unknown>;
  /**
   * Runs the tool on validated arguments: the result and the figures the tool measured. A
   * ToolError becomes an `isError` result.
   */
  execute(tool: Tool, args: Record<string, unknown>, ctx: ToolContext): Promise<ToolOutcome>;
  /** validate + execute. */
  run(tool: Tool, rawArgs: unknown, ctx: ToolContext): Promise<ToolOutcome>;
}

function describeIssues(error: z.ZodError): { message: string; issues: { path: string; message: string }[] } {
  const issues = error.issues.map((issue) => ({
    path: issue.path.map(String).join('.') || '(arguments)',
    message: issue.message,
  }));
  return { message: issues.map((i) => `${i.path}: ${i.message}`).join('; '), issues };
}

export function createToolRegistry(tools: readonly Tool[]): ToolRegistry {
  const byName = new Map<string, Tool>();
  for (const tool of tools) {
    if (byName.has(tool.name)) throw new Error(`tool "${tool.name}" is defined twice`);
    byName.set(tool.name, tool);
  }
  const infos = new Map<Tool, ToolInfo>();
  const info = (tool: Tool): ToolInfo => {
    let cached = infos.get(tool);
    if (!cached) {
      const schema = z.toJSONSchema(tool.input, { io: 'input', unrepresentable: 'any' }) as Record<
        string,
        unknown
      >;
      delete schema.$schema;
      cached = {
        name: tool.name,
        description: tool.description,
        inputSchema: schema,
        scope: tool.scope,
        core: tool.core ?? false,
        readOnly: tool.readOnly === true,
      };
      infos.set(tool, cached);
    }
    return cached;
  };
  const sorted = [...byName.values()];
  const core = sorted.filter((t) => t.core);
  const execute = async (
    tool: Tool,
    args: Record<string, unknown>,
    ctx: ToolContext,
  ): Promise<ToolOutcome> => {
    try {
      return toOutcome(await tool.run(args, ctx));
    } catch (err) {
      if (err instanceof ToolError) return toOutcome(textResult(`ERROR: ${err.message}`, true));
      throw err;
    }
  };
  const registry: ToolRegistry = {
    size: byName.size,
    all: () => sorted,
    get: (name) => byName.get(name),
    listed: (surface) => (surface === 'all' ? sorted : core),
    info,
    validate(tool, rawArgs) {
      const args = rawArgs ?? {};
      if (typeof args !== 'object' || Array.isArray(args)) {
        throw new AppError('invalid_arguments', `arguments for ${tool.name} must be a JSON object`);
      }
      const parsed = tool.input.safeParse(args);
      if (!parsed.success) {
        const { message, issues } = describeIssues(parsed.error);
        throw new AppError('invalid_arguments', `invalid arguments for ${tool.name}: ${message}`, {
          tool: tool.name,
          issues,
        });
      }
      return parsed.data as Record<string, unknown>;
    },
    execute,
    run: (tool, rawArgs, ctx) => execute(tool, registry.validate(tool, rawArgs), ctx),
  };
  return registry;
}
