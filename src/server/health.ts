/** `GET /health`: plain text, as the original lean-ctx answered and its SDKs read it. */
export const HEALTH_BODY = 'ok\n';
export const HEALTH_CONTENT_TYPE = 'text/plain; charset=utf-8';

/** What `/healthz` says of one dependency (PostgreSQL, Redis). */
export interface DependencyHealth {
  ok: boolean;
  latencyMs: number;
  /** What failed and how to mend it, when not ok. */
  error?: string;
}

/** Named round trips to the services the server stands on; each throws when its service fails. */
export type DependencyChecks = Readonly<Record<string, () => Promise<void>>>;

/** A health check waits at most this long for one dependency. */
export const HEALTH_CHECK_TIMEOUT_MS = 2000;

/** Runs every check at once, each bounded by `timeoutMs`; never throws. */
export async function checkDependencies(
  checks: DependencyChecks,
  timeoutMs = HEALTH_CHECK_TIMEOUT_MS,
): Promise<Record<string, DependencyHealth>> {
  const entries = await Promise.all(
    Object.entries(checks).map(async ([name, check]): Promise<[string, DependencyHealth]> => {
      const started = performance.now();
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`${name} did not answer within ${timeoutMs} ms`)),
          timeoutMs,
        );
        timer.unref();
      });
      try {
        await Promise.race([check(), late]);
        return [name, { ok: true, latencyMs: Math.round(performance.now() - started) }];
      } catch (err) {
        const error = err instanceof Error ? err.message : String(err);
        return [name, { ok: false, latencyMs: Math.round(performance.now() - started), error }];
      } finally {
        clearTimeout(timer);
      }
    }),
  );
  return Object.fromEntries(entries);
}
