#!/usr/bin/env node
// The image's HEALTHCHECK: GET /healthz on the address LEANCTX_BIND names (0.0.0.0 is asked
// on 127.0.0.1); exit 0 only on 200 with {"status":"ok"}, else say why and exit 1.
const bind = process.env.LEANCTX_BIND || '0.0.0.0:7700';
const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(bind.trim());
if (!m) {
  console.error(`healthcheck: LEANCTX_BIND "${bind}" is not HOST:PORT (e.g. 0.0.0.0:7700)`);
  process.exit(1);
}
const host = m[1] ?? m[2] ?? '';
const target = ['', '0.0.0.0', '::'].includes(host) ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
const url = `http://${target}:${m[3]}/healthz`;
try {
  const res = await fetch(url, { signal: AbortSignal.timeout(4000) });
  const text = await res.text();
  let status;
  try {
    status = JSON.parse(text).status;
  } catch {
    status = undefined;
  }
  if (res.status === 200 && status === 'ok') process.exit(0);
  console.error(`healthcheck: ${url} answered ${res.status}: ${text.slice(0, 500)}`);
} catch (err) {
  console.error(`healthcheck: ${url} unreachable: ${err.cause?.code ?? err.message}`);
}
process.exit(1);
