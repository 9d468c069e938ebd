import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { createDirectTools, type DirectTools } from '../helpers/tool-context.ts';

const CANARY = 'CANARY-7f3a-outside-the-workspace';

let outer: string;
let ws: string;
let tools: DirectTools;

before(() => {
  outer = realpathSync(mkdtempSync(join(tmpdir(), 'jail-attacks-')));
  ws = join(outer, 'ws');
  mkdirSync(join(ws, 'src', 'deep', 'er'), { recursive: true });
  writeFileSync(join(ws, 'src', 'ok.ts'), 'export const fine = 1;\n');
  writeFileSync(join(outer, 'outside.txt'), `${CANARY}\n`);
  writeFileSync(join(outer, 'ws-sibling.txt'), `${CANARY}\n`);
  mkdirSync(join(outer, 'ws2'));
  writeFileSync(join(outer, 'ws2', 'x.txt'), `${CANARY}\n`);
  mkdirSync(join(outer, 'hop'));
  writeFileSync(join(outer, 'hop', 'secret.txt'), `${CANARY}\n`);
  // symlinks that leave: a file, a directory, an absolute target, a chain, a loop
  symlinkSync(join(outer, 'outside.txt'), join(ws, 'link-file-abs'));
  symlinkSync('../outside.txt', join(ws, 'link-file-rel'));
  symlinkSync('..', join(ws, 'link-parent'));
  symlinkSync('/etc', join(ws, 'link-etc'));
  symlinkSync(outer, join(ws, 'src', 'deep', 'er', 'link-outer'));
  symlinkSync('chain-b', join(ws, 'chain-a'));
  symlinkSync('chain-c', join(ws, 'chain-b'));
  symlinkSync('../hop', join(ws, 'chain-c'));
  symlinkSync('loop-b', join(ws, 'loop-a'));
  symlinkSync('loop-a', join(ws, 'loop-b'));
  // out and back in: a link to a place outside that links back into the workspace
  symlinkSync(join(ws, 'src'), join(outer, 'hop', 'back-in'));
  symlinkSync(join(outer, 'hop', 'back-in'), join(ws, 'out-and-back'));
  symlinkSync(join(outer, 'ws2'), join(ws, 'prefix-twin'));
  tools = createDirectTools(ws);
});
after(() => tools.close());

const ATTACKS: string[] = [
  '..',
  '../',
  '../outside.txt',
  '../../etc/passwd',
  '../../../../../../../../etc/passwd',
  'src/../../outside.txt',
  'src/deep/../../../outside.txt',
  './../outside.txt',
  'src/./../../outside.txt',
  '../ws/../outside.txt',
  '../ws2/x.txt',
  '../ws-sibling.txt',
  '/etc/passwd',
  '/etc',
  '/',
  '/tmp',
  '//etc/passwd',
  '/proc/self/environ',
  '/proc/self/cwd/package.json',
  '/dev/null',
  'OUTER/outside.txt', // replaced with the absolute outer dir below
  'src/ok.ts\0.txt',
  '\0',
  'src/\0/../../outside.txt',
  'a'.repeat(5000),
  `${'x/'.repeat(2100)}ok.ts`,
  '%2e%2e/outside.txt',
  '%2e%2e%2foutside.txt',
  '..%2foutside.txt',
  '%252e%252e%252foutside.txt',
  '..\\outside.txt',
  '..\\..\\etc\\passwd',
  'src\\..\\..\\outside.txt',
  '~',
  '~/.ssh/id_rsa',
  '~root/.bashrc',
  '$HOME/.bashrc',
  'file:///etc/passwd',
  'link-file-abs',
  'link-file-rel',
  'link-parent',
  'link-parent/outside.txt',
  'link-parent/ws2/x.txt',
  'link-etc',
  'link-etc/passwd',
  'src/deep/er/link-outer',
  'src/deep/er/link-outer/outside.txt',
  'chain-a',
  'chain-a/secret.txt',
  'loop-a',
  'out-and-back',
  'out-and-back/ok.ts',
  'prefix-twin/x.txt',
  'link-parent/ws/src/ok.ts',
];

interface Attempt {
  tool: string;
  args: Record<string, unknown>;
}

function attemptsFor(path: string): Attempt[] {
  return [
    { tool: 'ctx_read', args: { path } },
    { tool: 'ctx_read', args: { path, mode: 'lines:1-5' } },
    { tool: 'ctx_tree', args: { path } },
    { tool: 'ctx_search', args: { pattern: 'CANARY', path } },
  ];
}

test(`the attack corpus has at least 40 paths (${ATTACKS.length})`, () => {
  assert.ok(ATTACKS.length >= 40);
});

for (const raw of ATTACKS) {
  const label = JSON.stringify(raw.length > 60 ? `${raw.slice(0, 40)}…(${raw.length} chars)` : raw);
  test(`path ${label} is refused by ctx_read, ctx_tree and ctx_search, and nothing outside is read`, async () => {
    const path = raw.replace('OUTER', outer);
    for (const { tool, args } of attemptsFor(path)) {
      const result = await tools.call(tool, args);
      const text = result.content.map((c) => (c.type === 'text' ? c.text : '')).join('\n');
      assert.equal(result.isError, true, `${tool} ${label} answered: ${text.slice(0, 200)}`);
      assert.ok(!text.includes(CANARY), `${tool} ${label} leaked the canary`);
      assert.ok(!/root:x:0:0/.test(text), `${tool} ${label} leaked /etc/passwd`);
    }
  });
}

test('searching and listing the whole workspace never follows a symlink out', async () => {
  for (const ignore_gitignore of [false, true]) {
    const text = await tools.text('ctx_search', { pattern: 'CANARY', ignore_gitignore });
    assert.match(text, /^0 matches/);
  }
  const tree = await tools.text('ctx_tree', { depth: 10, show_hidden: true });
  assert.ok(!tree.includes('outside.txt') && !tree.includes('x.txt'));
});

test('ordinary paths inside the workspace still work', async () => {
  for (const path of ['src/ok.ts', './src/ok.ts', 'src/deep/../ok.ts', `${ws}/src/ok.ts`]) {
    const result = await tools.call('ctx_read', { path });
    assert.notEqual(result.isError, true, path);
  }
});
