import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';

const gzipAsync = promisify(gzip);
const require = createRequire(import.meta.url);

/** The page's files: its own from web/observatory, the charting library from node_modules. */
const SOURCES: Record<string, { path: () => string; type: string }> = {
  'index.html': { path: () => webFile('index.html'), type: 'text/html; charset=utf-8' },
  'app.js': { path: () => webFile('app.js'), type: 'text/javascript; charset=utf-8' },
  'style.css': { path: () => webFile('style.css'), type: 'text/css; charset=utf-8' },
  'uplot.js': {
    path: () => require.resolve('uplot/dist/uPlot.iife.min.js'),
    type: 'text/javascript; charset=utf-8',
  },
  'uplot.css': { path: () => require.resolve('uplot/dist/uPlot.min.css'), type: 'text/css; charset=utf-8' },
};

// src/observatory/ and dist/observatory/ both sit two levels under the package root.
const webFile = (name: string) => fileURLToPath(new URL(`../../web/observatory/${name}`, import.meta.url));

export interface Asset {
  type: string;
  body: Buffer;
  gzipped: Buffer;
  etag: string;
}

/** The dashboard's static files, read and gzipped once on first use, then served from memory. */
export interface AssetCache {
  get(name: string): Promise<Asset | undefined>;
}

export function createAssetCache(): AssetCache {
  const loaded = new Map<string, Promise<Asset>>();
  const load = async (src: { path: () => string; type: string }): Promise<Asset> => {
    const body = await readFile(src.path());
    const gzipped = await gzipAsync(body, { level: 9 });
    return {
      type: src.type,
      body,
      gzipped,
      etag: `"${createHash('sha256').update(body).digest('hex').slice(0, 16)}"`,
    };
  };
  return {
    get(name) {
      const src = SOURCES[name];
      if (!src) return Promise.resolve(undefined);
      let asset = loaded.get(name);
      if (!asset) {
        asset = load(src);
        // a failed read (a broken install) is retried next time, not cached
        asset.catch(() => loaded.delete(name));
        loaded.set(name, asset);
      }
      return asset;
    },
  };
}
