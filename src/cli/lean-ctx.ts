export async function runLeanCtx(argv: readonly string[]): Promise<number> {
  process.stderr.write(`lean-ctx: ${argv.join(' ')}: not yet\n`);
  return 1;
}
