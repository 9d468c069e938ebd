import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { getDefaultEnvironment, StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { assertFreshDist } from '../helpers/cli.ts';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const versionOf = (file: string) => (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
const VERSION = versionOf(join(ROOT, 'package.json'));
// The npm that runs `npm test` exports its own settings (npm_config_local_prefix …): not for these.
const ENV = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key)));

/**
 * better-sqlite3 downloads its binary from GitHub (unreachable here) or else compiles for
 * minutes. prebuild-install's offline form, a local prebuilds directory, hands it the binary
 * this checkout already built; every other package comes from the registry.
 */
async function localSqlitePrebuild(dir: string): Promise<{ version: string; env: Record<string, string> }> {
  const pkg = createRequire(import.meta.url).resolve('better-sqlite3/package.json');
  const version = versionOf(pkg);
  const prebuilds = join(dir, 'prebuilds');
  mkdirSync(prebuilds);
  const name = `better-sqlite3-v${version}-node-v${process.versions.modules}-${process.platform}-${process.arch}.tar.gz`;
  await run('tar', ['-czf', join(prebuilds, name), '-C', dirname(pkg), 'build/Release/better_sqlite3.node']);
  return { version, env: { npm_config_better_sqlite3_local_prebuilds: prebuilds } };
}

test('the npm pack tarball installs into an empty project and its bins run with npx: versions, help and an MCP session', {
  timeout: 300_000,
}, async () => {
  assertFreshDist();
  const dir = mkdtempSync(join(tmpdir(), 'packed-'));
  // --ignore-scripts: `prepare` would rebuild dist/ under tests running from it; npm test built it.
  const pack = ['pack', '--json', '--ignore-scripts', '--pack-destination', dir];
  const { stdout: packed } = await run('npm', pack, { cwd: ROOT, env: ENV });
  const [info] = JSON.parse(packed) as [{ filename: string; files: { path: string }[] }];
  const files = info.files.map((f) => f.path);
  assert.ok(files.includes('dist/main.js') && files.includes('dist/main.js.map'), files.join('\n'));
  assert.deepEqual(
    files.filter((f) => !/^(dist\/|bin\/|web\/|package\.json$|README\.md$)/.test(f)),
    [],
    'only dist/, bin/, web/ (the observatory page), package.json and README.md ship',
  );

  const project = join(dir, 'project');
  mkdirSync(project);
  const sqlite = await localSqlitePrebuild(dir);
  const consumer = { name: 'consumer', private: true, overrides: { 'better-sqlite3': sqlite.version } };
  writeFileSync(join(project, 'package.json'), JSON.stringify(consumer));
  // Ranges resolve afresh (a published package has no lockfile) and install scripts run.
  await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', join(dir, info.filename)], {
    cwd: project,
    env: { ...ENV, ...sqlite.env },
    timeout: 240_000,
  });
  assert.ok(existsSync(join(project, 'node_modules/better-sqlite3/build/Release/better_sqlite3.node')));
  assert.equal(existsSync(join(project, 'node_modules/tsx')), false, 'tsx is not a run-time dependency');

  const npx = (...args: string[]) => run('npx', ['--no-install', ...args], { cwd: project, env: ENV });
  assert.equal((await npx('lean-ctx', '--version')).stdout.trim(), VERSION);
  assert.match((await npx('lean-ctx', '--help')).stdout, /^Usage: lean-ctx /);
  assert.equal((await npx('lazy-mcp', '--version')).stdout.trim(), VERSION);

  const workspace = join(dir, 'workspace');
  mkdirSync(workspace);
  writeFileSync(join(workspace, 'hello.ts'), 'export function hello(): string {\n  return "hi";\n}\n');
  const client = new Client({ name: 'packed-test', version: '1' });
  await client.connect(
    new StdioClientTransport({
      command: join(project, 'node_modules/.bin/lean-ctx'),
      args: ['mcp'],
      cwd: workspace,
      env: { ...getDefaultEnvironment(), XDG_DATA_HOME: join(dir, 'data') },
      stderr: 'pipe',
    }),
  );
  try {
    assert.equal(client.getServerVersion()?.version, VERSION);
    const { tools } = await client.listTools();
    assert.ok(tools.some((t) => t.name === 'ctx_read'));
    const read = await client.callTool({ name: 'ctx_read', arguments: { path: 'hello.ts' } });
    assert.notEqual(read.isError, true, JSON.stringify(read));
    assert.match(JSON.stringify(read.content), /function hello/);
  } finally {
    await client.close();
  }
});
