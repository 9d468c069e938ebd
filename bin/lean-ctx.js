#!/usr/bin/env node
import { register } from 'tsx/esm/api';

register();
const { runLeanCtx } = await import('../src/main.ts');
process.exitCode = await runLeanCtx(process.argv.slice(2));
