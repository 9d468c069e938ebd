import { appendFileSync, closeSync, openSync, readSync, renameSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { defineWorkspaceService } from '../workspace.ts';
import { parseCommand } from './command-policy.ts';
import { COMMAND_RULES } from './output-rules.ts';

/**
 * One ctx_shell run as ctx_discover needs it. Only the command's family and its first two
 * words are kept — never the rest of the line, which may hold a secret.
 */
export interface ShellLogEntry {
  t: string;
  /** The output rule that matches it (`git log`), else the program's name. */
  family: string;
  /** The first two words of the first command (`npm test`). */
  head: string;
  raw: boolean;
  tokensRaw: number;
  tokensSent: number;
  /** For a raw run: what the rules would have sent, measured after the answer went out. */
  tokensCompressed?: number;
}

const MAX_LOG_BYTES = 1024 * 1024;
/** Entries read back: the newest this many bytes. */
const READ_BACK_BYTES = 512 * 1024;

/** The command's family (a rule's name, else its program) and first two words. */
export function familyOf(command: string): { family: string; head: string; hasRule: boolean } {
  const parsed = parseCommand(command);
  const argvs = 'commands' in parsed ? parsed.commands : [];
  const rule = COMMAND_RULES.find((r) => argvs.some((argv) => r.matches(argv)));
  const first = argvs[0] ?? command.trim().split(/\s+/);
  const program = basename(first[0] ?? '');
  const sub = first[1] && !first[1].startsWith('-') ? ` ${first[1]}` : '';
  const head = `${program}${sub}`.slice(0, 80);
  return { family: rule?.name ?? program, head, hasRule: rule !== undefined };
}

/** Reads the last `bytes` of a file as text (whole lines only). */
export function readTail(path: string, bytes: number): string {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return '';
  }
  try {
    const size = statSync(path).size;
    const start = Math.max(0, size - bytes);
    const buf = Buffer.alloc(size - start);
    readSync(fd, buf, 0, buf.length, start);
    const text = buf.toString('utf8');
    return start > 0 ? text.slice(text.indexOf('\n') + 1) : text;
  } finally {
    closeSync(fd);
  }
}

export interface ShellLog {
  record(entry: ShellLogEntry): void;
  entries(): ShellLogEntry[];
}

/** The workspace's ctx_shell log: JSON lines in its data dir, the previous 1 MiB kept as `.1`. */
export const shellLogOf = defineWorkspaceService('ctx_shell log', (ws): ShellLog => {
  const file = () => join(ws.dataDir(), 'shell-log.jsonl');
  return {
    record(entry) {
      const path = file();
      try {
        if ((statSync(path, { throwIfNoEntry: false })?.size ?? 0) > MAX_LOG_BYTES)
          renameSync(path, `${path}.1`);
        appendFileSync(path, `${JSON.stringify(entry)}\n`, { mode: 0o600 });
      } catch {
        // the log serves ctx_discover only: a full disk must not fail the command
      }
    },
    entries() {
      const out: ShellLogEntry[] = [];
      for (const line of readTail(file(), READ_BACK_BYTES).split('\n')) {
        if (!line) continue;
        try {
          out.push(JSON.parse(line) as ShellLogEntry);
        } catch {
          // a line cut by a crash
        }
      }
      return out;
    },
  };
});
