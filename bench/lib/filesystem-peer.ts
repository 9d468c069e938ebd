import { createRequire } from 'node:module';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';

/** @modelcontextprotocol/server-filesystem over stdio, rooted at `root`: the peer of search and tree. */
export interface FilesystemPeer {
  call(name: string, args: Record<string, unknown>): Promise<string>;
  close(): Promise<void>;
}

export async function startFilesystemPeer(root: string): Promise<FilesystemPeer> {
  const require = createRequire(import.meta.url);
  const entry = require.resolve('@modelcontextprotocol/server-filesystem/dist/index.js');
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [entry, root],
    stderr: 'ignore',
  });
  const client = new Client({ name: 'leanctx-bench', version: '0.0.0' });
  await client.connect(transport);
  return {
    async call(name, args) {
      const result = await client.callTool({ name, arguments: args }, undefined, { timeout: 600_000 });
      const first = (result.content as { type: string; text?: string }[])[0];
      return first?.type === 'text' ? (first.text ?? '') : '';
    },
    close: () => client.close(),
  };
}
