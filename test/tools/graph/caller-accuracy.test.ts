import assert from 'node:assert/strict';
import { test } from 'node:test';
import { callToolText, startTestServer } from '../../helpers/team-server.ts';
import { measureCallers, oracleCallSites, readSources } from '../../helpers/ts-oracle.ts';

// zod's sources reach most functions through barrels (`export * from`, `export * as core from`,
// `export { _f as f } from`): a resolver that stops at the imported file misses two thirds.
test('ctx_callers against the TypeScript language service on 60 exported functions of zod: precision >= 0.95, recall >= 0.9', async () => {
  const files = readSources('node_modules/zod/src', 'zod');
  const oracle = oracleCallSites(files, (all) =>
    Array.from({ length: 60 }, (_, i) => all[Math.floor((i * all.length) / 60)]!),
  );
  assert.equal(oracle.length, 60);
  const sites = oracle.reduce((n, f) => n + f.sites.length, 0);
  assert.ok(sites >= 100, `the sample has call sites to find (${sites})`);
  const srv = await startTestServer({ files });
  try {
    // a loaded machine may need more than one build call's budget: build until none runs
    let status = await callToolText(srv, 'alice', 'ctx_index', { action: 'build' });
    while (status.includes('build running'))
      status = await callToolText(srv, 'alice', 'ctx_index', { action: 'build' });
    assert.match(status, /^build: \d+ file/);
    const acc = await measureCallers(oracle, (fn) =>
      callToolText(srv, 'alice', 'ctx_callers', { symbol: fn.name, file: fn.file }),
    );
    const report = `precision ${acc.precision.toFixed(3)}, recall ${acc.recall.toFixed(3)} over ${acc.oracleSites} sites\n${acc.misses.join('\n')}`;
    assert.ok(acc.precision >= 0.95, report);
    assert.ok(acc.recall >= 0.9, report);
  } finally {
    await srv.close();
  }
});
