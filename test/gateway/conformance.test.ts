import assert from 'node:assert/strict';
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { freePort } from '../helpers/free-port.ts';
import { EVERYTHING_BIN, LAZY_MCP_BIN, REPO_ROOT, tempDir, waitFor } from '../helpers/gateway-servers.ts';

const run = promisify(execFile);
const CONFORMANCE = join(REPO_ROOT, 'node_modules/.bin/conformance');

/** Scenarios the gateway passes and server-everything's own HTTP server does not. */
const GATEWAY_BETTER = [
  // lazy-mcp checks Host and Origin on loopback; server-everything's express app does not.
  'dns-rebinding-protection',
];

async function startHttp(args: string[], env: Record<string, string>, url: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: 'ignore' });
  await waitFor(async () => {
    const res = await fetch(url, { method: 'GET' }).catch(() => undefined);
    return res !== undefined;
  }, `${url} to listen`);
  return child;
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  await exited;
}

/** Runs the active server suite and returns each scenario's verdict (passed = no failed check). */
async function conformance(url: string): Promise<Map<string, boolean>> {
  const out = tempDir('conformance-');
  const result = await run(CONFORMANCE, ['server', '--url', url, '-o', out], {
    timeout: 60_000,
    maxBuffer: 16 * 1024 * 1024,
  }).catch((e: { stdout?: string; stderr?: string }) => ({ stdout: e.stdout ?? '', stderr: e.stderr ?? '' }));
  const verdicts = new Map<string, boolean>();
  for (const m of result.stdout.matchAll(/^[✓✗] (\S+): (\d+) passed, (\d+) failed/gm)) {
    verdicts.set(m[1] as string, Number(m[3]) === 0 && Number(m[2]) > 0);
  }
  assert.ok(
    verdicts.size >= 20,
    `the suite ran:\n${result.stdout.slice(-2000)}\n${result.stderr.slice(-2000)}`,
  );
  return verdicts;
}

const passing = (verdicts: Map<string, boolean>) =>
  [...verdicts]
    .filter(([, ok]) => ok)
    .map(([name]) => name)
    .sort();

test('the conformance suite gives the same results directly and through lazy-mcp in direct mode', async () => {
  const [directPort, gatewayPort] = await Promise.all([freePort(), freePort()]);
  const directUrl = `http://127.0.0.1:${directPort}/mcp`;
  const gatewayUrl = `http://127.0.0.1:${gatewayPort}/mcp`;
  const direct = await startHttp([EVERYTHING_BIN, 'streamableHttp'], { PORT: String(directPort) }, directUrl);
  const gateway = await startHttp(
    [
      LAZY_MCP_BIN,
      '--transport',
      'http',
      '--port',
      String(gatewayPort),
      '--mode',
      'direct',
      '--log-level',
      'error',
      '--',
      process.execPath,
      EVERYTHING_BIN,
      'stdio',
    ],
    {},
    gatewayUrl,
  );
  try {
    const viaDirect = await conformance(directUrl);
    const viaGateway = await conformance(gatewayUrl);
    assert.deepEqual([...viaGateway.keys()].sort(), [...viaDirect.keys()].sort(), 'the same scenarios ran');
    for (const name of GATEWAY_BETTER) {
      assert.equal(viaDirect.get(name), false, `${name} fails directly`);
      assert.equal(viaGateway.get(name), true, `${name} passes through the gateway`);
    }
    const same = (names: string[]) => names.filter((n) => !GATEWAY_BETTER.includes(n));
    assert.deepEqual(same(passing(viaGateway)), same(passing(viaDirect)));
    // What the gateway forwards is part of that equality; name it so a shared failure shows.
    for (const name of [
      'tools-list',
      'logging-set-level',
      'resources-list',
      'resources-subscribe',
      'resources-unsubscribe',
      'prompts-list',
    ]) {
      assert.equal(viaGateway.get(name), true, `${name} passes through the gateway`);
    }
  } finally {
    await Promise.all([stop(direct), stop(gateway)]);
  }
});
