import { z } from 'zod';
import type { Scope } from '../../auth/scopes.ts';
import { SESSION_LIMITS } from '../../sessions/limits.ts';
import { AGENT_NAME_RULE, isAgentName } from '../../sessions/names.ts';

/** A task, finding, message …: at most SESSION_LIMITS.valueChars. */
export const valueArg = z.string().min(1).max(SESSION_LIMITS.valueChars);
export const idArg = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._/:@+-]{0,127}$/, 'use 1-128 letters, digits or . _ / : @ + -');
export const agentArg = z.string().refine(isAgentName, AGENT_NAME_RULE);

/**
 * Per-call scopes of a tool whose listed actions only read: those need `search`, every
 * other action `sessionMutations` (HTTP.md).
 */
export function scopesByAction<A extends string>(reads: readonly A[]) {
  const set = new Set<string>(reads);
  return {
    readOnly: (args: { action: A }) => set.has(args.action),
    scopesFor: (args: { action: A }): readonly Scope[] =>
      set.has(args.action) ? ['search'] : ['sessionMutations'],
  };
}

/**
 * Arguments an action cannot do without, checked with the schema so a missing one is a
 * 400 invalid_arguments naming the field: `{ task: ['value'] }`.
 */
export function requireFor<A extends string>(rules: Partial<Record<A, readonly string[]>>) {
  return (args: { action: A } & Record<string, unknown>, ctx: z.RefinementCtx) => {
    for (const field of rules[args.action] ?? []) {
      if (args[field] === undefined || args[field] === '') {
        ctx.addIssue({ code: 'custom', path: [field], message: `required for action "${args.action}"` });
      }
    }
  };
}
