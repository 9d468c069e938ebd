import {
  closeSync,
  existsSync,
  fstatSync,
  ftruncateSync,
  openSync,
  readSync,
  renameSync,
  writeSync,
} from 'node:fs';

export interface AuditEntry {
  ts: string;
  requestId: string;
  tokenId: string | null;
  workspaceId: string | null;
  channelId: string | null;
  tool: string | null;
  method: string;
  allowed: boolean;
  deniedReason: string | null;
  argumentsMd5: string | null;
  status: number;
  durationMs: number;
  /** A command the call ran (ctx_shell): its exit code, null when a signal or timeout ended it. */
  exitCode?: number | null;
}

export interface AuditLog {
  readonly path: string | undefined;
  write(entry: AuditEntry): void;
  close(): void;
}

const KEEP_ROTATED = 5;

/** The audit file and its rotated predecessors: every file that may hold audit lines. */
export function auditLogFiles(path: string): string[] {
  return [path, ...Array.from({ length: KEEP_ROTATED }, (_, i) => `${path}.${i + 1}`)];
}

/** Drops a partial last line (a crash mid-write on some file systems) so every line parses. */
function repairTail(fd: number): void {
  const size = fstatSync(fd).size;
  if (size === 0) return;
  const chunk = Buffer.alloc(Math.min(size, 64 * 1024));
  readSync(fd, chunk, 0, chunk.length, size - chunk.length);
  if (chunk[chunk.length - 1] === 0x0a) return;
  const lastNewline = chunk.lastIndexOf(0x0a);
  ftruncateSync(fd, lastNewline < 0 ? size - chunk.length : size - chunk.length + lastNewline + 1);
}

/**
 * The JSON Lines audit file. Each entry is one `write(2)` of a whole line on an O_APPEND
 * descriptor, so a killed process leaves only whole lines. Raw arguments never get here.
 */
export function createAuditLog(path: string | undefined, maxBytes = 0): AuditLog {
  if (!path) return { path: undefined, write() {}, close() {} };
  let fd = openSync(path, 'a+', 0o600);
  repairTail(fd);
  let size = fstatSync(fd).size;

  const rotate = () => {
    closeSync(fd);
    for (let i = KEEP_ROTATED - 1; i >= 1; i--) {
      if (existsSync(`${path}.${i}`)) renameSync(`${path}.${i}`, `${path}.${i + 1}`);
    }
    renameSync(path, `${path}.1`);
    fd = openSync(path, 'a+', 0o600);
    size = 0;
  };

  return {
    path,
    write(entry) {
      const line = Buffer.from(`${JSON.stringify(entry)}\n`, 'utf8');
      if (maxBytes > 0 && size > 0 && size + line.length > maxBytes) rotate();
      writeSync(fd, line, 0, line.length);
      size += line.length;
    },
    close() {
      try {
        closeSync(fd);
      } catch {
        // already closed
      }
    },
  };
}
