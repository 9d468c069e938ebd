import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { assertFreshDist, LEAN_CTX_BIN } from '../helpers/cli.ts';
import { type RunningTestServer, startTestServer } from '../helpers/team-server.ts';

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI without blocking this process, which serves the pages it probes. */
function runAsync(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  assertFreshDist();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [LEAN_CTX_BIN, ...args], { env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

/** A PATH holding only a fake `xdg-open` with this shell body (none when body is undefined). */
function pathWithOpener(body: string | undefined): string {
  const dir = mkdtempSync(join(tmpdir(), 'fake-opener-'));
  if (body !== undefined) {
    writeFileSync(join(dir, 'xdg-open'), `#!/bin/sh\n${body}\n`);
    chmodSync(join(dir, 'xdg-open'), 0o755);
  }
  return dir;
}

describe('lean-ctx observatory', () => {
  let srv: RunningTestServer;
  before(async () => {
    srv = await startTestServer();
  });
  after(() => srv.close());

  test('--server prints the page URL and says the server answers', async () => {
    const r = await runAsync(['observatory', '--server', srv.url]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, `${srv.url}/observatory\n`);
    assert.match(r.stderr, /sign in with a token/);
  });

  test('--open hands the URL to the default browser opener', async () => {
    const log = join(mkdtempSync(join(tmpdir(), 'opened-')), 'url');
    const r = await runAsync(['observatory', '--server', srv.url, '--open'], {
      PATH: `${pathWithOpener(`printf '%s' "$1" > '${log}'`)}:/usr/bin:/bin`,
    });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /opened in the default browser/);
    assert.equal(readFileSync(log, 'utf8'), `${srv.url}/observatory`);
  });

  test('--open on a machine without a browser still prints the URL and says so', async () => {
    const none = await runAsync(['observatory', '--server', srv.url, '--open'], {
      PATH: pathWithOpener(undefined),
    });
    assert.equal(none.status, 0, none.stderr);
    assert.equal(none.stdout, `${srv.url}/observatory\n`);
    assert.match(none.stderr, /no browser opener \(xdg-open\) on this machine; open the URL above yourself/);

    const failing = await runAsync(['observatory', '--server', srv.url, '--open'], {
      PATH: pathWithOpener('exit 3'),
    });
    assert.equal(failing.status, 0, failing.stderr);
    assert.match(failing.stderr, /xdg-open found no browser \(exit 3\)/);
  });

  test('--config reads host and port from team.json; a server that is down is named with how to start it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'observatory-cfg-'));
    const cfg = JSON.parse(readFileSync(join(srv.dir, 'team.json'), 'utf8')) as Record<string, unknown>;
    writeFileSync(join(dir, 'team.json'), JSON.stringify({ ...cfg, host: '0.0.0.0', port: 1 }));
    const r = await runAsync(['observatory', '--config', join(dir, 'team.json')]);
    assert.equal(r.status, 1);
    assert.equal(r.stdout, 'http://127.0.0.1:1/observatory\n');
    assert.match(r.stderr, /nothing answers at http:\/\/127\.0\.0\.1:1\/observatory .*lean-ctx team serve/);
  });

  test('--server that is not a URL, or both --server and --config, is a usage error', async () => {
    const bad = await runAsync(['observatory', '--server', 'not a url']);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /--server "not a url" is not a URL/);
    const both = await runAsync(['observatory', '--server', srv.url, '--config', 'team.json']);
    assert.equal(both.status, 2);
    assert.match(both.stderr, /either --config or --server/);
  });
});
