import { readFile } from 'node:fs/promises';
import { commentRanges } from '../languages/comment-ranges.ts';
import { countBounded } from '../tokens.ts';
import { goRoutes } from './go-routes.ts';
import { jsRoutes } from './js-routes.ts';
import { springRoutes } from './jvm-routes.ts';
import { laravelRoutes } from './php-routes.ts';
import { pythonRoutes } from './python-routes.ts';
import type { Route, RouteDraft, RouteMount } from './route.ts';
import { railsRoutes } from './ruby-routes.ts';
import { rustRoutes } from './rust-routes.ts';

/** Files past this size are not scanned for routes: route tables are written by hand. */
export const ROUTES_MAX_FILE_BYTES = 512 * 1024;

/** Source files that may declare routes, and a cheap test that one might. */
type Scanned = RouteDraft[] | { routes: RouteDraft[]; mounts: RouteMount[] };
const SCANNERS: { ext: RegExp; hint: RegExp; scan: (rel: string, text: string) => Scanned }[] = [
  {
    ext: /\.(?:[cm]?[jt]sx?)$/,
    hint: /\.\s*(?:get|post|put|patch|delete|del|head|options|all|route|use)\s*\(|@Controller|export\s+default|\bexport\s+(?:async\s+function|const|function)\s+[A-Z]/,
    scan: jsRoutes,
  },
  { ext: /\.py$/, hint: /@\w+\.\w+\s*\(|\b(?:re_)?path\s*\(|\burl\s*\(/, scan: pythonRoutes },
  { ext: /\.(?:java|kt)$/, hint: /Mapping\b/, scan: (_rel, text) => springRoutes(text) },
  { ext: /(?:^|\/)config\/routes(?:\/[^/]+)?\.rb$/, hint: /\S/, scan: (_rel, text) => railsRoutes(text) },
  {
    ext: /\.go$/,
    hint: /\.(?:GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS|Any)\(/,
    scan: (_rel, text) => goRoutes(text),
  },
  {
    ext: /\.rs$/,
    hint: /#\[|\.route\(|web::(?:scope|resource)\(|\.configure\(/,
    scan: (_rel, text) => rustRoutes(text),
  },
  { ext: /\.php$/, hint: /\bRoute::/, scan: laravelRoutes },
];

/** True for a file ctx_routes reads: a source type some framework declares routes in. */
export const mayDeclareRoutes = (rel: string): boolean => SCANNERS.some((s) => s.ext.test(rel));

/** The text with every comment (and docstring) replaced by spaces, line breaks kept, so offsets hold. */
async function withoutComments(rel: string, text: string): Promise<string> {
  const ranges = await commentRanges(rel, text);
  if (!ranges) return text.replace(/^([ \t]*)(\/\/|\/\*|\*).*$/gm, (line) => line.replace(/\S/g, ' '));
  let out = '';
  let at = 0;
  for (const [start, end] of ranges) {
    out += text.slice(at, start) + text.slice(start, end).replace(/[^\n]/g, ' ');
    at = end;
  }
  return out + text.slice(at);
}

/** What one file declares: its routes, and the mounts that put other files' routes under a prefix. */
export interface FileRoutes {
  routes: Route[];
  mounts: (RouteMount & { file: string })[];
}

/** The routes one file declares; comments are blanked first, so a commented-out route is not one. */
export async function extractRoutesHere(input: { rel: string; text: string }): Promise<FileRoutes> {
  const { rel, text } = input;
  const scanner = SCANNERS.find((s) => s.ext.test(rel));
  if (!scanner || text.length > ROUTES_MAX_FILE_BYTES || !scanner.hint.test(text))
    return { routes: [], mounts: [] };
  const code = await withoutComments(rel, text);
  const found = scanner.scan(rel, code);
  const { routes, mounts } = Array.isArray(found) ? { routes: found, mounts: [] } : found;
  return {
    routes: routes.map((r) => ({ ...r, file: rel })),
    mounts: mounts.map((m) => ({ ...m, file: rel })),
  };
}

/**
 * Many files in one task, read here on the worker (most hold no route, so shipping their text
 * would cost more than the scan), with the o200k tokens of each file that declares one: what a
 * reader would have read. `abs` is a path the caller resolved through the workspace jail.
 */
export async function extractRoutesOfFiles(
  files: { rel: string; abs: string }[],
): Promise<(FileRoutes & { tokens: number })[]> {
  const out: (FileRoutes & { tokens: number })[] = [];
  for (const f of files) {
    const buf = await readFile(f.abs).catch(() => undefined);
    if (!buf || buf.length > ROUTES_MAX_FILE_BYTES || buf.includes(0)) {
      out.push({ routes: [], mounts: [], tokens: 0 });
      continue;
    }
    const text = buf.toString('utf8');
    const found = await extractRoutesHere({ rel: f.rel, text });
    out.push({
      ...found,
      tokens: found.routes.length > 0 || found.mounts.length > 0 ? countBounded(text) : 0,
    });
  }
  return out;
}
