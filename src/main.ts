import { VERSION } from './version.ts';

/** `--version` alone needs nothing but the version: no argument parser, no command module. */
function asksOnlyVersion(argv: readonly string[]): boolean {
  return argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V');
}

/** Bin entries only: argv in, exit code out. Each loads only its own command's modules. */
export async function runLeanCtx(argv: readonly string[]): Promise<number> {
  if (asksOnlyVersion(argv)) return printVersion();
  const { runLeanCtx: run } = await import('./cli/lean-ctx.ts');
  return run(argv);
}

export async function runLazyMcp(argv: readonly string[]): Promise<number> {
  if (asksOnlyVersion(argv)) return printVersion();
  const { runLazyMcp: run } = await import('./cli/lazy-mcp.ts');
  return run(argv);
}

function printVersion(): number {
  process.stdout.write(`${VERSION}\n`);
  return 0;
}
