/** `lazy-mcp`: the lazy MCP gateway (filled in by the gateway work). */
export async function runLazyMcp(argv: readonly string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write('usage: lazy-mcp [--config servers.json] [--transport stdio|http] [--port N]\n');
    return 0;
  }
  process.stderr.write('lazy-mcp: not available in this build yet\n');
  return 1;
}
