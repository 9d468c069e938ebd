import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  callTool,
  callToolText,
  type RunningTestServer,
  startTestServer,
} from '../../helpers/team-server.ts';

/**
 * Names that Object.prototype also has: an import map looked up with `map[name]` finds
 * Object's `constructor` or `toString` where the file has none (seen on lodash-es).
 */
const FILES: Record<string, string> = {
  'src/text.ts': 'export function toString(v: unknown): string {\n  return String(v);\n}\n',
  'src/use.ts': [
    "import { toString as str } from './text';",
    "import * as constructor from './text';",
    '',
    'export function show(v: unknown): string {',
    '  valueOf();',
    '  hasOwnProperty();',
    '  constructor.toString(v);',
    '  return str(v);',
    '}',
    '',
  ].join('\n'),
  'src/plain.ts': "import { toString } from './text';\n\nexport const shown = toString(1);\n",
  'src/constructor.ts': "export { toString as __proto__, toString as constructor } from './text';\n",
};

describe('the graph with names that Object.prototype also has', () => {
  let srv: RunningTestServer;
  before(async () => {
    srv = await startTestServer({ files: FILES });
  });
  after(() => srv.close());

  test('ctx_callers answers for toString, valueOf and constructor instead of failing', async () => {
    const callers = await callToolText(srv, 'alice', 'ctx_callers', {
      symbol: 'toString',
      file: 'src/text.ts',
    });
    assert.match(callers, /src\/use\.ts:8/, callers);
    assert.match(callers, /src\/use\.ts:7/, callers);
    assert.match(callers, /src\/plain\.ts:3/, callers);
    // a name with no definition is a tool error naming it (and the nearest names), never a crash
    for (const symbol of ['valueOf', 'hasOwnProperty', 'constructor', '__proto__']) {
      const res = await callTool(srv, 'alice', { name: 'ctx_callers', arguments: { symbol } });
      const text = await res.text();
      assert.equal(res.status, 200, text);
      assert.doesNotMatch(text, /internal_error|SQLite3 can only bind|TypeError/, `${symbol}: ${text}`);
    }
  });

  test('every file is indexed by tree-sitter, none skipped', async () => {
    const status = await callToolText(srv, 'alice', 'ctx_index', { action: 'status' });
    assert.match(status, /4 files/, status);
    assert.doesNotMatch(status, /[1-9]\d* skipped/, status);
  });
});
