import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createWorkspace } from '/work/wt/gfw/src/engine/workspace.ts';
import { graphOf } from '/work/wt/gfw/src/tools/graph/graph-of.ts';
import { findSmells } from '/work/wt/gfw/src/engine/graph/find-smells.ts';
import { closeEnginePool } from '/work/wt/gfw/src/engine/workers/engine-pool.ts';
const ws = createWorkspace({ id: 'c', root: process.argv[2]!, dataDir: mkdtempSync(join(tmpdir(), 'perf-')) });
const g = graphOf(ws);
await g.rebuild(false, 600000);
const store = g.store as any;
const max: Record<string, number> = {};
for (const k of Object.keys(store)) {
  const f = store[k];
  if (typeof f !== 'function') continue;
  store[k] = (...a: unknown[]) => { const t = performance.now(); const r = f(...a); const d = performance.now() - t; max[k] = Math.max(max[k] ?? 0, d); return r; };
}
let last = performance.now(); let worst = 0;
const iv = setInterval(() => { const now = performance.now(); worst = Math.max(worst, now - last); last = now; }, 1);
const t = performance.now();
await findSmells(store, { include: () => true });
clearInterval(iv);
console.log(Math.round(performance.now() - t), 'ms; worst gap', Math.round(worst), max);
await closeEnginePool();
