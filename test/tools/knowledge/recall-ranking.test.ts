import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Fact } from '../../../src/store/knowledge.ts';
import { callToolText, type RunningTestServer, startTestServer } from '../../helpers/team-server.ts';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));

interface RepoFact {
  category: string;
  key: string;
  value: string;
  /** A question whose answer is this fact, made from the same source by a fixed rule. */
  query: string;
  rule: 'dependency by name' | 'source file by exported name' | 'source file by its doc comment';
}

const words = (identifier: string) =>
  identifier
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_$]+/g, ' ')
    .toLowerCase();

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

/**
 * Facts about this repository, read from its package.json, its dependencies' own
 * descriptions and its source files, each with a query derived by a fixed rule.
 */
function repoFacts(): RepoFact[] {
  const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as Record<
    string,
    Record<string, string>
  >;
  const facts: RepoFact[] = [];
  for (const [kind, deps] of [
    ['runtime', pkg.dependencies ?? {}],
    ['development', pkg.devDependencies ?? {}],
  ] as const) {
    for (const [name, version] of Object.entries(deps)) {
      const manifest = join(REPO, 'node_modules', name, 'package.json');
      const about = existsSync(manifest)
        ? ((JSON.parse(readFileSync(manifest, 'utf8')) as { description?: string }).description ?? '')
        : '';
      facts.push({
        category: 'dependency',
        key: name,
        value: `${name} ${version} is a ${kind} dependency. ${about}`.trim(),
        query: `which version of ${name} do we use`,
        rule: 'dependency by name',
      });
    }
  }
  const exported = new Map<string, string[]>();
  const sources = walk(join(REPO, 'src')).sort();
  for (const file of sources) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/^export (?:async )?(?:function|const|class|interface|type) (\w+)/gm)) {
      exported.set(m[1] as string, [...(exported.get(m[1] as string) ?? []), file]);
    }
  }
  for (const file of sources) {
    const text = readFileSync(file, 'utf8');
    const names = [
      ...text.matchAll(/^export (?:async )?(?:function|const|class|interface|type) (\w+)/gm),
    ].map((m) => m[1] as string);
    const doc = /\/\*\*\s*\n?\s*\*?\s*([^@][\s\S]*?)\*\//
      .exec(text)?.[1]
      ?.replace(/\s*\n\s*\*\s?/g, ' ')
      .trim();
    if (names.length === 0 || !doc) continue;
    const rel = relative(REPO, file);
    const value = `${doc} Exports: ${names.join(', ')}.`;
    // the first exported name no other file exports, in words
    const own = names.find((n) => exported.get(n)?.length === 1 && words(n).includes(' '));
    if (own)
      facts.push({
        category: 'source',
        key: rel,
        value,
        query: words(own),
        rule: 'source file by exported name',
      });
    // the doc comment's five longest distinct words, as someone half-remembering it would type
    const docWords = [...new Set(doc.toLowerCase().match(/[a-z]{4,}/g) ?? [])]
      .sort((a, b) => b.length - a.length || (a < b ? -1 : 1))
      .slice(0, 5);
    if (docWords.length >= 3) {
      facts.push({
        category: 'source',
        key: rel,
        value,
        query: docWords.join(' '),
        rule: 'source file by its doc comment',
      });
    }
  }
  return facts;
}

describe('ctx_knowledge recall ranking on facts about this repository', () => {
  let srv: RunningTestServer;
  const facts = repoFacts();
  const recall = async (query: string, extra: Record<string, unknown> = {}) =>
    (
      JSON.parse(
        await callToolText(srv, 'alice', 'ctx_knowledge', {
          action: 'recall',
          query,
          format: 'json',
          ...extra,
        }),
      ) as { facts: (Fact & { score: number })[] }
    ).facts;
  const remember = (f: { category: string; key: string; value: string }) =>
    callToolText(srv, 'alice', 'ctx_knowledge', { action: 'remember', ...f });

  before(async () => {
    srv = await startTestServer({ config: { maxRps: 10_000, rateBurst: 10_000 } });
    const unique = new Map(facts.map((f) => [`${f.category}/${f.key}`, f]));
    for (const f of unique.values()) await remember(f);
  });
  after(() => srv.close());

  test('at least 50 real facts, and each rule finds its fact in the top 3 for nearly every query', async () => {
    assert.ok(new Set(facts.map((f) => f.key)).size >= 50, `${facts.length} facts`);
    const rate = new Map<RepoFact['rule'], { top1: number; top3: number; n: number; misses: string[] }>();
    for (const f of facts) {
      const ranked = await recall(f.query, { limit: 3 });
      const at = ranked.findIndex((r) => r.category === f.category && r.key === f.key);
      const r = rate.get(f.rule) ?? { top1: 0, top3: 0, n: 0, misses: [] };
      r.n++;
      if (at === 0) r.top1++;
      if (at >= 0) r.top3++;
      else r.misses.push(`"${f.query}" → ${f.key} (got ${ranked.map((x) => x.key).join(', ')})`);
      rate.set(f.rule, r);
    }
    const floor: Record<RepoFact['rule'], number> = {
      'dependency by name': 0.95,
      'source file by exported name': 0.9,
      'source file by its doc comment': 0.8,
    };
    for (const [rule, r] of rate) {
      const share = r.top3 / r.n;
      assert.ok(
        share >= floor[rule],
        `${rule}: ${r.top3}/${r.n} in the top 3; misses:\n${r.misses.join('\n')}`,
      );
    }
    assert.equal(rate.size, 3);
  });

  test('between two facts that match a query alike, the one recorded recently ranks first', async () => {
    const value = 'The release train leaves every second Thursday from the main branch.';
    const store = srv.server.deps.store.knowledge;
    const old = new Date(Date.now() - 200 * 86_400_000).toISOString();
    await store.remember({
      workspaceId: 'main',
      kind: 'fact',
      category: 'rel-a',
      key: 'train',
      value,
      examples: [],
      confidence: 0.8,
      source: 'alice',
      now: old,
    });
    await remember({ category: 'rel-b', key: 'train', value });
    const [first, second] = await recall('when does the release train leave');
    assert.deepEqual([first?.category, second?.category], ['rel-b', 'rel-a']);
    assert.ok((first?.score ?? 0) > (second?.score ?? 0));
  });

  test('votes move a fact: down-voted sinks below its twin, up-voted rises again', async () => {
    const value = 'Flaky integration tests are quarantined with a tracking issue within a day.';
    await remember({ category: 'qa-a', key: 'flaky', value });
    await remember({ category: 'qa-b', key: 'flaky', value });
    const order = async () =>
      (await recall('flaky integration tests quarantined')).slice(0, 2).map((f) => f.category);
    const vote = (category: string, value: 'up' | 'down') =>
      callToolText(srv, 'alice', 'ctx_knowledge', { action: 'feedback', category, key: 'flaky', value });
    const [top] = await order();
    const other = top === 'qa-a' ? 'qa-b' : 'qa-a';
    await vote(top as string, 'down');
    await vote(top as string, 'down');
    assert.deepEqual(await order(), [other, top]);
    for (let i = 0; i < 4; i++) await vote(top as string, 'up');
    assert.deepEqual(await order(), [top, other]);
  });
});
