import type { Scope } from '../auth/scopes.ts';
import { AppError } from '../errors.ts';
import type { Caller } from '../pipeline/team-state.ts';

export function requireScope(caller: Caller, scope: Scope, what: string): void {
  if (!caller.scopes.has(scope)) {
    throw new AppError('scope_denied', `token "${caller.tokenId}" needs scope "${scope}" for ${what}`, {
      required: [scope],
    });
  }
}
