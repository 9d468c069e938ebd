import { readFile } from 'node:fs/promises';
import { posix } from 'node:path';
import type { GraphStore } from '../../store/graph.ts';
import type { ToolContext } from '../define-tool.ts';

/** Directories (this deep at most) whose package.json is read. */
const PACKAGE_DEPTH = 2;
/** package.json files read at most. */
const MAX_PACKAGES = 100;

export interface PackageEntry {
  /** The package.json that declares it. */
  manifest: string;
  /** `bin`, `bin.name`, `main` or `module`. */
  field: string;
  target: string;
  /** Whether the file it names is in the code graph. */
  indexed: boolean;
}

/** Directories holding indexed files, up to two levels deep, the root first. */
function candidateDirs(store: GraphStore): string[] {
  const dirs = new Set<string>(['']);
  for (const path of store.stats().keys()) {
    const parts = path.split('/').slice(0, -1);
    for (let d = 1; d <= Math.min(PACKAGE_DEPTH, parts.length); d++) dirs.add(parts.slice(0, d).join('/'));
  }
  return [...dirs].sort().slice(0, MAX_PACKAGES);
}

/** The `bin`, `main` and `module` entries of the workspace's package.json files. */
export async function packageEntries(ctx: ToolContext, store: GraphStore): Promise<PackageEntry[]> {
  const entries: PackageEntry[] = [];
  for (const dir of candidateDirs(store)) {
    const manifest = dir ? `${dir}/package.json` : 'package.json';
    let pkg: unknown;
    try {
      const { abs } = ctx.workspace.jail.resolve(manifest);
      pkg = JSON.parse(await readFile(abs, 'utf8'));
    } catch {
      continue; // none here, unreadable or outside the root: nothing declared
    }
    if (typeof pkg !== 'object' || pkg === null) continue;
    const p = pkg as Record<string, unknown>;
    const declared: [string, unknown][] = [
      ['main', p.main],
      ['module', p.module],
      ...(typeof p.bin === 'object' && p.bin !== null
        ? Object.entries(p.bin).map(([name, t]) => [`bin.${name}`, t] as [string, unknown])
        : [['bin', p.bin] as [string, unknown]]),
    ];
    for (const [field, value] of declared) {
      if (typeof value !== 'string' || value === '') continue;
      const target = posix.normalize(posix.join(dir, value));
      entries.push({ manifest, field, target, indexed: store.file(target) !== undefined });
    }
  }
  return entries;
}
