import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import {
  callTool,
  callToolText,
  type RunningTestServer,
  startTestServer,
} from '../../helpers/team-server.ts';

/**
 * A model of proofs written apart from the code: per context, the hash of the bytes each
 * path was last read at; a verdict is then "match" when the file's bytes now hash to it,
 * "changed" when they do not, "missing" when the file is gone. Random reads, rewrites,
 * deletions and re-creations over several contexts; every proof must agree with the model.
 */

const FILES = ['a.ts', 'b.md', 'dir/c.txt', 'dir/d.json', 'e.py'];
const CONTEXTS = ['ctx-1', 'ctx-2', 'ctx-3'];
const MODES = ['full', 'map', 'auto', 'lines:1-1', 'reference', 'aggressive'];
const sha = (buf: Buffer | string) => createHash('sha256').update(buf).digest('hex');

let srv: RunningTestServer;
let version = 0;
// every write has a new length, so no two versions of a file share size (see load-file's reuse rule)
const nextContent = (path: string) => {
  version++;
  return `// ${path} v${version}\n${'x'.repeat(version)}\n`;
};

before(async () => {
  srv = await startTestServer({
    tokens: [{ id: 'dev', scopes: ['search'] }],
    files: Object.fromEntries(FILES.map((f) => [f, nextContent(f)])),
  });
});
after(() => srv.close());

function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1103515245 + 12345) >>> 0;
    return s / 2 ** 32;
  };
}

test('random reads, rewrites and deletions: every proof and verdict agrees with the model', async () => {
  const next = rng(7);
  const pick = <T>(list: readonly T[]) => list[Math.floor(next() * list.length)]!;
  const model = new Map<string, Map<string, string>>(CONTEXTS.map((c) => [c, new Map()]));
  const seen = { match: 0, changed: 0, missing: 0 };
  for (let step = 1; step <= 160; step++) {
    const path = pick(FILES);
    const abs = join(srv.root, path);
    const roll = next();
    if (roll < 0.6) {
      const ctx = pick(CONTEXTS);
      const res = await callTool(srv, 'dev', {
        name: 'ctx_read',
        arguments: { path, mode: pick(MODES) },
        contextId: ctx,
      });
      const body = (await res.json()) as { result?: { isError?: boolean } };
      if (existsSync(abs)) {
        assert.equal(body.result?.isError, undefined, `read of ${path} failed`);
        model.get(ctx)!.set(path, sha(readFileSync(abs)));
      } else {
        assert.equal(body.result?.isError, true);
      }
    } else if (roll < 0.85) {
      writeFileSync(abs, nextContent(path));
    } else if (existsSync(abs)) {
      rmSync(abs);
    } else {
      writeFileSync(abs, nextContent(path));
    }
    if (step % 40 !== 0) continue;
    for (const ctx of CONTEXTS) {
      const proof = JSON.parse(
        await callToolText(srv, 'dev', 'ctx_proof', { format: 'json', max_evidence: 500 }, ctx),
      ) as { reads: { path: string; sha256: string }[] };
      const expected = [...model.get(ctx)!].sort(([a], [b]) => (a < b ? -1 : 1));
      assert.deepEqual(
        proof.reads.map((r) => [r.path, r.sha256]),
        expected,
        `step ${step}, ${ctx}: proof reads`,
      );
      const verdict = JSON.parse(await callToolText(srv, 'dev', 'ctx_verify', { proof, format: 'json' })) as {
        files: { path: string; state: 'match' | 'changed' | 'missing' }[];
        digestValid: boolean;
      };
      assert.equal(verdict.digestValid, true);
      const want = expected.map(([p, hash]) => {
        const file = join(srv.root, p);
        const state = !existsSync(file) ? 'missing' : sha(readFileSync(file)) === hash ? 'match' : 'changed';
        return [p, state] as const;
      });
      assert.deepEqual(
        verdict.files.map((f) => [f.path, f.state]),
        want,
        `step ${step}, ${ctx}: verdicts`,
      );
      for (const [, state] of want) seen[state]++;
    }
  }
  // a run that never saw each verdict proved little
  for (const [state, n] of Object.entries(seen))
    assert.ok(n >= 3, `only ${n} "${state}" verdicts were checked`);
});
