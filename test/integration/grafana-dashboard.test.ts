import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { openEventStream } from '../helpers/event-stream.ts';
import { callTool, SAMPLE_FILES, startTestServer } from '../helpers/team-server.ts';

const DASHBOARD = new URL('../../deploy/grafana/leanctx.json', import.meta.url);

/** PromQL words that are not metric names. */
const PROMQL_WORDS = new Set([
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'bool',
  'and',
  'or',
  'unless',
  'offset',
  'sum',
  'min',
  'max',
  'avg',
  'count',
  'stddev',
  'stdvar',
  'topk',
  'bottomk',
  'quantile',
  'count_values',
  'rate',
  'irate',
  'increase',
  'delta',
  'idelta',
  'histogram_quantile',
  'label_values',
  'abs',
  'clamp_min',
  'clamp_max',
  'sort',
  'sort_desc',
  'time',
  'vector',
  'scalar',
  'absent',
  'avg_over_time',
  'max_over_time',
]);

/**
 * The metric names a PromQL expression selects: identifiers outside strings, label matchers,
 * `by (...)` lists, ranges and Grafana variables, that are not functions or keywords.
 */
export function metricNamesOf(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ')
    .replace(/\$\{?\w+\}?/g, ' ');
  const names = new Set<string>();
  for (const m of stripped.matchAll(/[A-Za-z_:][A-Za-z0-9_:]*(?=\s*(\(?))/g)) {
    const word = m[0];
    if (m[1] === '(' || PROMQL_WORDS.has(word)) continue;
    names.add(word);
  }
  return [...names];
}

interface Panel {
  type: string;
  title: string;
  targets?: { expr: string }[];
  panels?: Panel[];
}

/** Every query of the dashboard: panel targets and templating queries. */
function dashboardQueries(): { where: string; expr: string }[] {
  const dash = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as {
    panels: Panel[];
    templating: { list: { name: string; definition?: string }[] };
  };
  const out: { where: string; expr: string }[] = [];
  const walk = (panels: Panel[]) => {
    for (const p of panels) {
      if (p.type !== 'row') assert.ok((p.targets ?? []).length > 0, `panel "${p.title}" has no query`);
      for (const t of p.targets ?? []) out.push({ where: `panel "${p.title}"`, expr: t.expr });
      walk(p.panels ?? []);
    }
  };
  walk(dash.panels);
  for (const v of dash.templating.list) {
    const m = /^label_values\(\s*([A-Za-z_:][\w:]*)\s*,/.exec(v.definition ?? '');
    if (m?.[1]) out.push({ where: `variable $${v.name}`, expr: m[1] });
  }
  return out;
}

/** Series and metric names of a Prometheus text scrape (a histogram exports _bucket, _sum, _count). */
function exportedNames(text: string): Set<string> {
  const names = new Set<string>();
  for (const line of text.split('\n')) {
    const type = /^# TYPE (\S+) (\w+)/.exec(line);
    if (type?.[1]) {
      names.add(type[1]);
      if (type[2] === 'histogram' || type[2] === 'summary') {
        for (const s of ['_bucket', '_sum', '_count']) names.add(`${type[1]}${s}`);
      }
      continue;
    }
    const sample = /^([A-Za-z_:][\w:]*)[{ ]/.exec(line);
    if (sample?.[1]) names.add(sample[1]);
  }
  return names;
}

describe('deploy/grafana/leanctx.json', () => {
  test('the PromQL reader finds metric names and skips functions, labels and variables', () => {
    assert.deepEqual(
      metricNamesOf(
        'histogram_quantile(0.95, sum by (le, route) (rate(leanctx_x_bucket{instance=~"$instance", a="b c"}[$__rate_interval])))',
      ),
      ['leanctx_x_bucket'],
    );
    assert.deepEqual(metricNamesOf('sum(rate(a_sum[5m])) / sum(rate(b_count[5m]))'), ['a_sum', 'b_count']);
  });

  test('every panel query names a metric a real server exports after real traffic', async () => {
    const profile = join(mkdtempSync(join(tmpdir(), 'grafana-profile-')), 'team.toml');
    writeFileSync(profile, '[budget]\nmax_context_tokens = 50\nalert_threshold = 0.5\n');
    const srv = await startTestServer({
      files: SAMPLE_FILES,
      tokens: [
        { id: 'lead', role: 'admin' },
        { id: 'dev', role: 'developer' },
      ],
      config: { profile },
    });
    const stream = await openEventStream(srv.url, srv.tokens.lead as string, 'since=0');
    const mcp = new Client({ name: 'grafana-test', version: '1.0.0' });
    try {
      await mcp.connect(
        new StreamableHTTPClientTransport(new URL(`${srv.url}/mcp`), {
          requestInit: { headers: { authorization: `Bearer ${srv.tokens.dev}` } },
        }),
      );
      await mcp.callTool({ name: 'ctx_read', arguments: { path: 'README.md', mode: 'full' } });
      await callTool(srv, 'dev', { name: 'ctx_read', arguments: { path: 'src/index.ts', mode: 'full' } });
      await callTool(srv, 'dev', { name: 'ctx_read', arguments: { path: 'no/such/file.ts' } });
      assert.equal((await srv.request('/v1/metrics', { as: 'dev' })).status, 403);

      const scrape = await srv.request('/v1/metrics?format=prometheus', { as: 'lead' });
      assert.equal(scrape.status, 200);
      const exported = exportedNames(await scrape.text());
      assert.ok(exported.has('leanctx_tool_calls_total'), 'the scrape has the tool call counter');

      const queries = dashboardQueries();
      assert.ok(queries.length >= 15, `the dashboard has ${queries.length} queries`);
      const missing: string[] = [];
      for (const q of queries) {
        const names = metricNamesOf(q.expr);
        assert.ok(names.length > 0, `${q.where}: no metric in "${q.expr}"`);
        for (const name of names) if (!exported.has(name)) missing.push(`${q.where}: ${name}`);
      }
      assert.deepEqual(missing, [], 'metrics the server does not export');
    } finally {
      await mcp.close();
      await stream.close();
      await srv.close();
    }
  });
});
