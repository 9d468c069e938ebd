import { type Access, type Gateway, signalOf } from './gateway.ts';
import { decidePermission } from './permissions.ts';
import { namespacedToolName } from './tool-names.ts';
import type { DownstreamTool, Upstream } from './upstream.ts';

/** A downstream tool listed directly under a namespaced, client-safe name. */
export interface DirectTool {
  name: string;
  server: string;
  command: string;
  tool: DownstreamTool;
}

function toDirect(gateway: Gateway, upstream: Upstream, tools: readonly DownstreamTool[]): DirectTool[] {
  return tools
    .filter((t) => decidePermission(upstream.config, gateway.config.permissions, t.name).action === 'allow')
    .map((t) => ({
      name: namespacedToolName(upstream.name, t.name),
      server: upstream.name,
      command: t.name,
      tool: t,
    }));
}

/**
 * Every allowed tool of every usable server (starting servers whose list is not cached).
 * A server that fails to list is left out and logged, so one broken server hides only itself.
 */
export async function fullCatalogue(gateway: Gateway, access: Access): Promise<DirectTool[]> {
  const usable = gateway.visible(access).filter((u) => u.unavailableReason() === undefined);
  const lists = await Promise.all(
    usable.map(async (u) => {
      try {
        return toDirect(gateway, u, await u.listTools({ signal: signalOf(access) }));
      } catch {
        return [];
      }
    }),
  );
  return lists.flat();
}

/** The promoted tools this caller may see, from the cached lists. */
export function promotedTools(gateway: Gateway, access: Access): DirectTool[] {
  const out: DirectTool[] = [];
  for (const { server, command } of gateway.promoted()) {
    const upstream = gateway.visibleUpstream(server, access);
    const tool = upstream?.cachedTools()?.find((t) => t.name === command);
    if (upstream && tool) out.push(...toDirect(gateway, upstream, [tool]));
  }
  return out;
}

/** The MCP tool entry a client sees for a direct tool. */
export function listedDirectTool(d: DirectTool): Record<string, unknown> {
  return {
    name: d.name,
    ...(d.tool.title ? { title: d.tool.title } : {}),
    description: `[${d.server}] ${d.tool.description ?? ''}`.trim(),
    inputSchema: d.tool.inputSchema,
    ...(d.tool.outputSchema ? { outputSchema: d.tool.outputSchema } : {}),
    ...(d.tool.annotations ? { annotations: d.tool.annotations } : {}),
  };
}
