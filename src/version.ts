import { readFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

/** The package version, as /healthz and the MCP handshake report it. */
export const VERSION: string = pkg.version;
