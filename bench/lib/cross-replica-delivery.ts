import { LatencyRecorder } from './stats.ts';

export interface DeliveryResult {
  /** Writes answered 200 with a session revision. */
  acknowledged: number;
  /** Writes that got no good answer (not counted as lost: they may or may not have applied). */
  failedWrites: number;
  /** Acknowledged writes whose event had not reached the subscriber 15 s after the last write. */
  missing: number;
  /** Frames that came with an event id not one above the previous one (a gap or a reorder). */
  outOfOrder: number;
  duplicates: number;
  /** The server ended the stream before the bench closed it (a stream that fell behind is dropped). */
  streamEndedEarly: boolean;
  /** The highest event id the subscriber saw. */
  lastEventId: number;
  /** Of the frames still missing 15 s after the last write, how many one more write brought. */
  arrivedAfterNudge: number;
  /**
   * From the write's answer at the client to its frame at the subscriber, ms (0 when the frame
   * came first: the answer waits for the event's commit, which already announces it).
   */
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** From sending the write to its frame at the subscriber (the write's own round trip included), ms. */
  fromSendP50Ms: number;
  fromSendP99Ms: number;
  writesPerSec: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * An SSE subscriber on `subscribeUrl` and writers on `writeUrls` (other replicas), each sending
 * `ctx_session` findings on one fresh channel at its share of `ratePerSec` for `durationSec`
 * (open loop: a slow answer does not slow the schedule). Measures, per acknowledged write, the
 * time from its answer to its `session_mutated` frame at the subscriber, and checks that the
 * channel's event ids arrive one by one with no gap.
 */
export async function measureCrossReplicaDelivery(opts: {
  subscribeUrl: string;
  writeUrls: readonly string[];
  token: string;
  ratePerSec: number;
  durationSec: number;
}): Promise<DeliveryResult> {
  const channel = `bench-delivery-${Date.now().toString(36)}`;
  const auth = { authorization: `Bearer ${opts.token}` };
  // the first session writes of a process load what they stand on (seconds on a busy machine):
  // not what a delivery delay is about
  for (const url of opts.writeUrls) {
    for (let i = 0; i < 5; i++) await sessionWrite(url, auth, `${channel}-warm-up`, `warm-up ${i}`);
  }
  const controller = new AbortController();
  const res = await fetch(`${opts.subscribeUrl}/v1/events?channelId=${channel}`, {
    headers: { ...auth, 'x-leanctx-agent': 'bench-subscriber' },
    signal: controller.signal,
  });
  if (res.status !== 200 || !res.body) {
    throw new Error(`the SSE subscription answered ${res.status}: ${await res.text()}`);
  }
  /** session revision → when its frame arrived. */
  const arrived = new Map<number, number>();
  let lastEventId = 0;
  let outOfOrder = 0;
  let duplicates = 0;
  let streamEndedEarly = false;
  const reading = (async () => {
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let buf = '';
    for (;;) {
      const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true as const }));
      if (done) {
        streamEndedEarly = !controller.signal.aborted;
        return;
      }
      const now = performance.now();
      buf += decoder.decode(value, { stream: true });
      for (let cut = buf.indexOf('\n\n'); cut >= 0; cut = buf.indexOf('\n\n')) {
        const frame = buf.slice(0, cut);
        buf = buf.slice(cut + 2);
        const id = /^id: ?(\d+)$/m.exec(frame)?.[1];
        if (id !== undefined) {
          const n = Number(id);
          if (lastEventId !== 0 && n !== lastEventId + 1) outOfOrder++;
          lastEventId = Math.max(lastEventId, n);
        }
        const revision = /"sessionRevision":(\d+)/.exec(frame)?.[1];
        if (revision === undefined) continue;
        const r = Number(revision);
        if (arrived.has(r)) duplicates++;
        else arrived.set(r, now);
      }
    }
  })();
  // the subscription is registered once the headers are out; give the replica a moment
  await sleep(200);

  const acked = new Map<number, number>();
  const sentAt = new Map<number, number>();
  let failedWrites = 0;
  const write = async (url: string, n: number) => {
    try {
      const sent = performance.now();
      const { revision, at } = await sessionWrite(url, auth, channel, `finding ${n} through ${url}`);
      acked.set(revision, at);
      sentAt.set(revision, sent);
    } catch (err) {
      failedWrites++;
      if (failedWrites === 1) console.error(`a write failed: ${String(err)}`);
    }
  };
  const started = performance.now();
  const every = 1000 / opts.ratePerSec;
  const total = Math.max(1, Math.round(opts.ratePerSec * opts.durationSec));
  const pending: Promise<void>[] = [];
  for (let n = 0; n < total; n++) {
    await sleep(Math.max(0, started + n * every - performance.now()));
    pending.push(write(opts.writeUrls[n % opts.writeUrls.length] as string, n));
  }
  await Promise.all(pending);
  const seconds = (performance.now() - started) / 1000;
  // a frame later than this is counted missing: lost, as far as an agent can tell
  const waitUntil = performance.now() + 15_000;
  const stillMissing = () => [...acked.keys()].filter((r) => !arrived.has(r)).length;
  while (performance.now() < waitUntil && stillMissing() > 0) await sleep(20);
  // Are they lost, or waiting for a next event to reveal the gap? One more write tells.
  const missingBeforeNudge = stillMissing();
  if (missingBeforeNudge > 0) {
    await sessionWrite(opts.writeUrls[0] as string, auth, channel, 'nudge').catch(() => undefined);
    const nudgeUntil = performance.now() + 5000;
    while (performance.now() < nudgeUntil && stillMissing() > 0) await sleep(20);
  }
  controller.abort();
  await reading;

  const latency = new LatencyRecorder();
  const fromSend = new LatencyRecorder();
  let missing = 0;
  let maxMs = 0;
  for (const [revision, at] of acked) {
    const got = arrived.get(revision);
    if (got === undefined) {
      missing++;
      continue;
    }
    // a frame may beat the answer to the client: that is a delay of 0, not a negative one
    const ms = Math.max(0, got - at);
    latency.record(ms);
    fromSend.record(got - (sentAt.get(revision) ?? at));
    maxMs = Math.max(maxMs, ms);
  }
  return {
    acknowledged: acked.size,
    failedWrites,
    outOfOrder,
    duplicates,
    streamEndedEarly,
    lastEventId,
    arrivedAfterNudge: missingBeforeNudge - missing,
    missing: missingBeforeNudge,
    ...latency.summary(),
    maxMs,
    fromSendP50Ms: fromSend.summary().p50Ms,
    fromSendP99Ms: fromSend.summary().p99Ms,
    writesPerSec: acked.size / seconds,
  };
}

/** One `ctx_session` finding; resolves with its session revision and when the answer came. */
async function sessionWrite(
  url: string,
  auth: Record<string, string>,
  channel: string,
  text: string,
): Promise<{ revision: number; at: number }> {
  const answer = await fetch(`${url}/v1/tools/call`, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json', 'x-leanctx-agent': 'bench-writer' },
    body: JSON.stringify({
      name: 'ctx_session',
      arguments: { action: 'finding', value: text },
      channelId: channel,
    }),
  });
  const at = performance.now();
  const body = (await answer.json()) as { result?: { content: { text?: string }[] } };
  const revision = /\(rev (\d+)\)/.exec(body.result?.content[0]?.text ?? '')?.[1];
  if (answer.status !== 200 || revision === undefined) {
    throw new Error(
      `a finding through ${url} answered ${answer.status}: ${JSON.stringify(body).slice(0, 300)}`,
    );
  }
  return { revision: Number(revision), at };
}
