import type { Caller } from '../pipeline/team-state.ts';

/** Per-request values the middleware sets for the routes. */
export interface HttpEnv {
  Variables: {
    requestId: string;
    caller: Caller;
  };
}
