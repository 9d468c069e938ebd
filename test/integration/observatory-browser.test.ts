import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Page } from 'playwright-core';
import {
  artifactPath,
  type CuttableRelay,
  type LaunchedBrowser,
  launchChromium,
  startRelay,
} from '../helpers/browser.ts';
import { callTool, type RunningTestServer, SAMPLE_FILES, startTestServer } from '../helpers/team-server.ts';

/** About 300 o200k tokens, read in full: two reads take a 1000-token budget past 50 %. */
const NOTES = Array.from(
  { length: 24 },
  (_, i) => `Note ${i}: the deploy pipeline builds, tests and ships the service to region ${i % 5}.`,
).join('\n');

describe('the observatory page in headless Chromium against a real team server', () => {
  let srv: RunningTestServer;
  let relay: CuttableRelay;
  let chromium: LaunchedBrowser;
  let page: Page;
  let mcp: Client;
  /** Requests the page sent to /v1/events, with their Last-Event-ID header. */
  const streamRequests: (string | undefined)[] = [];

  before(async () => {
    const profileDir = mkdtempSync(join(tmpdir(), 'observatory-profile-'));
    const profile = join(profileDir, 'team.toml');
    writeFileSync(profile, '[budget]\nmax_context_tokens = 1000\nalert_threshold = 0.5\n');
    srv = await startTestServer({
      files: { ...SAMPLE_FILES, 'docs/notes.md': NOTES },
      tokens: [
        { id: 'lead', role: 'admin' },
        { id: 'dev', role: 'developer' },
        { id: 'bot', role: 'developer' },
      ],
      config: { profile },
    });
    relay = await startRelay(srv.url);
    chromium = await launchChromium();
    page = await chromium.context.newPage();
    await page.setViewportSize({ width: 1280, height: 800 });
    page.on('request', (req) => {
      if (req.url().includes('/v1/events')) streamRequests.push(req.headers()['last-event-id']);
    });
    mcp = new Client({ name: 'observatory-test-agent', version: '1.0.0' });
    await mcp.connect(
      new StreamableHTTPClientTransport(new URL(`${srv.url}/mcp`), {
        requestInit: { headers: { authorization: `Bearer ${srv.tokens.dev}` } },
      }),
    );
  });

  after(async () => {
    await mcp?.close();
    await chromium?.close();
    await relay?.close();
    await srv?.close();
  });

  test('a wrong token shows the server error message and keeps the sign-in form', async () => {
    const answer = await fetch(`${srv.url}/v1/observatory/summary`, {
      headers: { authorization: 'Bearer lc_wrong_token' },
    });
    const envelope = (await answer.json()) as { error: string; error_code: string };
    assert.equal(answer.status, 401);

    await page.goto(`${relay.url}/observatory?refresh=1`);
    await page.fill('#token', 'lc_wrong_token');
    await page.click('#sign-in-form button[type=submit]');
    const error = page.locator('#sign-in-error');
    await error.waitFor({ state: 'visible' });
    assert.equal(await error.textContent(), envelope.error);
    assert.equal(await page.locator('#sign-in').isVisible(), true);
    assert.equal(await page.locator('#dashboard').isVisible(), false);
    assert.equal(await page.evaluate('sessionStorage.length'), 0, 'a refused token is not kept');
  });

  test('signing in on an empty server shows empty states, not broken charts', async () => {
    await page.fill('#token', srv.tokens.lead as string);
    await page.click('#sign-in-form button[type=submit]');
    await page.locator('#dashboard').waitFor({ state: 'visible' });
    await page.locator('#live.on').waitFor();
    for (const id of ['chart-tools', 'chart-agents', 'chart-tokens', 'budget-table', 'heat-files', 'feed']) {
      assert.equal(
        await page.locator(`[data-empty-for="${id}"]`).isVisible(),
        true,
        `${id} shows its empty state`,
      );
    }
    assert.equal(await page.locator('.uplot').count(), 0);
    assert.equal(await page.locator('#kpi-calls').textContent(), '0');
    await page.screenshot({ path: artifactPath('empty-1280.png'), fullPage: true });
  });

  test('a call made by an MCP client appears live, with its tokens in the charts', async () => {
    const result = await mcp.callTool({
      name: 'ctx_read',
      arguments: { path: 'docs/notes.md', mode: 'full' },
    });
    assert.notEqual(result.isError, true);
    await page.locator('#feed li', { hasText: 'ctx_read by dev' }).first().waitFor({ timeout: 2000 });
    await page.locator('#chart-tools .uplot').waitFor();
    await page.locator('#chart-tokens .uplot').waitFor();
    assert.equal(await page.locator('#kpi-calls').textContent(), '1');
    assert.notEqual(await page.locator('#kpi-sent').textContent(), '0');
    // the heatmap (GET /v1/heatmap) lists the file read and its directory at the next refresh
    await page.locator('#heat-files', { hasText: 'docs/notes.md' }).waitFor({ timeout: 15_000 });
    await page.locator('#heat-dirs', { hasText: 'docs' }).waitFor({ timeout: 15_000 });
  });

  test('a REST client taking a tiny budget past its threshold raises the budget alert', async () => {
    const res = await callTool(srv, 'dev', {
      name: 'ctx_read',
      arguments: { path: 'docs/notes.md', mode: 'full' },
    });
    assert.equal(res.status, 200);
    const alert = page.locator('#budget-alert');
    await alert.waitFor({ state: 'visible' });
    assert.match((await alert.textContent()) ?? '', /max_context_tokens of token "dev"/);
    await page.locator('#budget-table tr[data-level="alert"]', { hasText: 'dev' }).waitFor();
  });

  test('a refused request shows up in the error count by code', async () => {
    const res = await srv.request('/v1/metrics', { as: 'dev' });
    assert.equal(res.status, 403);
    const row = page.locator('#errors-table tr[data-code="scope_denied"]');
    await row.waitFor({ timeout: 10_000 });
    const cells = await row.locator('td').allTextContents();
    assert.deepEqual(cells, ['scope_denied', '1', '1']);
    await page.screenshot({ path: artifactPath('dashboard-1280.png'), fullPage: true });
  });

  test('a dropped event stream reconnects with Last-Event-ID and fills the gap', async () => {
    const before = streamRequests.length;
    relay.cut();
    await page.locator('#live.off').waitFor();
    // Calls made while the page is cut off reach it only through the replay.
    const missed = ['src/index.ts', 'src/util.ts', 'README.md'];
    for (const path of missed) {
      const res = await callTool(srv, 'bot', { name: 'ctx_read', arguments: { path, mode: 'full' } });
      assert.equal(res.status, 200);
    }
    relay.restore();
    for (const path of missed) {
      await page.locator('#feed li', { hasText: `ctx_read by bot · ${path}` }).waitFor({ timeout: 15_000 });
    }
    await page.locator('#live.on').waitFor();
    const resumed = streamRequests.slice(before).filter((id) => id !== undefined);
    assert.ok(resumed.length > 0, 'the reconnect sent Last-Event-ID');
    assert.ok(Number(resumed[0]) > 0);
    assert.equal(
      await page.locator('#feed li', { hasText: 'ctx_read by bot' }).count(),
      missed.length,
      'no duplicates',
    );
    // two reads by dev, three by bot: each counted once, live or from the summary
    await page.locator('#kpi-calls', { hasText: /^5$/ }).waitFor();
  });

  test('the page is readable at phone width', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.waitForTimeout(300);
    const overflow = Number(await page.evaluate('document.documentElement.scrollWidth - window.innerWidth'));
    assert.ok(overflow <= 0, `the page scrolls sideways by ${overflow}px at 390 wide`);
    await page.screenshot({ path: artifactPath('dashboard-390.png'), fullPage: true });
  });

  test('the page sets a strict Content-Security-Policy and sends no inline script', async () => {
    const res = await fetch(`${srv.url}/observatory`, { headers: { 'accept-encoding': 'gzip' } });
    assert.equal(res.status, 200);
    const csp = res.headers.get('content-security-policy') ?? '';
    assert.match(csp, /script-src 'self'/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
    const html = await res.text();
    assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/, 'every script is a file');
    assert.doesNotMatch(html, /lc_[A-Za-z0-9]/, 'the page holds no token');
  });
});
