#!/usr/bin/env node
import { register } from 'tsx/esm/api';

register();
const { runLazyMcp } = await import('../src/main.ts');
process.exitCode = await runLazyMcp(process.argv.slice(2));
