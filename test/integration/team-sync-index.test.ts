import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { localDataDir } from '../../src/config/client-config.ts';
import { createSqliteGraphStore } from '../../src/store/sqlite/graph-store.ts';
import { createSqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { runCli } from '../helpers/cli.ts';
import { makeTree } from '../helpers/team-server.ts';

const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', ['-c', 'user.email=t@example.com', '-c', 'user.name=t', ...args], {
    cwd,
    encoding: 'utf8',
  });

/** Commits every change in `dir` and pushes it to its origin. */
function commitAndPush(dir: string, message: string) {
  git(dir, 'add', '-A');
  git(dir, 'commit', '-qm', message);
  git(dir, 'push', '-q', 'origin', 'HEAD:main');
}

/** Files in a workspace's code graph, read from the graph the CLI wrote. */
function graphFiles(dataDir: string, id: string): string[] {
  const store = createSqliteGraphStore(join(dataDir, 'workspaces', id, 'graph.sqlite'));
  try {
    return [...store.stats().keys()].sort();
  } finally {
    store.close();
  }
}

describe('lean-ctx team sync --pull and index build', () => {
  test('team sync --pull fast-forwards a clean clone, refuses a dirty tree and a diverged branch, re-indexes and records graph_built', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sync-pull-'));
    const remote = join(dir, 'remote.git');
    git(dir, 'init', '-q', '--bare', '-b', 'main', remote);
    const seed = join(dir, 'seed');
    git(dir, 'clone', '-q', remote, seed);
    git(seed, 'checkout', '-q', '-b', 'main');
    writeFileSync(join(seed, 'lib.ts'), 'export function target(n: number) {\n  return n + 1;\n}\n');
    commitAndPush(seed, 'first');
    const clone = (name: string) => {
      git(dir, 'clone', '-q', remote, join(dir, name));
      return join(dir, name);
    };
    const clean = clone('clean');
    const dirty = clone('dirty');
    const diverged = clone('diverged');
    // the remote moves on: a new file that calls target()
    writeFileSync(
      join(seed, 'app.ts'),
      "import { target } from './lib';\n\nexport const two = () => target(1);\n",
    );
    commitAndPush(seed, 'second');
    writeFileSync(join(dirty, 'lib.ts'), 'export function target(n: number) {\n  return n + 2;\n}\n');
    writeFileSync(join(diverged, 'local.ts'), 'export const mine = 1;\n');
    git(diverged, 'add', '-A');
    git(diverged, 'commit', '-qm', 'local work');
    const notGit = makeTree({ 'x.ts': 'export const x = 1;\n' });
    const dataDir = join(dir, 'data');
    const config = join(dir, 'team.json');
    writeFileSync(
      config,
      JSON.stringify({
        dataDir,
        workspaces: [
          { id: 'clean', root: clean },
          { id: 'dirty', root: dirty },
          { id: 'diverged', root: diverged },
          { id: 'notes', root: notGit },
        ],
      }),
    );

    const r = runCli(['team', 'sync', '--pull', '--config', config]);
    assert.equal(r.status, 1, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, /clean: fetched/);
    assert.match(r.stdout, /clean: fast-forwarded main \w+\.\.\w+ \(1 commit\(s\)\)/);
    assert.match(r.stdout, /clean: indexed 2 files \(2 parsed\)/);
    assert.match(r.stdout, /notes: not a git checkout/);
    assert.match(
      r.stderr,
      /dirty: not pulled: the working tree has uncommitted changes \(1 file\(s\): lib\.ts\); commit or stash them/,
    );
    assert.match(
      r.stderr,
      /diverged: not pulled: branch main has diverged from origin\/main \(1 local, 1 remote commit\(s\)\); rebase or merge it by hand/,
    );
    assert.match(r.stderr, /team sync: failed for dirty, diverged/);
    // the clean clone has the new file and its graph has it; the refused ones are untouched
    assert.ok(existsSync(join(clean, 'app.ts')));
    assert.ok(!existsSync(join(dirty, 'app.ts')));
    assert.ok(!existsSync(join(diverged, 'app.ts')));
    assert.match(readFileSync(join(dirty, 'lib.ts'), 'utf8'), /n \+ 2/);
    assert.deepEqual(graphFiles(dataDir, 'clean'), ['app.ts', 'lib.ts']);
    assert.ok(
      !existsSync(join(dataDir, 'workspaces', 'dirty', 'graph.sqlite')),
      'a refused workspace is not indexed',
    );
    const store = createSqliteStore(join(dataDir, 'leanctx.db'));
    try {
      const events = await store.events.since('clean', 'main', 0, 10);
      const built = events.find((e) => e.kind === 'graph_built');
      assert.ok(built, JSON.stringify(events));
      assert.equal(built.payload.files, 2);
      assert.equal(built.actor, 'team-sync');
    } finally {
      await store.close();
    }

    // a second run: nothing new to pull, nothing to parse; the refused ones still fail
    const again = runCli(['team', 'sync', '--pull', '--config', config, '--workspace', 'clean']);
    assert.equal(again.status, 0, again.stderr);
    assert.match(again.stdout, /clean: up to date/);
    assert.match(again.stdout, /clean: indexed 2 files \(0 parsed\)/);
  });

  test('index build prints plain progress lines without a terminal, for a path and for a team.json workspace', () => {
    const root = makeTree({
      'src/a.ts': "import { b } from './b';\nexport const a = () => b();\n",
      'src/b.ts': 'export function b() {\n  return 1;\n}\n',
      'tool.py': 'def main():\n    return 0\n',
    });
    const state = mkdtempSync(join(tmpdir(), 'xdg-'));
    const env = { XDG_STATE_HOME: state };
    const first = runCli(['index', 'build', root], { env });
    assert.equal(first.status, 0, first.stderr);
    assert.match(first.stdout, /^local: building the code graph of /m);
    assert.match(first.stdout, /^3\/3 files \(100%\)\s+\d+ files\/s\s+ETA —$/m);
    assert.match(first.stdout, /^local: indexed 3 files \(3 parsed\) in \d+(\.\d)? s$/m);
    assert.ok(
      !first.stdout.includes('\r') && !first.stderr.includes('\x1b'),
      'no terminal control without a TTY',
    );
    assert.deepEqual(graphFiles(localDataDir(root, { ...process.env, ...env }), 'local'), [
      'src/a.ts',
      'src/b.ts',
      'tool.py',
    ]);
    const again = runCli(['index', 'build', root], { env });
    assert.match(again.stdout, /^local: indexed 3 files \(0 parsed\)/m);

    const dataDir = mkdtempSync(join(tmpdir(), 'index-data-'));
    const config = join(dataDir, 'team.json');
    writeFileSync(config, JSON.stringify({ dataDir, workspaces: [{ id: 'web', root }] }));
    const ws = runCli(['index', 'build', '--workspace', 'web', '--config', config, '--full']);
    assert.equal(ws.status, 0, ws.stderr);
    assert.match(ws.stdout, /^web: indexed 3 files \(3 parsed\)/m);
    const unknown = runCli(['index', 'build', '--workspace', 'nope', '--config', config]);
    assert.equal(unknown.status, 2);
    assert.match(unknown.stderr, /unknown workspace "nope"; known: web/);
    const missing = runCli(['index', 'build', join(root, 'nope')]);
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /is not a directory; give a project directory or --workspace ID/);
  });
});
