import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createWorkspaceJail, type WorkspaceJail } from './jail.ts';
import type { CommandPolicy } from './shell/command-policy.ts';

/**
 * A per-workspace service (a read cache, a search index), defined once beside its code and
 * called as its own accessor: `readCacheOf(workspace)`. The workspace keys instances by the
 * service itself, so a lookup is typed and cannot name a service that does not exist.
 */
export interface WorkspaceService<T> {
  (workspace: Workspace): T;
  /** For messages: "read cache". */
  readonly label: string;
  readonly create: (workspace: Workspace) => T;
}

/** Declares a workspace service; instances are created on first use, one per workspace. */
export function defineWorkspaceService<T>(
  label: string,
  create: (workspace: Workspace) => T,
): WorkspaceService<T> {
  const service: WorkspaceService<T> = Object.assign((workspace: Workspace) => workspace.use(service), {
    label,
    create,
  });
  return service;
}

/** One project root with its jail and the per-workspace services tools create lazily. */
export interface Workspace {
  readonly id: string;
  readonly label: string;
  /** Real path of the root. */
  readonly root: string;
  readonly allowExec: boolean;
  /** ctx_shell runs commands in the namespace sandbox. */
  readonly sandbox: boolean;
  /** ctx_discover may read the server user's shell history. */
  readonly shellHistory: boolean;
  /** Which commands ctx_shell may run here. */
  readonly commandPolicy: CommandPolicy;
  readonly jail: WorkspaceJail;
  /** A directory for this workspace's own state (indexes, archives), created on first use. */
  dataDir(): string;
  /**
   * The workspace's single instance of a service, created on first use. Services with
   * `close()` are closed with the workspace.
   */
  use<T>(service: WorkspaceService<T>): T;
  close(): Promise<void>;
}

export interface WorkspaceOptions {
  id: string;
  label?: string;
  root: string;
  allowExec?: boolean;
  sandbox?: boolean;
  shellHistory?: boolean;
  commandAllow?: readonly string[];
  commandDeny?: readonly string[];
  /** The server's data dir; the workspace keeps its state under `<dataDir>/workspaces/<id>`. */
  dataDir: string;
  /** More paths no tool may read here (audit log, config); the data dir always is one. */
  exclude?: readonly string[];
}

export function createWorkspace(opts: WorkspaceOptions): Workspace {
  const jail = createWorkspaceJail(opts.root, { exclude: [opts.dataDir, ...(opts.exclude ?? [])] });
  const services = new Map<WorkspaceService<unknown>, unknown>();
  const dir = join(opts.dataDir, 'workspaces', opts.id);
  let made = false;
  const workspace: Workspace = {
    id: opts.id,
    label: opts.label ?? opts.id,
    root: jail.root,
    allowExec: opts.allowExec ?? false,
    sandbox: opts.sandbox ?? false,
    shellHistory: opts.shellHistory ?? false,
    commandPolicy: Object.freeze({ allow: opts.commandAllow ?? [], deny: opts.commandDeny ?? [] }),
    jail,
    dataDir() {
      if (!made) {
        mkdirSync(dir, { recursive: true, mode: 0o700 });
        made = true;
      }
      return dir;
    },
    use<T>(service: WorkspaceService<T>): T {
      if (!services.has(service)) services.set(service, service.create(workspace));
      return services.get(service) as T;
    },
    async close() {
      const all = [...services.values()];
      services.clear();
      for (const service of all) {
        const close = (service as { close?: () => unknown } | null)?.close;
        if (typeof close === 'function') {
          try {
            await close.call(service);
          } catch {
            // shutdown runs every step even if one throws
          }
        }
      }
    },
  };
  return workspace;
}
