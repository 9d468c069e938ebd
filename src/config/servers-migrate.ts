/**
 * Server entries as other MCP clients write them, read into servers.json's shape so a user
 * can point lazy-mcp at the file they already have: Claude Desktop's and Cursor's
 * `mcpServers` map, VS Code's `servers` map, and their `disabled`, `autoApprove`/`alwaysAllow`
 * and `type` keys. What is not kept is said in a warning, never silently.
 */

/** One server entry before validation, and where it sits in the file (for messages). */
export interface ServerEntry {
  readonly raw: unknown;
  readonly where: string;
}

const FOREIGN_TYPES: Record<string, 'local' | 'remote'> = {
  stdio: 'local',
  sse: 'remote',
  http: 'remote',
  'streamable-http': 'remote',
  streamableHttp: 'remote',
};

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Every server entry of the file: `servers` (a list or a map) then `mcpServers` (a map). */
export function serverEntries(
  servers: unknown,
  mcpServers: unknown,
  problems: string[],
  warnings: string[],
): ServerEntry[] {
  const entries: ServerEntry[] = [];
  const untitled: string[] = [];
  const addMap = (map: Record<string, unknown>, block: string) => {
    for (const [name, value] of Object.entries(map)) {
      const where = `${block}.${name}`;
      if (!isRecord(value)) {
        problems.push(`${where}: must be an object with a command or a url`);
        continue;
      }
      if (value.description === undefined) untitled.push(name);
      entries.push({ raw: { name, description: name, ...value }, where });
    }
  };
  if (Array.isArray(servers)) {
    for (const [i, raw] of servers.entries()) entries.push({ raw, where: `servers[${i}]` });
  } else if (isRecord(servers)) addMap(servers, 'servers');
  else if (servers !== undefined)
    problems.push('servers: must be a list of server objects (or a map of them by name)');
  if (isRecord(mcpServers)) addMap(mcpServers, 'mcpServers');
  else if (mcpServers !== undefined) problems.push('mcpServers: must be a map of server objects by name');
  if (servers === undefined && mcpServers === undefined) {
    problems.push('servers is required: a list of server objects (an "mcpServers" map is read too)');
  }
  if (untitled.length > 0) {
    warnings.push(
      `no "description" for ${untitled.map((n) => `"${n}"`).join(', ')}: list_servers shows the name instead; add one so agents know what each server is for`,
    );
  }
  return entries.map((entry) => ({ ...entry, raw: fromForeignKeys(entry, problems, warnings) }));
}

/** `disabled`, `autoApprove`/`alwaysAllow` and a foreign `type` as lazy-mcp reads them. */
function fromForeignKeys(entry: ServerEntry, problems: string[], warnings: string[]): unknown {
  if (!isRecord(entry.raw)) return entry.raw;
  const { disabled, autoApprove, alwaysAllow, ...rest } = entry.raw;
  if (disabled !== undefined) {
    if (typeof disabled !== 'boolean') problems.push(`${entry.where}.disabled: must be true or false`);
    else if (rest.enabled === undefined) rest.enabled = !disabled;
    warnings.push(`${entry.where}.disabled: read as "enabled": ${String(rest.enabled)}`);
  }
  for (const [key, value] of [
    ['autoApprove', autoApprove],
    ['alwaysAllow', alwaysAllow],
  ] as const) {
    if (value === undefined) continue;
    warnings.push(
      `${entry.where}.${key}: ignored; lazy-mcp asks for no approvals, every command is allowed unless "permissions" deny it`,
    );
  }
  const type = rest.type;
  if (typeof type === 'string' && FOREIGN_TYPES[type]) {
    rest.type = FOREIGN_TYPES[type];
    warnings.push(`${entry.where}.type: "${type}" read as "${rest.type}"`);
  }
  return rest;
}
