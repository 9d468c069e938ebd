import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { countTokens } from '../../src/engine/tokens.ts';
import { openEventStream } from '../helpers/event-stream.ts';
import { callTool, type RunningTestServer, SAMPLE_FILES, startTestServer } from '../helpers/team-server.ts';

/** About 300 o200k tokens of prose, read in full by every call. */
const NOTES = Array.from(
  { length: 24 },
  (_, i) => `Note ${i}: the deploy pipeline builds, tests and ships the service to region ${i % 5}.`,
).join('\n');

function profileFile(toml: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'profile-')), 'team.toml');
  writeFileSync(path, toml);
  return path;
}

interface Answer {
  status: number;
  texts: string[];
  body: Record<string, unknown>;
  retryAfter: string | null;
}

async function readNotes(srv: RunningTestServer, as: string): Promise<Answer> {
  const res = await callTool(srv, as, {
    name: 'ctx_read',
    arguments: { path: 'docs/notes.md', mode: 'full' },
  });
  const body = (await res.json()) as Record<string, unknown> & { result?: { content: { text: string }[] } };
  return {
    status: res.status,
    texts: body.result?.content.map((c) => c.text) ?? [],
    body,
    retryAfter: res.headers.get('retry-after'),
  };
}

const nextUtcMidnight = () => {
  const d = new Date();
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 1)).toISOString();
};

describe('governance budgets over real HTTP', () => {
  test('a budget that runs out mid-session warns past the alert threshold, sends budget_alert first, then answers 429 naming the budget and its reset', async () => {
    const srv = await startTestServer({
      files: { ...SAMPLE_FILES, 'docs/notes.md': NOTES },
      config: {
        profile: profileFile('[budget]\nmax_context_tokens = 1000\nalert_threshold = 0.5\n'),
      },
    });
    const stream = await openEventStream(srv.url, srv.tokens.alice as string, 'since=0');
    try {
      const served: number[] = [];
      const answers: Answer[] = [];
      for (;;) {
        const a = await readNotes(srv, 'alice');
        if (a.status !== 200) {
          answers.push(a);
          break;
        }
        answers.push(a);
        served.push(countTokens(a.texts[0] as string));
        assert.ok(answers.length < 10, 'the budget never ran out');
      }
      const refused = answers.at(-1) as Answer;
      const perCall = served[0] as number;
      assert.ok(perCall > 200 && perCall < 500, `one read serves ${perCall} tokens`);
      assert.equal(served.length, Math.ceil(1000 / perCall), 'every call under the limit was answered');

      // a warning line on every answer from the one that crossed 50% on
      const used = served.map((_, i) => served.slice(0, i + 1).reduce((x, y) => x + y, 0));
      for (const [i, a] of answers.slice(0, -1).entries()) {
        const warning = a.texts.slice(1).join('\n');
        if ((used[i] as number) / 1000 >= 0.5) {
          assert.match(
            warning,
            /^⚠ budget: token "alice" \(role admin\) has used \d+% of max_context_tokens/,
          );
          assert.match(warning, new RegExp(`it resets at ${nextUtcMidnight()}`));
        } else assert.equal(warning, '', `call ${i + 1} is under the alert threshold`);
      }

      // the events came first: alert, then exhausted, both before the refusal was asked for
      const alert = await stream.waitFor(
        (e) => e.kind === 'budget_alert' && e.data.payload.level === 'alert',
      );
      const exhausted = await stream.waitFor(
        (e) => e.kind === 'budget_alert' && e.data.payload.level === 'exhausted',
      );
      assert.ok(alert.id < exhausted.id);
      assert.deepEqual(
        { ...exhausted.data.payload, used: undefined, fraction: undefined },
        {
          token: 'alice',
          role: 'admin',
          period: 'day',
          budget: 'max_context_tokens',
          level: 'exhausted',
          limit: 1000,
          resetsAt: nextUtcMidnight(),
          used: undefined,
          fraction: undefined,
        },
      );
      assert.ok(!JSON.stringify(exhausted.data.payload).includes('deploy pipeline'), 'no content in events');

      assert.equal(refused.status, 429);
      assert.equal(refused.body.error_code, 'budget_exhausted');
      assert.equal(refused.body.budget, 'max_context_tokens');
      assert.equal(refused.body.limit, 1000);
      assert.equal(refused.body.resetsAt, nextUtcMidnight());
      assert.match(
        String(refused.body.error),
        /^max_context_tokens of token "alice" \(role admin\) is used up: [\d,]+ of 1,000 tokens this day; it resets at /,
      );
      const retryAfter = Number(refused.retryAfter);
      assert.ok(retryAfter > 0 && retryAfter <= 86_400, `Retry-After ${refused.retryAfter}`);

      // an agent can still see where its budget stands
      const metricsCall = await callTool(srv, 'alice', { name: 'ctx_metrics', arguments: {} });
      assert.equal(metricsCall.status, 200);
      const metricsText = ((await metricsCall.json()) as { result: { content: { text: string }[] } }).result
        .content[0]?.text as string;
      assert.match(
        metricsText,
        /\nbudget of token "alice" \(role admin\) this day \(since .*, resets .*\):\n {2}served [\d,]+ tokens in \d+ calls = \$[\d.]+ at claude-sonnet-4 \(\$3\/M input tokens\)\n {2}max_context_tokens: [\d,]+ of 1,000 tokens \(\d+%\) — used up$/,
      );

      // usage per token, agent, role and workspace in /v1/metrics
      const prom = await (await srv.request('/v1/metrics?format=prometheus', { as: 'alice' })).text();
      const total = (used.at(-1) as number) + countTokens(metricsText);
      assert.match(
        prom,
        new RegExp(
          `^leanctx_budget_tokens\\{token="alice",agent="alice",role="admin",workspace="main"\\} ${total}$`,
          'm',
        ),
      );
      assert.match(prom, /^leanctx_budget_alerts_total\{budget="max_context_tokens",level="exhausted"\} 1$/m);
    } finally {
      await stream.close();
      await srv.close();
    }
  });

  test('without a profile, what each token is served is still counted per token, agent, role and workspace', async () => {
    const srv = await startTestServer({ files: { ...SAMPLE_FILES, 'docs/notes.md': NOTES } });
    try {
      const served = [await readNotes(srv, 'alice'), await readNotes(srv, 'alice')].map((a) =>
        countTokens(a.texts.join('\n')),
      );
      const total = served[0]! + served[1]!;
      const line = `leanctx_budget_tokens{token="alice",agent="alice",role="admin",workspace="main"} ${total}`;
      let prom = '';
      for (let i = 0; i < 50 && !prom.includes(line); i++) {
        await new Promise((r) => setTimeout(r, 50));
        prom = await (await srv.request('/v1/metrics?format=prometheus', { as: 'alice' })).text();
      }
      assert.ok(
        prom.includes(line),
        prom
          .split('\n')
          .filter((l) => l.startsWith('leanctx_budget'))
          .join('\n'),
      );
      const cost = Number(/^leanctx_budget_cost_usd\{token="alice".*\} (\S+)$/m.exec(prom)?.[1]);
      assert.ok(Math.abs(cost - (total * 3) / 1e6) < 1e-9, `priced at claude-sonnet-4's $3/M: ${cost}`);
    } finally {
      await srv.close();
    }
  });

  test('a role of the profile sets scopes and its own cost cap, priced at the profile model', async () => {
    const srv = await startTestServer({
      files: { ...SAMPLE_FILES, 'docs/notes.md': NOTES },
      tokens: [
        { id: 'dev', role: 'developer' },
        { id: 'pipeline', role: 'ci' },
      ],
      config: {
        profile: profileFile(`model = "in-house"
[prices]
"in-house" = 10000
[budget]
max_cost_usd = 20.0
[roles.ci]
scope = "read"
max_cost_usd = 2.0
`),
      },
    });
    try {
      // ci reads (scope read = search) but may not write knowledge
      const write = await callTool(srv, 'pipeline', {
        name: 'ctx_knowledge',
        arguments: { action: 'remember', category: 'ops', key: 'deploy', value: 'weekly' },
      });
      assert.equal(write.status, 403);
      assert.equal(((await write.json()) as { error_code: string }).error_code, 'scope_denied');

      // one read costs about $3 at $0.01 a token: past ci's $2, far from the developers' $20
      assert.equal((await readNotes(srv, 'pipeline')).status, 200);
      const refused = await readNotes(srv, 'pipeline');
      assert.equal(refused.status, 429);
      assert.equal(refused.body.budget, 'max_cost_usd');
      assert.equal(refused.body.limit, 2);
      assert.match(
        String(refused.body.error),
        /^max_cost_usd of token "pipeline" \(role ci\) is used up: \$\d+\.\d\d of \$2\.00/,
      );
      assert.equal((await readNotes(srv, 'dev')).status, 200);
      assert.equal((await readNotes(srv, 'dev')).status, 200);
    } finally {
      await srv.close();
    }
  });
});
