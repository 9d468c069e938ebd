/**
 * Channel ids and agent names come from headers and MCP clientInfo. They end up as SQLite
 * keys and in `session list` lines, so both are short and printable, never a line break.
 */

const CHANNEL_ID = /^[A-Za-z0-9][A-Za-z0-9._/:@+-]{0,127}$/;
const AGENT_NAME = /^[A-Za-z0-9][A-Za-z0-9 ._/:@+-]{0,63}$/;

export const CHANNEL_ID_RULE = '1-128 letters, digits or . _ / : @ + -, starting with a letter or digit';
export const AGENT_NAME_RULE =
  '1-64 letters, digits, spaces or . _ / : @ + -, starting with a letter or digit';

export const isChannelId = (id: string): boolean => CHANNEL_ID.test(id);
export const isAgentName = (name: string): boolean => AGENT_NAME.test(name);

/**
 * An MCP client's clientInfo.name as an agent name: characters outside the rule become "-",
 * cut to 64; undefined when nothing is left. Clients do not choose to break our rule, so
 * their name is mended rather than refused.
 */
export function agentNameFromClient(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  const mended = raw
    .trim()
    .replace(/[^A-Za-z0-9 ._/:@+-]/g, '-')
    .replace(/^[^A-Za-z0-9]+/, '')
    .slice(0, 64)
    .trim();
  return mended === '' ? undefined : mended;
}
