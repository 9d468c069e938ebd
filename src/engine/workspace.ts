import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createWorkspaceJail, type WorkspaceJail } from './jail.ts';

/** One project root with its jail and the per-workspace services tools create lazily. */
export interface Workspace {
  readonly id: string;
  readonly label: string;
  /** Real path of the root. */
  readonly root: string;
  readonly allowExec: boolean;
  readonly jail: WorkspaceJail;
  /** A directory for this workspace's own state (indexes, archives), created on first use. */
  dataDir(): string;
  /**
   * The workspace's single instance of a service, created on first use (a read cache, a
   * search index). Services with `close()` are closed with the workspace.
   */
  memo<T>(key: string, create: () => T): T;
  close(): Promise<void>;
}

export interface WorkspaceOptions {
  id: string;
  label?: string;
  root: string;
  allowExec?: boolean;
  /** The server's data dir; the workspace keeps its state under `<dataDir>/workspaces/<id>`. */
  dataDir: string;
  /** More paths no tool may read here (audit log, config); the data dir always is one. */
  exclude?: readonly string[];
}

export function createWorkspace(opts: WorkspaceOptions): Workspace {
  const jail = createWorkspaceJail(opts.root, { exclude: [opts.dataDir, ...(opts.exclude ?? [])] });
  const services = new Map<string, unknown>();
  const dir = join(opts.dataDir, 'workspaces', opts.id);
  let made = false;
  return {
    id: opts.id,
    label: opts.label ?? opts.id,
    root: jail.root,
    allowExec: opts.allowExec ?? false,
    jail,
    dataDir() {
      if (!made) {
        mkdirSync(dir, { recursive: true, mode: 0o700 });
        made = true;
      }
      return dir;
    },
    memo<T>(key: string, create: () => T): T {
      if (!services.has(key)) services.set(key, create());
      return services.get(key) as T;
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
}
