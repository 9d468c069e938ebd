#!/usr/bin/env node
// `lazy-mcp … | head` closes stdout early: that is the reader's choice, not an error.
process.stdout.on('error', (err) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});
const { runLazyMcp } = await import('../dist/main.js');
process.exitCode = await runLazyMcp(process.argv.slice(2));
