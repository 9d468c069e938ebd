#!/usr/bin/env node
// `lean-ctx … | head` closes stdout early: that is the reader's choice, not an error.
process.stdout.on('error', (err) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});
const { runLeanCtx } = await import('../dist/main.js');
process.exitCode = await runLeanCtx(process.argv.slice(2));
