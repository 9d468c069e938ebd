import type { Logger } from '../logger.ts';
import type { NewEvent, Store } from '../store/types.ts';

/** Who is on which channel: `agent_joined` on an agent's first call there, `agent_left` when it goes. */
export interface AgentPresence {
  /** Notes a call; the agent's first on the channel (or its first after it left) announces it. Never throws. */
  arrive(workspaceId: string, channelId: string, name: string, tokenId: string): Promise<void>;
  /** Forgets an agent that finished, so its next call joins again. */
  forget(workspaceId: string, channelId: string, name: string): void;
  /** Agents idle for `idleMs` leave, each announced once (over all processes). */
  sweep(): Promise<void>;
  close(): void;
}

export interface AgentPresenceOptions {
  store: Store;
  publish(event: NewEvent): Promise<unknown>;
  now(): number;
  logger: Logger;
  /** An agent with no call for this long has left. */
  idleMs?: number;
}

/** An agent with no call for this long leaves the channel (README: Shared sessions). */
export const AGENT_IDLE_MS = 30 * 60 * 1000;
/** A known agent's activity is written at most this often: not one database write per call. */
const TOUCH_EVERY_MS = 30_000;
const SWEEP_EVERY_MS = 60_000;
const MAX_KNOWN = 10_000;

const keyOf = (ws: string, ch: string, name: string) => `${ws}\u0000${ch}\u0000${name}`;

export function createAgentPresence(opts: AgentPresenceOptions): AgentPresence {
  const idleMs = opts.idleMs ?? AGENT_IDLE_MS;
  /** key → when its activity was last written. */
  const known = new Map<string, number>();
  const announce = (event: NewEvent) =>
    opts
      .publish(event)
      .catch((err: unknown) => opts.logger.error('event append failed', { error: String(err) }));

  const presence: AgentPresence = {
    async arrive(workspaceId, channelId, name, tokenId) {
      const key = keyOf(workspaceId, channelId, name);
      const now = opts.now();
      const last = known.get(key);
      if (last !== undefined && now - last < TOUCH_EVERY_MS) return;
      known.delete(key);
      known.set(key, now);
      if (known.size > MAX_KNOWN) known.delete(known.keys().next().value as string);
      try {
        const ts = new Date(now).toISOString();
        const { joined } = await opts.store.agents.arrive({ workspaceId, channelId, name, tokenId, ts });
        if (joined) {
          void announce({
            workspaceId,
            channelId,
            kind: 'agent_joined',
            actor: tokenId,
            payload: { agent: name },
          });
        }
      } catch (err) {
        known.delete(key);
        opts.logger.error('recording an agent arrival failed', { error: String(err) });
      }
    },
    forget(workspaceId, channelId, name) {
      known.delete(keyOf(workspaceId, channelId, name));
    },
    async sweep() {
      const cutoff = new Date(opts.now() - idleMs).toISOString();
      for (const agent of await opts.store.agents.expire(cutoff)) {
        known.delete(keyOf(agent.workspaceId, agent.channelId, agent.name));
        void announce({
          workspaceId: agent.workspaceId,
          channelId: agent.channelId,
          kind: 'agent_left',
          actor: agent.tokenId,
          payload: { agent: agent.name, reason: 'idle' },
        });
      }
    },
    close() {
      clearInterval(timer);
    },
  };
  const timer = setInterval(() => {
    presence.sweep().catch((err: unknown) => opts.logger.error('agent sweep failed', { error: String(err) }));
  }, SWEEP_EVERY_MS);
  timer.unref();
  return presence;
}
