import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ChildServer, parseReadyJson, startChildServer } from './child-server.ts';
import { profileFlags } from './results.ts';

export interface TeamChildInfo {
  port: number;
  token: string;
  auditLogPath: string;
  maxRps: number;
  rateBurst: number;
}

export interface TeamChild extends ChildServer<TeamChildInfo> {
  readonly url: string;
  /** Lines in the audit log so far: proof that auditing ran during the bench. */
  auditLines(): number;
}

const script = fileURLToPath(new URL('../servers/team-server.ts', import.meta.url));

/**
 * Our team server (audit on, rate limit raised) in a child process over a temp workspace; its
 * token has `scopes` (default search).
 */
export async function startTeamChild(opts: {
  profile: boolean;
  scopes?: readonly string[];
}): Promise<TeamChild> {
  const dir = mkdtempSync(join(tmpdir(), 'leanctx-bench-'));
  const removeDir = () => rmSync(dir, { recursive: true, force: true });
  process.once('exit', removeDir);
  const child = await startChildServer<TeamChildInfo>({
    name: 'leanctx team server',
    args: [
      ...profileFlags(opts.profile, 'leanctx'),
      '--import',
      'tsx',
      script,
      '--dir',
      dir,
      ...(opts.scopes ? ['--scopes', opts.scopes.join(',')] : []),
    ],
    readyOn: 'stdout',
    parseReady: parseReadyJson,
  }).catch((err: unknown) => {
    removeDir();
    throw err;
  });
  return {
    ...child,
    url: `http://127.0.0.1:${child.info.port}`,
    auditLines() {
      const bytes = readFileSync(child.info.auditLogPath);
      let lines = 0;
      for (let i = bytes.indexOf(0x0a); i >= 0; i = bytes.indexOf(0x0a, i + 1)) lines++;
      return lines;
    },
    async close() {
      await child.close();
      removeDir();
      process.off('exit', removeDir);
    },
  };
}
