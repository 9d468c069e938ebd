import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTokenSecret, sha256Hex } from '../auth/tokens.ts';
import type { CliIo } from './cli-error.ts';
import { type RunningServer, runServer } from './run-server.ts';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * `npm start`: serves this repository as workspace "main" on 127.0.0.1 with a data dir in
 * .data/demo, and prints a fresh token and ready curl lines.
 */
export async function runDemo(
  io: CliIo,
  opts: { port?: number; root?: string } = {},
): Promise<RunningServer> {
  const dataDir = join(REPO_ROOT, '.data', 'demo');
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const configPath = join(dataDir, 'team.json');
  const secret = createTokenSecret('demo');
  const config = {
    host: '127.0.0.1',
    port: opts.port ?? 9877,
    defaultWorkspaceId: 'main',
    auditLogPath: 'audit.log',
    dataDir: '.',
    workspaces: [{ id: 'main', label: 'leanctx (this repository)', root: opts.root ?? REPO_ROOT }],
    tokens: [
      {
        id: 'demo',
        sha256Hex: sha256Hex(secret),
        scopes: [],
        role: 'admin',
        createdAt: new Date().toISOString(),
      },
    ],
  };
  writeFileSync(configPath, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  let running: RunningServer;
  try {
    running = await runServer(configPath, io);
  } catch (err) {
    if (opts.port !== undefined || !(err as Error).message.includes('in use')) throw err;
    io.err('port 9877 is in use; picking a free port\n');
    running = await runServer(configPath, io, { port: 0 });
  }
  const base = running.listening.url;
  io.out(
    [
      '',
      `Demo token (valid until the next npm start): ${secret}`,
      '',
      'Try it:',
      `  export TOKEN=${secret}`,
      `  curl -s ${base}/health`,
      `  curl -s -H "Authorization: Bearer $TOKEN" ${base}/v1/manifest`,
      `  curl -s -X POST -H "Authorization: Bearer $TOKEN" -H "Content-Type: application/json" \\`,
      `    -d '{"name":"ctx_tree","arguments":{"path":".","depth":2}}' ${base}/v1/tools/call`,
      '',
      `MCP clients: url ${base}/mcp with header "Authorization: Bearer $TOKEN". Ctrl-C stops.`,
      '',
    ].join('\n'),
  );
  return running;
}
