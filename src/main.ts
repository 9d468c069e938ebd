/** Bin entries only: argv in, exit code out. Each loads only its own command's modules. */
export async function runLeanCtx(argv: readonly string[]): Promise<number> {
  const { runLeanCtx: run } = await import('./cli/lean-ctx.ts');
  return run(argv);
}

export async function runLazyMcp(argv: readonly string[]): Promise<number> {
  const { runLazyMcp: run } = await import('./cli/lazy-mcp.ts');
  return run(argv);
}
