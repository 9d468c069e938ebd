import type { Progress, ProgressToken, ServerNotification } from '@modelcontextprotocol/sdk/types.js';

export interface ProgressRelay {
  /** Undefined when the client sent no progress token (nothing to relay to). */
  onProgress: ((progress: Progress) => void) | undefined;
  /** Resolves once every relayed notification is out; await it before answering. */
  flush(): Promise<void>;
}

/**
 * Passes downstream progress to the client under the client's own token, in order and before
 * the result (a client drops progress that arrives after its request was answered).
 */
export function relayProgress(
  token: ProgressToken | undefined,
  send: (notification: ServerNotification) => Promise<void>,
): ProgressRelay {
  if (token === undefined) return { onProgress: undefined, flush: async () => {} };
  let relayed: Promise<unknown> | undefined;
  return {
    onProgress: (p) => {
      relayed = (relayed ?? Promise.resolve()).then(() =>
        send({ method: 'notifications/progress', params: { ...p, progressToken: token } }).catch(() => {}),
      );
    },
    async flush() {
      if (!relayed) return;
      await relayed;
      // The SDK client handles a notification a microtask later than a response that arrives
      // in the same tick, and would drop the last progress; give it that tick.
      await new Promise((resolve) => setImmediate(resolve));
    },
  };
}
