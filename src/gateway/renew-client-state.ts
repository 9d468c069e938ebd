import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { EmptyResultSchema, type LoggingLevel } from '@modelcontextprotocol/sdk/types.js';

export interface ClientState {
  logLevel: LoggingLevel | undefined;
  subscriptions: readonly string[];
  timeoutMs: number;
  onError(message: string): void;
}

/** A restarted server has forgotten the log level and subscriptions clients set; renew them. */
export async function renewClientState(client: Client, state: ClientState): Promise<void> {
  const caps = client.getServerCapabilities();
  const opts = { timeout: state.timeoutMs };
  const renew: Promise<unknown>[] = [];
  if (state.logLevel && caps?.logging) {
    renew.push(
      client.request(
        { method: 'logging/setLevel', params: { level: state.logLevel } },
        EmptyResultSchema,
        opts,
      ),
    );
  }
  if (caps?.resources?.subscribe) {
    for (const uri of state.subscriptions) {
      renew.push(client.request({ method: 'resources/subscribe', params: { uri } }, EmptyResultSchema, opts));
    }
  }
  for (const r of await Promise.allSettled(renew)) {
    if (r.status === 'rejected')
      state.onError(r.reason instanceof Error ? r.reason.message : String(r.reason));
  }
}
