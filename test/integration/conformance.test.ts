import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { startAuthProxy } from '../helpers/auth-proxy.ts';
import { startTestServer } from '../helpers/team-server.ts';

const run = promisify(execFile);
const CONFORMANCE = fileURLToPath(new URL('../../node_modules/.bin/conformance', import.meta.url));
const BASELINE = fileURLToPath(new URL('../fixtures/conformance-baseline.yml', import.meta.url));

test('the MCP conformance suite passes on /mcp, DNS-rebinding protection included', async () => {
  const srv = await startTestServer();
  // The runner sends no Authorization header; the proxy adds the token and keeps Host/Origin.
  const proxy = await startAuthProxy(srv.url, srv.tokens.alice as string);
  const out = mkdtempSync(join(tmpdir(), 'conformance-'));
  try {
    const rebinding = await run(
      CONFORMANCE,
      ['server', '--url', `${proxy.url}/mcp`, '--scenario', 'dns-rebinding-protection', '-o', out],
      { timeout: 120_000 },
    ).catch((e: { stdout: string; stderr: string; code: number }) => e);
    assert.ok(!('code' in rebinding) || rebinding.code === 0, `${rebinding.stdout}\n${rebinding.stderr}`);
    assert.match(rebinding.stdout, /dns-rebinding-protection/);

    // The rest of the active suite, against the baseline of scenarios that need the
    // reference server's fixture tools, resources and prompts (which a context server has not).
    const suite = await run(
      CONFORMANCE,
      ['server', '--url', `${proxy.url}/mcp`, '--expected-failures', BASELINE, '-o', out],
      { timeout: 300_000 },
    ).catch((e: { stdout: string; stderr: string; code: number }) => e);
    assert.ok(!('code' in suite) || suite.code === 0, `${suite.stdout}\n${suite.stderr}`);
    const excused = readFileSync(BASELINE, 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('  - '))
      .map((l) => l.slice(4).trim());
    for (const core of ['dns-rebinding-protection', 'server-initialize', 'tools-list', 'ping']) {
      assert.ok(!excused.includes(core), `${core} must pass, not be excused`);
    }
  } finally {
    await proxy.close();
    await srv.close();
  }
});
