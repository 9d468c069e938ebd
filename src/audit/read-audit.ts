import { open, readdir } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';

/** Bytes read from the end of the audit files, in all. */
const AUDIT_TAIL_BYTES = 8 * 1024 * 1024;

/** The last `maxBytes` of a JSONL file, parsed; a line cut by the window or still being written is skipped. */
async function readTail(path: string, maxBytes: number): Promise<Record<string, unknown>[]> {
  const fh = await open(path, 'r');
  try {
    const { size } = await fh.stat();
    const start = Math.max(0, size - maxBytes);
    const buf = Buffer.alloc(size - start);
    await fh.read(buf, 0, buf.length, start);
    const lines = buf.toString('utf8').split('\n');
    if (start > 0) lines.shift();
    const entries: Record<string, unknown>[] = [];
    for (const line of lines) {
      if (line.trim() === '') continue;
      try {
        entries.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        // another replica's line half written
      }
    }
    return entries;
  } finally {
    await fh.close();
  }
}

/**
 * The newest audit lines, oldest first. A named replica (`file` is in `audit.replicas/`) reads
 * every replica's current file there, merged by `ts`: the whole team when the directory is
 * shared, else the replicas that ran on this host.
 */
export async function readAuditTail(
  file: string,
  auditLogPath: string | undefined,
): Promise<Record<string, unknown>[]> {
  if (auditLogPath === undefined || file === auditLogPath) return readTail(file, AUDIT_TAIL_BYTES);
  const dir = dirname(file);
  const ext = extname(file);
  const names = (await readdir(dir)).filter((n) => extname(n) === ext && !n.startsWith('.'));
  if (!names.includes(basename(file))) names.push(basename(file));
  const each = Math.max(1024 * 1024, Math.floor(AUDIT_TAIL_BYTES / names.length));
  const parts = await Promise.all(
    names.map((n) =>
      readTail(join(dir, n), each).catch((err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT') return [];
        throw err;
      }),
    ),
  );
  return parts
    .flat()
    .sort((a, b) => (String(a.ts) < String(b.ts) ? -1 : String(a.ts) > String(b.ts) ? 1 : 0));
}
