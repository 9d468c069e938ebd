import type { Context } from 'hono';
import type { HttpEnv } from './http-env.ts';

/** Workspace header (either spelling), else the body's value (tools/call), else undefined (= default). */
export function workspaceFrom(c: Context<HttpEnv>, bodyValue?: string): string | undefined {
  return c.req.header('x-leanctx-workspace') ?? c.req.header('x-workspace') ?? bodyValue;
}

export function channelFrom(c: Context<HttpEnv>, bodyValue?: string): string | undefined {
  return bodyValue ?? c.req.header('x-leanctx-channel') ?? c.req.query('channelId');
}
