import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MAX_JSON_LIST, toJsonAnswer } from '../../../src/tools/graph/json-answer.ts';

test('a JSON answer cuts long lists at 500 entries and names each cut list with its full length', () => {
  const long = Array.from({ length: 1234 }, (_, i) => `f${i}.ts`);
  const answer = JSON.parse(
    toJsonAnswer({ total: 1234, files: long, communities: [{ files: long.slice(0, 3) }, { files: long }] }),
  ) as { total: number; files: string[]; communities: { files: string[] }[]; cut: Record<string, number> };
  assert.equal(answer.files.length, MAX_JSON_LIST);
  assert.deepEqual(answer.files.slice(0, 2), ['f0.ts', 'f1.ts']);
  assert.equal(answer.communities[0]!.files.length, 3);
  assert.deepEqual(answer.cut, { files: 1234, 'communities[1].files': 1234 });
  assert.equal(answer.total, 1234);
  assert.equal('cut' in JSON.parse(toJsonAnswer({ files: ['a'] })), false);
});
