// Tokens (o200k) a client pays for the tool surface: lazy-mcp's tools/list with every
// server configured, against the same servers' tools/list read eagerly. `--smoke` is the same
// (it is already quick).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { parseServersConfig } from '../src/config/servers-config.ts';
import { countTokens } from '../src/engine/tokens.ts';
import { createGateway } from '../src/gateway/gateway.ts';
import { createSilentLogger } from '../src/gateway/logger.ts';
import { createGatewayMcpServer } from '../src/gateway/mcp-front.ts';
import { machineInfo, writeResults } from './lib/results.ts';
import { markdownTable } from './lib/table.ts';

const root = join(import.meta.dirname, '..');
const bin = (pkg: string) => join(root, 'node_modules/@modelcontextprotocol', pkg, 'dist/index.js');
const fsRoot = mkdtempSync(join(tmpdir(), 'surface-'));
const servers = [
  {
    name: 'everything',
    description: 'MCP reference server: echo, sums, images, resources, long operations',
    command: ['node', bin('server-everything'), 'stdio'],
  },
  {
    name: 'filesystem',
    description: 'Read, write, search and list files under allowed directories',
    command: ['node', bin('server-filesystem'), fsRoot],
  },
  {
    name: 'memory',
    description: 'A knowledge graph of entities, relations and observations',
    command: ['node', bin('server-memory')],
  },
  {
    name: 'thinking',
    description: 'Step-by-step reflective problem solving',
    command: ['node', bin('server-sequential-thinking')],
  },
  {
    name: 'everything-remote',
    description: 'The reference server again, as a second team service',
    command: ['node', bin('server-everything'), 'stdio'],
  },
];

async function listVia(mode: 'lazy' | 'direct') {
  const config = parseServersConfig({ servers, mode }, { baseDir: fsRoot, env: process.env });
  const gateway = createGateway(config, createSilentLogger());
  const server = createGatewayMcpServer(gateway, createSilentLogger());
  const [a, b] = InMemoryTransport.createLinkedPair();
  await server.connect(a);
  const client = new Client({ name: 'surface', version: '1' });
  await client.connect(b);
  const { tools } = await client.listTools();
  const perServer = new Map<string, number>();
  if (mode === 'direct') {
    for (const s of servers) {
      const own = (gateway.upstream(s.name)?.cachedTools() ?? []) as unknown[];
      perServer.set(s.name, countTokens(JSON.stringify(own)));
    }
  }
  await client.close();
  await gateway.close();
  return { tools, perServer };
}

const lazy = await listVia('lazy');
const eager = await listVia('direct');
const eagerTokens = [...eager.perServer.values()].reduce((a, b) => a + b, 0);
const lazyTokens = countTokens(JSON.stringify(lazy.tools));
const rows = [
  ...[...eager.perServer].map(([name, tokens]) => [`${name} (eager tools/list)`, String(tokens), '']),
  [`eager total (${eager.tools.length} tools)`, String(eagerTokens), ''],
  [
    'lazy-mcp surface (4 meta-tools)',
    String(lazyTokens),
    `${(100 * (1 - lazyTokens / eagerTokens)).toFixed(1)}% fewer`,
  ],
];
const table = markdownTable(
  [{ title: 'surface' }, { title: 'o200k tokens', right: true }, { title: 'reduction', right: true }],
  rows,
);
console.log(table);
const out = writeResults(process.argv.includes('--smoke') ? 'surface-smoke' : 'surface', {
  machine: machineInfo(),
  lazyTokens,
  eagerTokens,
  tools: eager.tools.length,
  rows,
});
console.log(`wrote ${out}`);
process.exit(0);
