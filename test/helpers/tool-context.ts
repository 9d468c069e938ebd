import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SCOPES, type Scope } from '../../src/auth/scopes.ts';
import { createWorkspace, type Workspace } from '../../src/engine/workspace.ts';
import { silentLogger } from '../../src/logger.ts';
import { createAgentPresence } from '../../src/sessions/agent-presence.ts';
import { createSqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import type { Store } from '../../src/store/types.ts';
import { builtinTools } from '../../src/tools/all-tools.ts';
import type { CallToolResult, ToolContext, ToolOutcome } from '../../src/tools/define-tool.ts';
import { createToolRegistry } from '../../src/tools/registry.ts';

export interface DirectTools {
  workspace: Workspace;
  /** Calls a built-in tool in-process (no HTTP), as the given context. */
  call(name: string, args?: Record<string, unknown>, opts?: { contextId?: string }): Promise<CallToolResult>;
  /** The same call with the token figures the tool returned beside its result. */
  outcome(name: string, args?: Record<string, unknown>, opts?: { contextId?: string }): Promise<ToolOutcome>;
  /** The text of the first content block. */
  text(name: string, args?: Record<string, unknown>, opts?: { contextId?: string }): Promise<string>;
  close(): Promise<void>;
}

/** The shared-session parts of an in-process ToolContext: presence without events, no budget. */
export function sessionParts(store: Store, agentName: string): Pick<ToolContext, 'agentName' | 'presence'> {
  const presence = createAgentPresence({
    store,
    publish: async () => undefined,
    now: Date.now,
    logger: silentLogger,
  });
  presence.close();
  return {
    agentName,
    presence,
  };
}

/** In-process tool calls against a real directory, for unit tests of tools. */
export function createDirectTools(root: string, scopes: readonly Scope[] = SCOPES): DirectTools {
  const registry = createToolRegistry(builtinTools());
  const workspace = createWorkspace({
    id: 'test',
    root,
    allowExec: true,
    dataDir: mkdtempSync(join(tmpdir(), 'leanctx-data-')),
  });
  const scopeSet = new Set(scopes);
  const store = createSqliteStore(':memory:');
  const outcome = async (
    name: string,
    args: Record<string, unknown> = {},
    opts: { contextId?: string } = {},
  ): Promise<ToolOutcome> => {
    const tool = registry.get(name);
    if (!tool) throw new Error(`no tool ${name}`);
    const ctx: ToolContext = {
      workspace,
      channelId: 'main',
      agentId: 'test',
      ...sessionParts(store, 'test'),
      contextId: opts.contextId,
      scopes: scopeSet,
      signal: new AbortController().signal,
      callTool: (n, a) => call(n, a, opts),
      emit: () => {},
      listTools: () => registry.all().map((t) => registry.info(t)),
      store,
      gateway: undefined,
      downstreamServers: undefined,
    };
    return registry.run(tool, args, ctx);
  };
  const call = async (name: string, args?: Record<string, unknown>, opts?: { contextId?: string }) =>
    (await outcome(name, args, opts)).result;
  return {
    workspace,
    call,
    outcome,
    async text(name, args, opts) {
      const result = await call(name, args, opts);
      const first = result.content[0];
      return first && first.type === 'text' ? first.text : '';
    },
    close: async () => {
      await workspace.close();
      await store.close();
    },
  };
}
