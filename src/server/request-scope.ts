import type { Context } from 'hono';
import { AppError } from '../errors.ts';
import { AGENT_NAME_RULE, CHANNEL_ID_RULE, isAgentName, isChannelId } from '../sessions/names.ts';
import type { HttpEnv } from './http-env.ts';

/** Workspace header (either spelling), else the body's value (tools/call), else undefined (= default). */
export function workspaceFrom(c: Context<HttpEnv>, bodyValue?: string): string | undefined {
  return c.req.header('x-leanctx-workspace') ?? c.req.header('x-workspace') ?? bodyValue;
}

/** Body `channelId`, else `x-leanctx-channel`, else `?channelId`; undefined = `main`. */
export function channelFrom(c: Context<HttpEnv>, bodyValue?: string): string | undefined {
  const channel = bodyValue ?? c.req.header('x-leanctx-channel') ?? c.req.query('channelId');
  if (channel !== undefined && !isChannelId(channel)) {
    throw new AppError(
      'invalid_request',
      `channel "${channel.slice(0, 200)}" is not valid: use ${CHANNEL_ID_RULE}`,
    );
  }
  return channel;
}

/** `x-leanctx-agent`: the name the caller goes by on its channel; undefined = the MCP client's name or the token id. */
export function agentFrom(c: Context<HttpEnv>): string | undefined {
  const name = c.req.header('x-leanctx-agent');
  if (name !== undefined && !isAgentName(name)) {
    throw new AppError(
      'invalid_request',
      `x-leanctx-agent "${name.slice(0, 200)}" is not valid: use ${AGENT_NAME_RULE}`,
    );
  }
  return name;
}
