import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { Hono } from 'hono';
import { accessEntry } from '../../audit/endpoint-audit.ts';
import { AppError } from '../../errors.ts';
import { parseLimit } from '../../events/replay-query.ts';
import { type AssetCache, createAssetCache } from '../../observatory/assets.ts';
import {
  DEFAULT_SUMMARY_MINUTES,
  MAX_SUMMARY_MINUTES,
  observatorySummary,
} from '../../observatory/summary.ts';
import type { ServerDeps } from '../../pipeline/deps.ts';
import type { HttpEnv } from '../http-env.ts';
import { requireScope } from '../require-scope.ts';

const gzipAsync = promisify(gzip);
/** Below this a JSON answer goes uncompressed: the gzip header would eat the gain. */
const GZIP_MIN_BYTES = 1024;

/**
 * The page holds no secret and runs only its own files: no inline script or style, data only
 * from this origin, never framed.
 */
export const OBSERVATORY_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** GET /v1/observatory/summary: the dashboard's data, for any script with the `audit` scope. */
export function observatoryApiRoutes(deps: ServerDeps): Hono<HttpEnv> {
  const app = new Hono<HttpEnv>();
  app.get('/observatory/summary', async (c) => {
    const caller = c.get('caller');
    requireScope(caller, 'audit', 'GET /v1/observatory/summary');
    const minutes = parseLimit(
      c.req.query('minutes'),
      'minutes',
      DEFAULT_SUMMARY_MINUTES,
      MAX_SUMMARY_MINUTES,
    );
    deps.audit.write(
      accessEntry({
        ts: new Date(deps.now()).toISOString(),
        requestId: c.get('requestId'),
        tokenId: caller.tokenId,
        workspaceId: null,
        channelId: null,
        method: 'observatory',
      }),
    );
    const body = Buffer.from(JSON.stringify(await observatorySummary(deps, caller, minutes)));
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'cache-control': 'no-store',
      vary: 'accept-encoding',
    };
    // zlib runs on the thread pool, not the event loop
    if (body.length >= GZIP_MIN_BYTES && /\bgzip\b/.test(c.req.header('accept-encoding') ?? '')) {
      headers['content-encoding'] = 'gzip';
      return c.body(new Uint8Array(await gzipAsync(body)), 200, headers);
    }
    return c.body(new Uint8Array(body), 200, headers);
  });
  return app;
}

/** GET /observatory and its files: public static content (the data behind it needs a token). */
export function observatoryPageRoutes(assets: AssetCache = createAssetCache()): Hono<HttpEnv> {
  const app = new Hono<HttpEnv>();
  const serve = async (name: string, accepts: string | undefined, ifNoneMatch: string | undefined) => {
    const asset = await assets.get(name);
    if (!asset) throw new AppError('not_found', `the observatory has no file "${name}"; open /observatory`);
    const headers: Record<string, string> = {
      'content-type': asset.type,
      'content-security-policy': OBSERVATORY_CSP,
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'cache-control': 'no-cache',
      etag: asset.etag,
      vary: 'accept-encoding',
    };
    if (ifNoneMatch === asset.etag) return new Response(null, { status: 304, headers });
    const gz = /\bgzip\b/.test(accepts ?? '');
    if (gz) headers['content-encoding'] = 'gzip';
    return new Response(new Uint8Array(gz ? asset.gzipped : asset.body), { status: 200, headers });
  };
  app.get('/observatory', (c) =>
    serve('index.html', c.req.header('accept-encoding'), c.req.header('if-none-match')),
  );
  app.get('/observatory/:file', (c) =>
    serve(c.req.param('file'), c.req.header('accept-encoding'), c.req.header('if-none-match')),
  );
  return app;
}
