import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runLeanCtx } from '../../src/cli/lean-ctx.ts';
import { createMetrics } from '../../src/metrics/metrics.ts';
import { builtinTools } from '../../src/tools/all-tools.ts';
import { createToolRegistry } from '../../src/tools/registry.ts';
import { startTestServer } from '../helpers/team-server.ts';

/**
 * Surfaces a user sees, kept as reviewed files: a rename or a changed schema shows up as a
 * diff of test/fixtures/contract/. `UPDATE_CONTRACT=1 npm test -- test/unit/contract.test.ts`
 * writes them; without it a missing file fails, so CI never passes on a snapshot it just made.
 * `CONTRACT_DIR` points the test at another directory (the test of this test).
 */
const CONTRACT_DIR =
  process.env.CONTRACT_DIR ?? fileURLToPath(new URL('../fixtures/contract/', import.meta.url));
const UPDATE = 'UPDATE_CONTRACT=1 npm test -- test/unit/contract.test.ts';

function matchesContract(name: string, actual: string): void {
  const file = join(CONTRACT_DIR, name);
  if (process.env.UPDATE_CONTRACT === '1') writeFileSync(file, actual);
  assert.ok(
    existsSync(file),
    `contract snapshot ${file} is missing; create it with ${UPDATE}, review it and commit it`,
  );
  assert.equal(actual, readFileSync(file, 'utf8'), `${name} changed; review the diff and run ${UPDATE}`);
}

async function helpOf(args: string[]): Promise<string> {
  let out = '';
  await runLeanCtx([...args, '--help'], { out: (t) => (out += t), err: (t) => (out += t) });
  return out;
}

test('lean-ctx --help output of every command', async () => {
  const commands = [
    [],
    ['team'],
    ['team', 'token'],
    ['team', 'token', 'create'],
    ['team', 'token', 'list'],
    ['team', 'token', 'revoke'],
    ['team', 'serve'],
    ['team', 'sync'],
    ['serve'],
    ['session', 'list'],
    ['mcp'],
    ['demo'],
  ];
  const parts: string[] = [];
  for (const cmd of commands) parts.push(`$ lean-ctx ${[...cmd, '--help'].join(' ')}\n${await helpOf(cmd)}`);
  matchesContract('cli-help.txt', parts.join('\n'));
});

test('tool names, scopes and input schemas', () => {
  const registry = createToolRegistry(builtinTools());
  const lines = registry.all().map((tool) => {
    const info = registry.info(tool);
    const schema = JSON.stringify(info.inputSchema);
    const md5 = createHash('md5').update(schema).digest('hex').slice(0, 12);
    return `${info.name} scope=${info.scope}${info.core ? ' core' : ''}${info.readOnly ? ' read-only' : ''} schema=${md5} args=${Object.keys(
      (info.inputSchema.properties as Record<string, unknown>) ?? {},
    ).join(',')}`;
  });
  matchesContract('tools.txt', `${lines.join('\n')}\n`);
});

test('metric names', async () => {
  const metrics = createMetrics();
  const names = (await metrics.registry.getMetricsAsJSON())
    .map((m) => `${m.name} ${m.type}`)
    .filter((n) => !n.startsWith('leanctx_process_'))
    .sort();
  matchesContract('metrics.txt', `${names.join('\n')}\n`);
});

test('HTTP routes', async () => {
  const srv = await startTestServer();
  try {
    const routes = srv.server.app.routes
      .filter((r) => r.method !== 'ALL')
      .map((r) => `${r.method} ${r.path}`)
      .sort();
    matchesContract('routes.txt', `${[...new Set(routes)].join('\n')}\n`);
  } finally {
    await srv.close();
  }
});
