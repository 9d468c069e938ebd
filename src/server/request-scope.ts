import type { Context } from 'hono';
import { AppError } from '../errors.ts';
import type { HttpEnv } from './http-env.ts';

const MAX_CHANNEL_CHARS = 128;

/** Workspace header (either spelling), else the body's value (tools/call), else undefined (= default). */
export function workspaceFrom(c: Context<HttpEnv>, bodyValue?: string): string | undefined {
  return c.req.header('x-leanctx-workspace') ?? c.req.header('x-workspace') ?? bodyValue;
}

/** Channel from the body, the header or the query; a channel is a name, never arbitrary data. */
export function channelFrom(c: Context<HttpEnv>, bodyValue?: string): string | undefined {
  const channel = bodyValue ?? c.req.header('x-leanctx-channel') ?? c.req.query('channelId');
  if (channel !== undefined && !(channel.length <= MAX_CHANNEL_CHARS && /^\P{Cc}+$/u.test(channel))) {
    throw new AppError(
      'invalid_request',
      `channel must be 1-${MAX_CHANNEL_CHARS} printable characters (x-leanctx-channel, channelId)`,
    );
  }
  return channel;
}
