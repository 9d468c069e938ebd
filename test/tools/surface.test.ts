import assert from 'node:assert/strict';
import { test } from 'node:test';
import { countTokens } from '../../src/engine/tokens.ts';
import { builtinTools } from '../../src/tools/all-tools.ts';
import { createToolRegistry } from '../../src/tools/registry.ts';

const CORE_BUDGET_TOKENS = 1500;

test(`the core tools (names, descriptions, input schemas) total at most ${CORE_BUDGET_TOKENS} o200k tokens`, () => {
  const registry = createToolRegistry(builtinTools());
  const core = registry.listed('core').map((t) => registry.info(t));
  const listed = core.map(({ name, description, inputSchema }) => ({ name, description, inputSchema }));
  const tokens = countTokens(JSON.stringify(listed));
  assert.ok(
    tokens <= CORE_BUDGET_TOKENS,
    `core surface is ${tokens} tokens: ${core.map((t) => t.name).join(', ')}`,
  );
});

test('the core surface holds the search, read and meta entry points, and everything else stays reachable', () => {
  const registry = createToolRegistry(builtinTools());
  const core = new Set(registry.listed('core').map((t) => t.name));
  for (const name of ['ctx_read', 'ctx_search', 'ctx_tree', 'ctx_call', 'ctx_discover_tools']) {
    assert.ok(core.has(name), `${name} is core`);
  }
  for (const name of ['ctx_expand', 'ctx_metrics']) {
    assert.ok(!core.has(name), `${name} is reached through ctx_call`);
    assert.ok(registry.get(name), `${name} is registered`);
  }
  assert.ok(registry.listed('all').length > core.size);
});
