import { z } from 'zod';
import { defineTool } from '../../src/tools/define-tool.ts';

/**
 * A tool that does nothing but answer, registered only in the bench server: calling it runs
 * the whole call pipeline (auth, scopes, limiter, audit, usage, events, metrics) without any
 * engine work, so a bench can tell pipeline cost from ctx_read cost. It mirrors the reference
 * server's `echo`.
 */
export const benchEcho = defineTool({
  name: 'bench_echo',
  description: 'Echoes the message back (bench only).',
  scope: 'search',
  readOnly: true,
  input: z.object({ message: z.string() }),
  async run(args) {
    return `Echo: ${args.message}`;
  },
});
