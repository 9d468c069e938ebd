import { availableParallelism } from 'node:os';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { AppError, ToolError } from '../../errors.ts';

export interface WorkerPoolOptions {
  /** The worker's entry module (a `.ts` entry gets tsx registered inside the worker first). */
  entry: URL;
  /** Threads; default: one per core but one, at least 2, at most 8. */
  size?: number;
  /** Tasks waiting for a thread; past it `run` refuses with `overloaded`. */
  maxQueue?: number;
  /** A task running longer is stopped (its thread replaced) and rejects with WorkerDeadlineError. */
  deadlineMs?: number;
}

export interface RunOptions {
  /** Aborting drops a queued task, or stops a running one by replacing its thread. */
  signal?: AbortSignal | undefined;
  deadlineMs?: number | undefined;
}

export interface WorkerPool {
  run<T>(kind: string, input: unknown, opts?: RunOptions): Promise<T>;
  stats(): { size: number; busy: number; queued: number; replaced: number; dispatched: number };
  close(): Promise<void>;
}

/** A task ran past its deadline; its thread was terminated and replaced. */
export class WorkerDeadlineError extends Error {
  constructor(kind: string, ms: number) {
    super(`${kind} took longer than ${ms} ms and was stopped`);
    this.name = 'WorkerDeadlineError';
  }
}

/** What a worker entry answers for one task. */
export type TaskReply =
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; name: string; message: string };

interface Task {
  kind: string;
  input: unknown;
  deadlineMs: number;
  signal: AbortSignal | undefined;
  resolve(value: unknown): void;
  reject(err: unknown): void;
  onAbort?: () => void;
}

interface Slot {
  /** Started on first use and after a crash, so a broken entry fails tasks, not a hot loop. */
  worker: Worker | undefined;
  task: Task | undefined;
  taskId: number;
  timer: NodeJS.Timeout | undefined;
}

const DEFAULT_MAX_QUEUE = 512;
const DEFAULT_DEADLINE_MS = 30_000;

export const defaultPoolSize = (): number => Math.max(2, Math.min(8, availableParallelism() - 1));

/**
 * The same entry file runs from src/*.ts under tsx and from a compiled dist/*.js: Node 20
 * does not pass the parent's loader hooks to a worker, so a `.ts` entry registers tsx itself.
 */
function spawn(entry: URL): Worker {
  if (extname(fileURLToPath(entry)) !== '.ts') return new Worker(entry);
  // resolved here: an eval'd worker resolves bare names from the process's cwd, not from this package
  const tsx = import.meta.resolve('tsx/esm/api');
  const boot = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry.href)}); })`;
  return new Worker(boot, { eval: true });
}

/**
 * A small pool of worker threads for CPU-heavy engine work (parsing, tokenizing, indexing,
 * matching large texts), so no request stalls the event loop. Every task has a deadline
 * and follows its call's AbortSignal: a queued task is dropped, a running one stops with
 * its thread, which is replaced. Idle threads do not keep the process alive.
 */
export function createWorkerPool(opts: WorkerPoolOptions): WorkerPool {
  const size = opts.size ?? defaultPoolSize();
  const maxQueue = opts.maxQueue ?? DEFAULT_MAX_QUEUE;
  const defaultDeadline = opts.deadlineMs ?? DEFAULT_DEADLINE_MS;
  const slots: Slot[] = [];
  const queue: Task[] = [];
  let nextId = 1;
  let replaced = 0;
  let dispatched = 0;
  let closed = false;

  function settle(slot: Slot, fn: (task: Task) => void): void {
    const task = slot.task;
    if (!task) return;
    slot.task = undefined;
    clearTimeout(slot.timer);
    if (task.onAbort) task.signal?.removeEventListener('abort', task.onAbort);
    slot.worker?.unref();
    fn(task);
    pump();
  }

  function workerOf(slot: Slot): Worker {
    if (slot.worker) return slot.worker;
    const worker = spawn(opts.entry);
    slot.worker = worker;
    worker.on('message', (reply: TaskReply) => {
      if (slot.worker !== worker || reply.id !== slot.taskId) return;
      settle(slot, (task) => {
        if (reply.ok) task.resolve(reply.value);
        else
          task.reject(reply.name === 'ToolError' ? new ToolError(reply.message) : new Error(reply.message));
      });
    });
    worker.on('error', (err) => {
      if (slot.worker === worker) settle(slot, (task) => task.reject(err));
    });
    worker.on('exit', () => {
      if (slot.worker !== worker) return;
      // an exit nobody asked for (a crash, an out-of-memory kill): the task fails, the next starts afresh
      slot.worker = undefined;
      settle(slot, (task) => task.reject(new Error(`the worker running ${task.kind} exited`)));
    });
    return worker;
  }

  /** Stops a running task the only way synchronous work stops: with its thread. */
  function replace(slot: Slot, reason: unknown): void {
    const worker = slot.worker;
    slot.worker = undefined;
    replaced++;
    void worker?.terminate();
    // the replacement starts loading now, so the next task does not wait for it
    if (!closed) workerOf(slot).unref();
    settle(slot, (task) => task.reject(reason));
  }

  function dispatch(slot: Slot, task: Task): void {
    const worker = workerOf(slot);
    slot.task = task;
    slot.taskId = nextId++;
    dispatched++;
    worker.ref();
    slot.timer = setTimeout(
      () => replace(slot, new WorkerDeadlineError(task.kind, task.deadlineMs)),
      task.deadlineMs,
    );
    slot.timer.unref();
    if (task.signal) {
      task.onAbort = () => replace(slot, task.signal?.reason);
      task.signal.addEventListener('abort', task.onAbort, { once: true });
    }
    worker.postMessage({ id: slot.taskId, kind: task.kind, input: task.input });
  }

  function pump(): void {
    for (const slot of slots) {
      if (queue.length === 0) return;
      if (slot.task) continue;
      const task = queue.shift() as Task;
      if (task.onAbort) task.signal?.removeEventListener('abort', task.onAbort);
      task.onAbort = undefined;
      dispatch(slot, task);
    }
  }

  for (let i = 0; i < size; i++)
    slots.push({ worker: undefined, task: undefined, taskId: 0, timer: undefined });

  return {
    run<T>(kind: string, input: unknown, runOpts: RunOptions = {}): Promise<T> {
      if (closed) return Promise.reject(new Error('the worker pool is closed'));
      runOpts.signal?.throwIfAborted();
      if (queue.length >= maxQueue) {
        return Promise.reject(
          new AppError('overloaded', `the engine's worker queue is full (${maxQueue} tasks); retry shortly`, {
            retryAfter: 1,
          }),
        );
      }
      return new Promise<T>((resolve, reject) => {
        const task: Task = {
          kind,
          input,
          deadlineMs: runOpts.deadlineMs ?? defaultDeadline,
          signal: runOpts.signal,
          resolve: resolve as (value: unknown) => void,
          reject,
        };
        const free = slots.find((s) => !s.task);
        if (free) return dispatch(free, task);
        if (task.signal) {
          task.onAbort = () => {
            const at = queue.indexOf(task);
            if (at !== -1) queue.splice(at, 1);
            reject(task.signal?.reason);
          };
          task.signal.addEventListener('abort', task.onAbort, { once: true });
        }
        queue.push(task);
      });
    },
    stats: () => ({
      size: slots.length,
      busy: slots.filter((s) => s.task).length,
      queued: queue.length,
      replaced,
      dispatched,
    }),
    async close() {
      closed = true;
      const stopping = new Error('the worker pool closed');
      for (const task of queue.splice(0)) task.reject(stopping);
      const workers = slots.flatMap((s) => (s.worker ? [s.worker] : []));
      for (const slot of slots) {
        slot.worker = undefined;
        settle(slot, (task) => task.reject(stopping));
      }
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}
