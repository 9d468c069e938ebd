import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { parentPort } from 'node:worker_threads';
import { ENGINE_TASKS } from './engine-tasks.ts';
import type { TaskReply } from './worker-pool.ts';

const WORKER_NICE = 10;

interface TaskMessage {
  id: number;
  kind: keyof typeof ENGINE_TASKS;
  input: never;
}

const port = parentPort;
if (!port) throw new Error('engine-worker runs as a worker thread');

// Linux keeps a nice value per thread: on a busy machine the event loop's thread gets the
// CPU before engine work does, so requests keep flowing while the workers are saturated.
try {
  const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
  if (Number.isInteger(tid) && tid > 0) setPriority(tid, WORKER_NICE);
} catch {
  // not Linux, or not allowed: the threads run at the process's priority
}

port.on('message', async ({ id, kind, input }: TaskMessage) => {
  let reply: TaskReply;
  try {
    const run = ENGINE_TASKS[kind] as (input: unknown) => unknown;
    if (typeof run !== 'function') throw new Error(`unknown engine task "${String(kind)}"`);
    reply = { id, ok: true, value: await run(input) };
  } catch (err) {
    const e = err instanceof Error ? err : new Error(String(err));
    reply = { id, ok: false, name: e.name, message: e.message };
  }
  port.postMessage(reply);
});
