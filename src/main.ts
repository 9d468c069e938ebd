/** Bin entries only: argv in, exit code out. */
export { runLazyMcp } from './cli/lazy-mcp.ts';
export { runLeanCtx } from './cli/lean-ctx.ts';
