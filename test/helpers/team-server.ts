import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createTokenSecret, sha256Hex } from '../../src/auth/tokens.ts';
import { parseTeamConfig, type TeamConfigInput } from '../../src/config/team-config.ts';
import { silentLogger } from '../../src/logger.ts';
import { openTeamServer, type TeamServer } from '../../src/server/team-server.ts';
import { builtinTools } from '../../src/tools/all-tools.ts';
import type { Tool } from '../../src/tools/define-tool.ts';

export interface TestToken {
  id: string;
  scopes?: string[];
  role?: string;
  workspaces?: string[];
}

export interface RunningTestServer {
  url: string;
  server: TeamServer;
  /** Plaintext bearer token per token id. */
  tokens: Record<string, string>;
  root: string;
  dir: string;
  auditPath: string;
  /** fetch against the server with an optional bearer token id. */
  request(path: string, init?: RequestInit & { as?: string }): Promise<Response>;
  close(): Promise<void>;
}

/** Writes files (path → content) under a new temp directory and returns it. */
export function makeTree(files: Record<string, string>, prefix = 'leanctx-ws-'): string {
  const root = mkdtempSync(join(tmpdir(), prefix));
  for (const [rel, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), content);
  }
  return root;
}

export const SAMPLE_FILES: Record<string, string> = {
  'README.md': '# Sample\n\nA small project.\n',
  'src/index.ts': 'export function main(): number {\n  return 42;\n}\n',
  'src/util.ts': 'export const add = (a: number, b: number) => a + b;\n',
  '.gitignore': 'dist/\n',
  'dist/out.js': 'ignored\n',
};

/** A real team server on 127.0.0.1:0 with a temp workspace, data dir and audit file. */
export async function startTestServer(
  opts: {
    tokens?: TestToken[];
    config?: Partial<TeamConfigInput>;
    tools?: Tool[];
    files?: Record<string, string>;
    extraWorkspaces?: { id: string; files: Record<string, string> }[];
    /** More keys of the `main` workspace (allowExec, commandAllow …). */
    workspace?: Partial<TeamConfigInput['workspaces'][number]>;
    keepAliveMs?: number;
  } = {},
): Promise<RunningTestServer> {
  const dir = mkdtempSync(join(tmpdir(), 'leanctx-server-'));
  const root = makeTree(opts.files ?? SAMPLE_FILES);
  const tokens: Record<string, string> = {};
  const tokenSpecs = opts.tokens ?? [{ id: 'alice', role: 'admin' }];
  const auditPath = join(dir, 'audit.log');
  const raw: TeamConfigInput = {
    host: '127.0.0.1',
    port: 0,
    auditLogPath: auditPath,
    dataDir: join(dir, 'data'),
    workspaces: [
      { id: 'main', root, ...opts.workspace },
      ...(opts.extraWorkspaces ?? []).map((w) => ({ id: w.id, root: makeTree(w.files) })),
    ],
    tokens: tokenSpecs.map((t) => {
      const secret = createTokenSecret(t.id);
      tokens[t.id] = secret;
      return {
        id: t.id,
        sha256Hex: sha256Hex(secret),
        scopes: t.scopes ?? [],
        ...(t.role ? { role: t.role } : {}),
        ...(t.workspaces ? { workspaces: t.workspaces } : {}),
      };
    }),
    ...opts.config,
  };
  const configPath = join(dir, 'team.json');
  writeFileSync(configPath, JSON.stringify(raw, null, 2));
  const config = parseTeamConfig(raw, dir, configPath, configPath);
  const server = await openTeamServer({
    config,
    tools: opts.tools ?? builtinTools(),
    logger: silentLogger,
    keepAliveMs: opts.keepAliveMs,
  });
  const listening = await server.listen('127.0.0.1', 0);
  return {
    url: listening.url,
    server,
    tokens,
    root,
    dir,
    auditPath,
    request(path, init = {}) {
      const headers = new Headers(init.headers);
      if (init.as) headers.set('authorization', `Bearer ${tokens[init.as]}`);
      return fetch(`${listening.url}${path}`, { ...init, headers });
    },
    close: () => server.close(),
  };
}

/** POST /v1/tools/call as a token. */
export async function callTool(
  srv: RunningTestServer,
  as: string,
  body: Record<string, unknown>,
  headers: Record<string, string> = {},
  signal?: AbortSignal,
): Promise<Response> {
  return srv.request('/v1/tools/call', {
    method: 'POST',
    as,
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
    ...(signal ? { signal } : {}),
  });
}

/** POST /v1/tools/call as a token in a context (and channel); the text of a successful result. */
export async function callToolText(
  srv: RunningTestServer,
  as: string,
  name: string,
  args: Record<string, unknown>,
  contextId?: string,
  channelId?: string,
): Promise<string> {
  const res = await callTool(srv, as, {
    name,
    arguments: args,
    ...(contextId ? { contextId } : {}),
    ...(channelId ? { channelId } : {}),
  });
  const body = (await res.json()) as { result?: { content: { text?: string }[]; isError?: boolean } };
  const text = body.result?.content[0]?.text ?? '';
  if (res.status !== 200 || body.result?.isError) {
    throw new Error(`${name} answered ${res.status}: ${text || JSON.stringify(body)}`);
  }
  return text;
}
