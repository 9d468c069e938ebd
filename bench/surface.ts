// Tokens (o200k) a client pays for the tool surface: lazy-mcp's tools/list with six distinct
// real npm MCP servers configured, against the same servers' own tools/list read eagerly.
// `--smoke` is the same run (it is already quick).
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
const modules = join(root, 'node_modules');
const reference = (pkg: string) => join(modules, '@modelcontextprotocol', pkg, 'dist/index.js');
const fsRoot = mkdtempSync(join(tmpdir(), 'surface-'));
// Six different packages; none needs the network or a browser to answer tools/list.
const servers = [
  {
    name: 'everything',
    description: 'MCP reference server: echo, sums, images, resources, long operations',
    command: ['node', reference('server-everything'), 'stdio'],
  },
  {
    name: 'filesystem',
    description: 'Read, write, search and list files under allowed directories',
    command: ['node', reference('server-filesystem'), fsRoot],
  },
  {
    name: 'memory',
    description: 'A knowledge graph of entities, relations and observations',
    command: ['node', reference('server-memory')],
  },
  {
    name: 'thinking',
    description: 'Step-by-step reflective problem solving',
    command: ['node', reference('server-sequential-thinking')],
  },
  {
    name: 'github',
    description: 'GitHub repositories, issues, pull requests and code search',
    command: ['node', reference('server-github')],
  },
  {
    name: 'playwright',
    description: 'Drive a browser: navigate, click, type, snapshot pages',
    command: ['node', join(modules, '@playwright/mcp/cli.js'), '--headless', '--isolated'],
  },
];

async function listVia(mode: 'lazy' | 'direct') {
  const config = parseServersConfig(
    { servers, mode, requestTimeout: 30_000 },
    { baseDir: fsRoot, env: process.env },
  );
  const gateway = createGateway(config, createSilentLogger());
  const server = createGatewayMcpServer(gateway, createSilentLogger());
  const [a, b] = InMemoryTransport.createLinkedPair();
  await server.connect(a);
  const client = new Client({ name: 'surface', version: '1' });
  await client.connect(b);
  const { tools } = await client.listTools();
  // Eager: what each server's own tools/list result costs, exactly as it sends it.
  const perServer = new Map<string, { tools: number; tokens: number }>();
  if (mode === 'direct') {
    for (const s of servers) {
      const own = gateway.upstream(s.name)?.cachedTools() ?? [];
      if (own.length === 0) throw new Error(`${s.name} listed no tools; the comparison would be wrong`);
      perServer.set(s.name, { tools: own.length, tokens: countTokens(JSON.stringify({ tools: own })) });
    }
  }
  await client.close();
  await gateway.close();
  return { tools, perServer };
}

const lazy = await listVia('lazy');
const eager = await listVia('direct');
const eagerTools = [...eager.perServer.values()].reduce((a, b) => a + b.tools, 0);
const eagerTokens = [...eager.perServer.values()].reduce((a, b) => a + b.tokens, 0);
const lazyTokens = countTokens(JSON.stringify({ tools: lazy.tools }));
const rows = [
  ...[...eager.perServer].map(([name, s]) => [
    `${name} (eager tools/list)`,
    String(s.tools),
    String(s.tokens),
    '',
  ]),
  [`eager total (${servers.length} servers)`, String(eagerTools), String(eagerTokens), ''],
  [
    'lazy-mcp surface (4 meta-tools)',
    String(lazy.tools.length),
    String(lazyTokens),
    `${(100 * (1 - lazyTokens / eagerTokens)).toFixed(1)}% fewer`,
  ],
];
const table = markdownTable(
  [
    { title: 'surface' },
    { title: 'tools', right: true },
    { title: 'o200k tokens', right: true },
    { title: 'reduction', right: true },
  ],
  rows,
);
console.log(table);
const out = writeResults(process.argv.includes('--smoke') ? 'surface-smoke' : 'surface', {
  machine: machineInfo(),
  lazyTokens,
  eagerTokens,
  tools: eagerTools,
  rows,
});
console.log(`wrote ${out}`);
process.exit(0);
