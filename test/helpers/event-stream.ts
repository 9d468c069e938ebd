/** One SSE event of `GET /v1/events`, its data parsed. */
export interface StreamEvent {
  id: number;
  kind: string;
  /** ContextEventV1 (id, timestamp, version, parentId, consistencyLevel …) plus our revision and ts. */
  data: {
    id: number;
    revision: number;
    kind: string;
    actor: string;
    ts: string;
    timestamp: string;
    consistencyLevel: string;
    payload: Record<string, unknown>;
  };
  /** When the test received it. */
  receivedAt: number;
}

export interface EventStream {
  readonly events: readonly StreamEvent[];
  /** Resolves with the first event (already received or to come) that matches. */
  waitFor(match: (e: StreamEvent) => boolean, timeoutMs?: number): Promise<StreamEvent>;
  close(): Promise<void>;
}

/**
 * Subscribes to `GET /v1/events` and collects events in the background until closed.
 * `url` is the server's base URL, `token` a bearer token with the `events` scope.
 */
export async function openEventStream(url: string, token: string, query = ''): Promise<EventStream> {
  const abort = new AbortController();
  const res = await fetch(`${url}/v1/events${query ? `?${query}` : ''}`, {
    headers: { authorization: `Bearer ${token}` },
    signal: abort.signal,
  });
  if (res.status !== 200 || !res.body)
    throw new Error(`GET /v1/events answered ${res.status}: ${await res.text()}`);
  const events: StreamEvent[] = [];
  const waiters = new Set<() => void>();
  const reading = (async () => {
    const decoder = new TextDecoder();
    let buf = '';
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      buf += decoder.decode(chunk, { stream: true });
      for (let cut = buf.indexOf('\n\n'); cut >= 0; cut = buf.indexOf('\n\n')) {
        const fields = new Map<string, string>();
        for (const line of buf.slice(0, cut).split('\n')) {
          const at = line.indexOf(':');
          if (at > 0) fields.set(line.slice(0, at), line.slice(at + 1).trimStart());
        }
        buf = buf.slice(cut + 2);
        const data = fields.get('data');
        if (data === undefined) continue;
        events.push({
          id: Number(fields.get('id')),
          kind: fields.get('event') ?? '',
          data: JSON.parse(data) as StreamEvent['data'],
          receivedAt: Date.now(),
        });
        for (const wake of waiters) wake();
      }
    }
  })().catch(() => undefined);
  return {
    events,
    waitFor(match, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const hit = events.find(match);
          if (!hit) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(hit);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(
            new Error(
              `no matching event within ${timeoutMs} ms; got ${events.map((e) => e.kind).join(', ')}`,
            ),
          );
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    async close() {
      abort.abort();
      await reading;
    },
  };
}
