import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { EngineTasks } from './engine-tasks.ts';
import { createWorkerPool, type RunOptions, type WorkerPool } from './worker-pool.ts';

// Resolves to engine-worker.ts under tsx and engine-worker.js in a build.
const ENTRY = new URL(`./engine-worker${extname(fileURLToPath(import.meta.url))}`, import.meta.url);

/**
 * One pool per process: its size follows the machine's cores, which every workspace and
 * server in the process share. Threads start on first use and never keep the process alive.
 */
let pool: WorkerPool | undefined;

export function enginePool(): WorkerPool {
  pool ??= createWorkerPool({ entry: ENTRY });
  return pool;
}

/** Runs one engine task on a worker thread, typed by its name. */
export function runEngineTask<K extends keyof EngineTasks & string>(
  kind: K,
  input: Parameters<EngineTasks[K]>[0],
  opts?: RunOptions,
): Promise<Awaited<ReturnType<EngineTasks[K]>>> {
  return enginePool().run(kind, input, opts);
}

/** Starts every thread and loads its modules (seconds under tsx), so the first task does not wait. */
export async function warmEnginePool(): Promise<void> {
  const p = enginePool();
  await Promise.all(Array.from({ length: p.stats().size }, () => p.run('warm', undefined))).catch(() => {
    // a thread that cannot start fails its tasks later, with the reason
  });
}

export async function closeEnginePool(): Promise<void> {
  const closing = pool;
  pool = undefined;
  await closing?.close();
}
