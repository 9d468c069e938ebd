import { execFile } from 'node:child_process';
import {
  accessSync,
  constants,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmdirSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { SANDBOX_SETUP } from './setup-script.ts';

/** What code run by ctx_execute (and ctx_shell with `sandbox: true`) is held in. */
export interface SandboxStatus {
  /** True when runs are in Linux namespaces; false: they run as plain child processes. */
  sandboxed: boolean;
  method: 'linux-namespaces' | 'none';
  /** One sentence for answers and the manifest: what is held back, or why nothing is. */
  detail: string;
  /** How the number of processes is capped: a pids cgroup, RLIMIT_NPROC, or not at all. */
  processCap: 'cgroup' | 'rlimit' | 'none';
}

export interface SandboxLimits {
  /** RLIMIT_CPU: CPU seconds before the kernel kills the program. */
  cpuSeconds: number;
  /** RLIMIT_DATA: bytes of heap and writable private mappings. */
  dataBytes: number;
  /** RLIMIT_FSIZE: the largest file the program may write. */
  fileBytes: number;
  /** Processes and threads at once (a pids cgroup where one can be made). */
  maxProcesses: number;
}

export const DEFAULT_SANDBOX_LIMITS: SandboxLimits = {
  cpuSeconds: 30,
  dataBytes: 1024 * 1024 * 1024,
  fileBytes: 64 * 1024 * 1024,
  maxProcesses: 128,
};

export interface SandboxRequest {
  /** Real path of the workspace root: the only project directory the program sees. */
  root: string;
  /** Where the program starts (inside the root). */
  cwd: string;
  /** Whether the workspace is writable inside (read-only by default). */
  write: boolean;
  /** Directories outside the system ones a toolchain lives in (bound read-only). */
  extraDirs?: readonly string[];
  /** A host file copied to `codeAt` inside the sandbox before the program starts. */
  codeFrom?: string;
  codeAt?: string;
  limits: SandboxLimits;
}

/** How to run a program under the sandbox, and what to remove after it ended. */
export interface SandboxedArgv {
  wrap(argv: readonly string[]): string[];
  /** Removes the mount point and the cgroup; call once the program and its group ended. */
  cleanup(): void;
}

const SYSTEM_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

function findProgram(name: string): string | undefined {
  for (const dir of [...(process.env.PATH ?? '').split(delimiter), ...SYSTEM_PATH.split(':')]) {
    if (!dir) continue;
    const full = join(dir, name);
    try {
      accessSync(full, constants.X_OK);
      return full;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** The pids cgroup directory new groups go under, when this process may make them. */
function pidsCgroupBase(): string | undefined {
  const v1 = '/sys/fs/cgroup/pids';
  if (existsSync(join(v1, 'cgroup.procs'))) {
    try {
      accessSync(v1, constants.W_OK);
      return v1;
    } catch {
      return undefined;
    }
  }
  const v2 = '/sys/fs/cgroup';
  try {
    const enabled = readFileSync(join(v2, 'cgroup.subtree_control'), 'utf8');
    if (!enabled.split(/\s+/).includes('pids')) return undefined;
    accessSync(v2, constants.W_OK);
    return v2;
  } catch {
    return undefined;
  }
}

let cgroupSeq = 0;

function makePidsCgroup(base: string, max: number): string | undefined {
  const dir = join(base, `leanctx-${process.pid}-${++cgroupSeq}`);
  try {
    mkdirSync(dir);
    writeFileSync(join(dir, 'pids.max'), String(max));
    return dir;
  } catch {
    try {
      rmdirSync(dir);
    } catch {
      // never made
    }
    return undefined;
  }
}

function removeCgroup(dir: string, attempt = 0): void {
  try {
    rmdirSync(dir);
  } catch {
    // processes of the pid namespace may still be exiting: try again shortly
    if (attempt < 20) setTimeout(() => removeCgroup(dir, attempt + 1), 250).unref();
  }
}

function limitArgs(limits: SandboxLimits, nproc: boolean): string[] {
  return [
    `--cpu=${limits.cpuSeconds}`,
    `--data=${limits.dataBytes}`,
    `--fsize=${limits.fileBytes}`,
    '--nofile=1024',
    ...(nproc ? [`--nproc=${limits.maxProcesses}`] : []),
    '--',
  ];
}

const UNSHARE_FLAGS = [
  '--user',
  '--map-root-user',
  '--mount',
  '--net',
  '--pid',
  '--ipc',
  '--uts',
  '--fork',
  '--kill-child',
];

interface Tools {
  unshare: string;
  prlimit: string | undefined;
}

function sandboxArgv(tools: Tools, req: SandboxRequest, cgroupBase: string | undefined): SandboxedArgv {
  const mountPoint = mkdtempSync(join(tmpdir(), 'leanctx-sandbox-'));
  const cgroup = cgroupBase ? makePidsCgroup(cgroupBase, req.limits.maxProcesses) : undefined;
  const nproc = !cgroup && process.getuid?.() !== 0;
  return {
    wrap: (argv) => [
      tools.unshare,
      ...UNSHARE_FLAGS,
      '/bin/sh',
      '-c',
      SANDBOX_SETUP,
      'leanctx-sandbox',
      mountPoint,
      req.root,
      req.write ? '1' : '0',
      req.cwd,
      cgroup ?? '',
      req.codeFrom ?? '',
      req.codeAt ?? '',
      (req.extraDirs ?? []).join(':'),
      ...(tools.prlimit ? [tools.prlimit, ...limitArgs(req.limits, nproc)] : []),
      ...argv,
    ],
    cleanup() {
      try {
        rmdirSync(mountPoint);
      } catch {
        // already gone
      }
      if (cgroup) removeCgroup(cgroup);
    },
  };
}

/** The same limits without namespaces, for machines where no sandbox can be made. */
function plainArgv(tools: Tools, req: SandboxRequest): SandboxedArgv {
  return {
    wrap: (argv) =>
      tools.prlimit
        ? [tools.prlimit, ...limitArgs(req.limits, process.getuid?.() !== 0), ...argv]
        : [...argv],
    cleanup() {},
  };
}

function run(argv: readonly string[], timeoutMs: number): Promise<{ ok: boolean; out: string }> {
  const [program, ...args] = argv;
  return new Promise((resolve) => {
    execFile(program as string, args, { timeout: timeoutMs, encoding: 'utf8' }, (err, stdout, stderr) => {
      resolve({ ok: !err, out: `${stdout}${stderr}` });
    });
  });
}

let status: Promise<SandboxStatus> | undefined;
let tools: Tools | undefined;

/**
 * Whether this machine can sandbox: tried once by really building a sandbox around
 * `sh -c 'echo'` (a kernel without unprivileged user namespaces, a seccomp profile or a
 * missing util-linux all show up here). `LEANCTX_SANDBOX=off` turns it off.
 */
export function sandboxStatus(): Promise<SandboxStatus> {
  status ??= probe();
  return status;
}

/**
 * Removes what a server killed mid-run left behind: empty pids cgroups of processes that are
 * gone, and empty mount points older than an hour (rmdir never removes a non-empty one).
 */
function sweepLeftovers(base: string | undefined): void {
  const alive = (pid: number) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch (err) {
      return (err as NodeJS.ErrnoException).code === 'EPERM';
    }
  };
  try {
    for (const name of base ? readdirSync(base) : []) {
      const pid = /^leanctx-(\d+)-\d+$/.exec(name)?.[1];
      if (pid && !alive(Number(pid))) rmdirSync(join(base as string, name));
    }
  } catch {
    // another server's, or not ours to remove
  }
  const hourAgo = Date.now() - 3600_000;
  try {
    for (const name of readdirSync(tmpdir())) {
      if (!name.startsWith('leanctx-sandbox-')) continue;
      const dir = join(tmpdir(), name);
      try {
        if (statSync(dir).mtimeMs < hourAgo) rmdirSync(dir);
      } catch {
        // in use or not empty
      }
    }
  } catch {
    // tmpdir unreadable
  }
}

async function probe(): Promise<SandboxStatus> {
  const prlimit = findProgram('prlimit');
  const unshare = findProgram('unshare');
  tools = { unshare: unshare ?? 'unshare', prlimit };
  const none = (why: string): SandboxStatus => ({
    sandboxed: false,
    method: 'none',
    detail: `UNSANDBOXED: ${why}; code runs as a plain child process with the server's user rights (only CPU, memory, file-size limits and an environment allow-list apply)`,
    processCap: process.getuid?.() !== 0 && prlimit ? 'rlimit' : 'none',
  });
  if (process.env.LEANCTX_SANDBOX === 'off') return none('LEANCTX_SANDBOX=off');
  if (process.platform !== 'linux') return none(`namespaces are Linux-only (this is ${process.platform})`);
  for (const name of ['unshare', 'setpriv', 'chroot', 'mount']) {
    if (!findProgram(name)) return none(`\`${name}\` (util-linux/coreutils) is not installed`);
  }
  const base = pidsCgroupBase();
  sweepLeftovers(base);
  const root = mkdtempSync(join(tmpdir(), 'leanctx-sandbox-probe-'));
  const argv = sandboxArgv(tools, { root, cwd: root, write: false, limits: DEFAULT_SANDBOX_LIMITS }, base);
  try {
    const result = await run(argv.wrap(['/bin/sh', '-c', 'echo leanctx-sandbox-ok']), 20_000);
    if (!result.ok || !result.out.includes('leanctx-sandbox-ok')) {
      const why = result.out.trim().split('\n').at(-1) ?? 'no output';
      return none(`building a namespace sandbox failed here (${why})`);
    }
  } finally {
    argv.cleanup();
    try {
      rmdirSync(root);
    } catch {
      // left for the OS
    }
  }
  const processCap = base ? 'cgroup' : process.getuid?.() !== 0 ? 'rlimit' : 'none';
  return {
    sandboxed: true,
    method: 'linux-namespaces',
    detail:
      'sandboxed: Linux namespaces (no network, only system dirs and this workspace visible, private /tmp, no capabilities)' +
      (processCap === 'none'
        ? '; the process count is not capped here (no pids cgroup, running as root)'
        : ''),
    processCap,
  };
}

/** The argv wrapper for one run: namespaces when the machine allows, else plain limits. */
export async function prepareRun(
  req: SandboxRequest,
): Promise<{ status: SandboxStatus; argv: SandboxedArgv }> {
  const s = await sandboxStatus();
  const t = tools as Tools;
  return { status: s, argv: s.sandboxed ? sandboxArgv(t, req, pidsCgroupBase()) : plainArgv(t, req) };
}
