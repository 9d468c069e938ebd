import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createGatewayLogger } from '../../src/gateway/logger.ts';
import { createLogger } from '../../src/logger.ts';

function capture(): { lines: string[]; write: (line: string) => void } {
  const lines: string[] = [];
  return { lines, write: (line) => lines.push(line) };
}

test('json lines carry level, ISO time, the fields and msg; levels below the threshold are dropped', () => {
  const out = capture();
  const log = createLogger({ level: 'info', format: 'json', write: out.write });
  log.debug('not shown');
  log.info('config reloaded', { workspaces: 2 });
  log.error('refused');
  assert.equal(out.lines.length, 2);
  const first = JSON.parse(out.lines[0] ?? '');
  assert.equal(first.level, 'info');
  assert.equal(first.msg, 'config reloaded');
  assert.equal(first.workspaces, 2);
  assert.match(first.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  assert.deepEqual(Object.keys(first).sort(), ['level', 'msg', 'time', 'workspaces']);
});

test('plain lines read "<time> LEVEL msg key=value"', () => {
  const out = capture();
  createLogger({ write: out.write }).warn('no active tokens', { hint: 'create one', n: 0 });
  assert.match(out.lines[0] ?? '', /^\S+Z WARN no active tokens hint=create one n=0\n$/);
});

test('secrets are redacted at any depth and in any letter case, extra keys too, never the rest', () => {
  const out = capture();
  const log = createLogger({ format: 'json', redactKeys: ['apiKey', 'headers.x-api-key'], write: out.write });
  log.error('call failed', {
    token: 'lctx_t_alice_secret1',
    request: { headers: { Authorization: 'Bearer secret2', 'X-Api-Key': 'secret3', accept: 'json' } },
    list: [{ deep: { Password: 'secret4', APIKEY: 'secret5' } }],
    server: 'github',
  });
  const line = out.lines[0] ?? '';
  assert.doesNotMatch(line, /secret\d/);
  const parsed = JSON.parse(line);
  assert.equal(parsed.token, '[REDACTED]');
  assert.equal(parsed.request.headers.accept, 'json');
  assert.equal(parsed.request.headers['X-Api-Key'], '[REDACTED]');
  assert.equal(parsed.server, 'github');
});

test('the gateway logger dumps bodies only with dumpBodies, at any level, redacted and cut at maxBodyLogBytes', () => {
  const out = capture();
  const body = { params: { arguments: { token: 'secret6', text: 'x'.repeat(500) } } };
  const cfg = { level: 'debug', format: 'json', dumpBodies: true, maxBodyLogBytes: 64 } as const;
  createGatewayLogger({ ...cfg, dumpBodies: false }, out.write).body('request', body);
  assert.equal(out.lines.length, 0);
  createGatewayLogger({ ...cfg, level: 'error' }, out.write).body('request', body);
  assert.equal(out.lines.length, 1);
  out.lines.length = 0;
  const gateway = createGatewayLogger(cfg, out.write);
  gateway.body('request', body, { server: 'mem' });
  gateway.info('started', { authorization: 'Bearer secret7' });
  assert.equal(out.lines.length, 2);
  const dumped = JSON.parse(out.lines[0] ?? '');
  assert.equal(dumped.server, 'mem');
  assert.match(
    dumped.body,
    /^\{"params":\{"arguments":\{"token":"\[REDACTED\]","text":"x+…\(\d+ more bytes\)$/,
  );
  assert.ok(dumped.body.length < 100);
  assert.doesNotMatch(out.lines.join(''), /secret\d/);
});
