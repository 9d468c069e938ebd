import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { callToolText, startTestServer } from '../test/helpers/team-server.ts';
function copyPackage(dir: string, prefix: string, ext = /\.ts$/): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (abs: string) => {
    for (const e of readdirSync(abs, { withFileTypes: true })) {
      const p = join(abs, e.name);
      if (e.isDirectory()) walk(p);
      else if (ext.test(e.name)) files[`${prefix}/${relative(dir, p)}`] = readFileSync(p, 'utf8');
    }
  };
  walk(dir);
  return files;
}
test('x', async () => {
  const srv = await startTestServer({ files: copyPackage('node_modules/tailwind-merge/src', 'src') });
  console.log(await callToolText(srv, 'alice', 'ctx_index', { action: 'build' }));
  console.log(await callToolText(srv, 'alice', 'ctx_smells', { action: 'scan' }));
  await srv.close();
});
