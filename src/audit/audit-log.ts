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
  /** MD5 of the arguments in the original lean-ctx form (arguments-md5.ts); "" when none. */
  argumentsMd5: string;
  status: number;
  durationMs: number;
  /** A command the call ran (ctx_shell): its exit code, null when a signal or timeout ended it. */
  exitCode?: number | null;
  /** An event stream opened (`method: "events"`): `sse_subscribe` and the id it resumed after, as the original logged it. */
  eventKind?: string;
  eventId?: number;
}

export interface AuditLog {
  readonly path: string | undefined;
  /** Queues the entry's line; the lines of one event-loop turn go out in one `write(2)`. */
  write(entry: AuditEntry): void;
  /** Writes what is queued now (readers of the file call it first). */
  flush(): void;
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
 * The JSON Lines audit file. The lines queued in one event-loop turn are one `write(2)` of
 * whole lines on an O_APPEND descriptor (a write per line cost more than the rest of a
 * small tool call), so a killed process leaves only whole lines and loses at most the lines
 * of the turn it died in; close() writes what is queued. Raw arguments never get here.
 */
export function createAuditLog(
  path: string | undefined,
  maxBytes = 0,
  onError: (err: unknown) => void = () => {},
): AuditLog {
  if (!path) return { path: undefined, write() {}, flush() {}, close() {} };
  let fd = openSync(path, 'a+', 0o600);
  repairTail(fd);
  let size = fstatSync(fd).size;
  let queued: string[] = [];
  let closed = false;

  const rotate = () => {
    closeSync(fd);
    for (let i = KEEP_ROTATED - 1; i >= 1; i--) {
      if (existsSync(`${path}.${i}`)) renameSync(`${path}.${i}`, `${path}.${i + 1}`);
    }
    renameSync(path, `${path}.1`);
    fd = openSync(path, 'a+', 0o600);
    size = 0;
  };
  const writeOut = (text: string) => {
    const bytes = Buffer.from(text, 'utf8');
    writeSync(fd, bytes, 0, bytes.length);
    size += bytes.length;
  };

  const flush = () => {
    if (queued.length === 0 || closed) return;
    const lines = queued;
    queued = [];
    let chunk = '';
    let chunkBytes = 0;
    for (const line of lines) {
      const bytes = Buffer.byteLength(line);
      // each file holds whole lines and stays under maxBytes (unless one line is larger)
      if (maxBytes > 0 && size + chunkBytes > 0 && size + chunkBytes + bytes > maxBytes) {
        if (chunk) writeOut(chunk);
        chunk = '';
        chunkBytes = 0;
        rotate();
      }
      chunk += line;
      chunkBytes += bytes;
    }
    if (chunk) writeOut(chunk);
  };
  const flushSafely = () => {
    try {
      flush();
    } catch (err) {
      // a full disk must not end the server; the next turn's lines try again
      onError(err);
    }
  };

  return {
    path,
    write(entry) {
      if (closed) return;
      queued.push(`${JSON.stringify(entry)}\n`);
      // written before the call's answer leaves: an acknowledged call is never missing from the
      // log, even after a SIGKILL (batching per turn saved a few µs, not worth that)
      flushSafely();
    },
    flush,
    close() {
      flushSafely();
      closed = true;
      try {
        closeSync(fd);
      } catch {
        // already closed
      }
    },
  };
}
