#!/usr/bin/env node
import { register } from 'tsx/esm/api';

register();
// `lean-ctx … | head` closes stdout early: that is the reader's choice, not an error.
process.stdout.on('error', (err) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});
const { runLazyMcp } = await import('../src/main.ts');
process.exitCode = await runLazyMcp(process.argv.slice(2));
