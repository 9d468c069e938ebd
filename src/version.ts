import { createRequire } from 'node:module';

const pkg = createRequire(import.meta.url)('../package.json') as { version: string };

/** The package version, as /healthz and the MCP handshake report it. */
export const VERSION: string = pkg.version;
