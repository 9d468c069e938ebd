/** Inside a bench/servers script: tells the parent it listens (one JSON line on stdout). */
export function announceReady(info: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify({ ready: true, ...info })}\n`);
}

/** Runs `close` once on SIGINT/SIGTERM, then exits 0 (which also flushes --cpu-prof). */
export function closeOnSignal(close: () => Promise<void> | void): void {
  let closing = false;
  const stop = async () => {
    if (closing) return;
    closing = true;
    try {
      await close();
    } finally {
      process.exit(0);
    }
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
