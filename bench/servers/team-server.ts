// Our team server for the http and mcp benches, in its own process. The parent passes a temp
// dir (--dir) that holds the workspace, data dir and audit log, and removes it afterwards.
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createTokenSecret, sha256Hex } from '../../src/auth/tokens.ts';
import { parseTeamConfig } from '../../src/config/team-config.ts';
import { silentLogger } from '../../src/logger.ts';
import { createTeamServer } from '../../src/server/team-server.ts';
import { builtinTools } from '../../src/tools/all-tools.ts';
import { announceReady, closeOnSignal } from '../lib/server-process.ts';
import { benchEcho } from './bench-echo-tool.ts';

/** High enough that the limiter never answers 429 during a bench; it still runs on every call. */
const BENCH_RATE_LIMIT = 1_000_000;

const { values } = parseArgs({ options: { dir: { type: 'string' }, scopes: { type: 'string' } } });
if (!values.dir) throw new Error('usage: team-server.ts --dir <temp dir>');
const dir = values.dir;

const root = join(dir, 'workspace');
mkdirSync(root, { recursive: true });
copyFileSync(new URL('../../package.json', import.meta.url), join(root, 'package.json'));

const token = createTokenSecret('bench');
const config = parseTeamConfig(
  {
    host: '127.0.0.1',
    port: 0,
    workspaces: [{ id: 'main', root }],
    tokens: [{ id: 'bench', sha256Hex: sha256Hex(token), scopes: values.scopes?.split(',') ?? ['search'] }],
    auditLogPath: join(dir, 'audit.jsonl'),
    dataDir: join(dir, 'data'),
    maxRps: BENCH_RATE_LIMIT,
    rateBurst: BENCH_RATE_LIMIT,
    // one bench token stands for many agents (the sessions bench opens 32 streams)
    maxEventStreamsPerToken: 256,
    maxMcpSessionsPerToken: 256,
  },
  dir,
);

const server = createTeamServer({ config, logger: silentLogger, tools: [...builtinTools(), benchEcho] });
const listening = await server.listen('127.0.0.1', 0);
announceReady({
  port: listening.port,
  token,
  auditLogPath: config.auditLogPath,
  maxRps: config.maxRps,
  rateBurst: config.rateBurst,
});
closeOnSignal(() => server.close());
