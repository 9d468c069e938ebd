import { readdirSync, readFileSync } from 'node:fs';
import { processCpuMs } from './process-cpu.ts';

function cmdlineOf(pid: string): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return '';
  }
}

/**
 * The processes that serve one bench database and one Redis: PostgreSQL backends connected to
 * `database` (their title is "postgres: USER DATABASE HOST(PORT) STATE") and the redis-server
 * listening on `redisPort`. Shared PostgreSQL processes (WAL writer, checkpointer) are not
 * counted: other users of the server write WAL too. Empty off Linux.
 */
export function storeProcessIds(database: string, redisPort: number): number[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  const pids: number[] = [];
  for (const pid of entries) {
    if (!/^\d+$/.test(pid)) continue;
    const cmd = cmdlineOf(pid);
    if (cmd.startsWith('postgres: ') && cmd.split(' ')[2] === database) pids.push(Number(pid));
    else if (/^\S*redis-server\b/.test(cmd) && cmd.includes(`:${redisPort}`)) pids.push(Number(pid));
  }
  return pids;
}

/** CPU ms so far per pid; a process gone since is simply absent. */
export function cpuByPid(pids: readonly number[]): Map<number, number> {
  const out = new Map<number, number>();
  for (const pid of pids) {
    const ms = processCpuMs(pid);
    if (ms !== undefined) out.set(pid, ms);
  }
  return out;
}

/**
 * CPU ms spent between two readings: pids seen only afterwards (a connection opened during the
 * run) count from zero; pids gone by then lose their share, so this is a lower bound.
 */
export function cpuSpentMs(before: Map<number, number>, after: Map<number, number>): number {
  let total = 0;
  for (const [pid, ms] of after) total += ms - (before.get(pid) ?? 0);
  return total;
}
