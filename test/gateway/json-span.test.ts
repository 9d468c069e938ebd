import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { memberText } from '../../src/gateway/json-span.ts';

const space = fc.constantFrom('', ' ', '\n', '\t ', '\r\n  ');

/** JSON text of `value` with random whitespace between tokens, as a server might write it. */
function spaced(value: unknown, ws: () => string): string {
  if (Array.isArray(value))
    return `[${ws()}${value.map((v) => spaced(v, ws)).join(`${ws()},${ws()}`)}${ws()}]`;
  if (value !== null && typeof value === 'object') {
    const members = Object.entries(value).map(
      ([k, v]) => `${JSON.stringify(k)}${ws()}:${ws()}${spaced(v, ws)}`,
    );
    return `{${ws()}${members.join(`${ws()},${ws()}`)}${ws()}}`;
  }
  return JSON.stringify(value);
}

test('memberText is the text of the member JSON.parse reads, whitespace, escapes and nesting included', () => {
  let runs = 0;
  fc.assert(
    fc.property(
      fc.jsonValue(),
      fc.dictionary(fc.string(), fc.jsonValue(), { maxKeys: 4 }),
      fc.array(space, { minLength: 1 }),
      fc.boolean(),
      (result, others, spaces, resultFirst) => {
        runs++;
        let i = 0;
        const ws = () => spaces[i++ % spaces.length] as string;
        const rest = spaced(others, ws).slice(1, -1).trim();
        const member = `"result"${ws()}:${ws()}${spaced(result, ws)}`;
        const body = [resultFirst ? member : rest, resultFirst ? rest : member].filter(Boolean).join(',');
        const text = `${ws()}{${ws()}${body}${ws()}}${ws()}`;
        const parsed = JSON.parse(text) as Record<string, unknown>;
        const found = memberText(text, 'result');
        assert.ok(found !== undefined, text);
        assert.deepEqual(JSON.parse(found), parsed.result);
      },
    ),
    { numRuns: 500 },
  );
  assert.equal(runs, 500, 'the property ran');
});

test('memberText takes the last of duplicate members, reads escaped keys and answers undefined without one', () => {
  assert.equal(memberText('{"result":1,"x":"\\"result\\":2","result":[3]}', 'result'), '[3]');
  assert.equal(memberText('{"\\u0072esult":{"a":"}"}}', 'result'), '{"a":"}"}');
  assert.equal(memberText('{"error":{"result":1}}', 'result'), undefined);
  assert.equal(memberText('[1]', 'result'), undefined);
});
