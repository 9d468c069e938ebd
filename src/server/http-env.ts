import type { ServerResponse } from 'node:http';
import type { Caller } from '../pipeline/team-state.ts';

/** Per-request values the middleware sets for the routes. */
export interface HttpEnv {
  /** Set when served by listen.ts (@hono/node-server); absent for in-process `app.fetch`. */
  Bindings: { outgoing?: ServerResponse } | undefined;
  Variables: {
    requestId: string;
    caller: Caller;
  };
}
