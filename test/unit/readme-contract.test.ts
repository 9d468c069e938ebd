import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { ERROR_CODES } from '../../src/errors.ts';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

test("the README's error table lists exactly the codes of src/errors.ts with their statuses", () => {
  const table = readme.slice(
    readme.indexOf('<!-- error-table:start -->'),
    readme.indexOf('<!-- error-table:end -->'),
  );
  const rows = [...table.matchAll(/^\| (\d{3}) \| `([a-z_]+)` \|/gm)].map(
    (m) => [m[2], Number(m[1])] as const,
  );
  assert.deepEqual(
    Object.fromEntries(rows),
    Object.fromEntries(Object.entries(ERROR_CODES).map(([code, row]) => [code, row.status])),
  );
});

test('the README starts with the two fresh-machine commands, and .ci/run runs the test one', () => {
  const head = readme.slice(0, 1500);
  assert.match(head, /npm ci && npm start/);
  assert.match(head, /npm ci && npm test/);
  const ci = readFileSync(new URL('../../.ci/run', import.meta.url), 'utf8');
  assert.match(ci, /^npm ci && npm test$/m);
});
