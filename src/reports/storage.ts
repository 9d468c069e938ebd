import { lstat, readdir } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { auditLogFiles } from '../audit/audit-log.ts';

/** A walk stops counting past this many entries, so a huge tree cannot hold the report. */
const MAX_ENTRIES = 200_000;

export interface StorageComponent {
  id: string;
  bytes: number;
}

export interface StorageMeasure {
  usedBytes: number;
  components: StorageComponent[];
}

/**
 * Bytes on disk under `path` (allocated blocks, so sparse files count what they use). Symlinks
 * are not followed and a hard link counts once; a missing path is 0.
 */
async function allocatedBytes(path: string, seen: Set<string>, budget: { left: number }): Promise<number> {
  let total = 0;
  const stack = [path];
  while (stack.length > 0 && budget.left > 0) {
    const p = stack.pop() as string;
    budget.left--;
    let st: Awaited<ReturnType<typeof lstat>>;
    try {
      st = await lstat(p, { bigint: false });
    } catch {
      continue;
    }
    if (st.isSymbolicLink()) continue;
    if (st.isDirectory()) {
      try {
        for (const name of await readdir(p)) stack.push(join(p, name));
      } catch {
        // unreadable: counted as empty
      }
      continue;
    }
    const inode = `${st.dev}:${st.ino}`;
    if (seen.has(inode)) continue;
    seen.add(inode);
    total += st.blocks * 512;
  }
  return total;
}

/** What the server keeps: its data dir, and the audit log when it lives elsewhere. */
export async function measureStorage(
  dataDir: string,
  auditLogPath: string | undefined,
): Promise<StorageMeasure> {
  const seen = new Set<string>();
  const budget = { left: MAX_ENTRIES };
  const components: StorageComponent[] = [
    { id: 'server-data', bytes: await allocatedBytes(dataDir, seen, budget) },
  ];
  if (auditLogPath && !auditLogPath.startsWith(`${dataDir}${sep}`)) {
    let bytes = 0;
    for (const file of auditLogFiles(auditLogPath)) bytes += await allocatedBytes(file, seen, budget);
    components.push({ id: 'audit-log', bytes });
  }
  return { usedBytes: components.reduce((n, c) => n + c.bytes, 0), components };
}
