import { balanced, joinPath, lineIndex, type RouteDraft, type RouteMount, splitArgs } from './route.ts';

const ATTRIBUTE =
  /#\[(?:[\w:]*::)?(get|post|put|patch|delete|head|options|route)\(\s*"([^"]*)"([^\]]*)\]\s*(?:#\[[^\]]*\]\s*)*(?:pub(?:\([^)]*\))?\s+)?(?:async\s+)?fn\s+(\w+)/g;
const ROUTE_CALL = /\.route\(\s*"([^"]*)"\s*,/g;
const ACTIX_METHOD = /\bweb::(get|post|put|patch|delete|head|options)\(\)\s*\.to\(\s*([\w:]+)/g;
const AXUM_METHOD = /(?:^|[^\w:])(?:\w+::)*(get|post|put|patch|delete|head|options|any)\(\s*([\w:]+)\s*\)/g;
const SCOPE = /\bweb::scope\(\s*"([^"]*)"\s*\)/g;
const RESOURCE = /\bweb::resource\(\s*"([^"]*)"\s*\)/g;
const MOUNT = /\.(service|configure)\(\s*((?:\w+::)*\w+)\s*\)/g;
const FN = /\bfn\s+(\w+)\s*(?:<[^>{]*>)?\s*\(/g;
/** A scope's chain of `.service(…)`/`.route(…)` calls may be long: a whole API in one expression. */
const MAX_CHAIN_CHARS = 256 * 1024;

interface Span {
  start: number;
  end: number;
}

/** `.a(…).b(…)` after `from`: the end of the method chain (whitespace between calls allowed). */
function chainEnd(text: string, from: number): number {
  let at = from;
  const limit = Math.min(text.length, from + MAX_CHAIN_CHARS);
  for (;;) {
    const m = /^\s*\.\s*\w+\s*(?:::<[^>]*>\s*)?\(/.exec(text.slice(at, Math.min(limit, at + 200)));
    if (!m) return at;
    const open = at + m[0].length - 1;
    const group = balanced(text, open, limit - open);
    if (!group.endsWith(')')) return limit;
    at = open + group.length;
  }
}

/** Each `fn name(…) {…}` body, so an offset knows the function it is in. */
function functionSpans(text: string): (Span & { name: string })[] {
  const spans: (Span & { name: string })[] = [];
  for (const m of text.matchAll(FN)) {
    const open = text.indexOf('{', m.index + m[0].length);
    const semi = text.indexOf(';', m.index + m[0].length);
    if (open === -1 || (semi !== -1 && semi < open)) continue;
    const body = balanced(text, open, MAX_CHAIN_CHARS);
    spans.push({ name: m[1] as string, start: open, end: open + body.length });
  }
  return spans;
}

const innermost = <T extends Span>(spans: readonly T[], at: number): T | undefined =>
  spans.filter((s) => s.start <= at && at < s.end).sort((a, b) => b.start - a.start)[0];

/**
 * Actix (`#[get("/")]`; `.route("/x", web::get().to(h))`; `web::resource("/x").route(…)` or
 * `.to(h)`; all of them under `web::scope("/api")`, nested or not) and Axum
 * (`.route("/x", get(h).post(h2))`). What another file mounts — `.configure(f)` and
 * `.service(h)` under a scope — comes back as mounts; `mountRoutes` joins them across files.
 */
export function rustRoutes(text: string): { routes: RouteDraft[]; mounts: RouteMount[] } {
  const framework = /\bactix_web\b/.test(text) ? 'actix' : /\baxum\b/.test(text) ? 'axum' : 'rust';
  const lineOf = lineIndex(text);
  const fns = functionSpans(text);
  const scopes = [...text.matchAll(SCOPE)].map((m) => {
    const from = m.index + m[0].length;
    return { path: m[1] as string, start: from, end: chainEnd(text, from) };
  });
  /** The paths of the scopes around an offset, outermost first. */
  const prefixAt = (at: number) =>
    joinPath(
      ...scopes
        .filter((s) => s.start <= at && at < s.end)
        .sort((a, b) => a.start - b.start)
        .map((s) => s.path),
    );
  const fnAt = (at: number) => {
    const fn = innermost(fns, at)?.name;
    return fn === undefined || fn === 'main' ? undefined : fn;
  };
  const routes: RouteDraft[] = [];
  for (const m of text.matchAll(ATTRIBUTE)) {
    const verbs =
      m[1] === 'route'
        ? [...m[3]!.matchAll(/method\s*=\s*"(\w+)"/g)].map((v) => v[1]!.toUpperCase())
        : [m[1]!.toUpperCase()];
    for (const method of verbs)
      routes.push({
        method,
        path: joinPath(m[2]),
        handler: m[4]!,
        framework,
        line: lineOf(m.index),
        mountedBy: { handler: m[4]! },
      });
  }
  for (const m of text.matchAll(ROUTE_CALL)) {
    const args = splitArgs(balanced(text, m.index + m[0].indexOf('(')));
    const rest = args.slice(1).join(',');
    const actix = [...rest.matchAll(ACTIX_METHOD)];
    const found = actix.length > 0 ? actix : [...rest.matchAll(AXUM_METHOD)];
    const fn = actix.length > 0 ? fnAt(m.index) : undefined;
    for (const f of found) {
      routes.push({
        method: f[1] === 'any' ? 'ANY' : f[1]!.toUpperCase(),
        path: actix.length > 0 ? joinPath(prefixAt(m.index), m[1]) : joinPath(m[1]),
        handler: f[2]!,
        framework: actix.length > 0 ? 'actix' : framework === 'rust' ? 'axum' : framework,
        line: lineOf(m.index),
        ...(fn ? { mountedBy: { fn } } : {}),
      });
    }
  }
  for (const m of text.matchAll(RESOURCE)) {
    const from = m.index + m[0].length;
    const chain = text.slice(from, chainEnd(text, from));
    const path = joinPath(prefixAt(m.index), m[1]);
    const fn = fnAt(m.index);
    const base = { path, framework: 'actix', line: lineOf(m.index), ...(fn ? { mountedBy: { fn } } : {}) };
    for (const call of chain.matchAll(/\.\s*(route|to)\s*\(/g)) {
      const group = balanced(chain, call.index + call[0].length - 1);
      if (call[1] === 'to') {
        // only the resource's own `.to(h)`, not the `.to` inside a `.route(web::get().to(h))`
        const depth =
          chain.slice(0, call.index).split('(').length - chain.slice(0, call.index).split(')').length;
        if (depth === 0) routes.push({ ...base, method: 'ANY', handler: splitArgs(group)[0] ?? '<inline>' });
        continue;
      }
      for (const f of group.matchAll(ACTIX_METHOD))
        routes.push({ ...base, method: f[1]!.toUpperCase(), handler: f[2]! });
    }
  }
  const mounts: RouteMount[] = [];
  if (framework === 'actix') {
    for (const m of text.matchAll(MOUNT)) {
      const segments = (m[2] as string).split('::');
      const module = segments.length > 1 ? segments[segments.length - 2] : undefined;
      const fn = fnAt(m.index);
      mounts.push({
        kind: m[1] === 'configure' ? 'configure' : 'service',
        name: segments[segments.length - 1] as string,
        ...(module && !['crate', 'self', 'super'].includes(module) ? { module } : {}),
        prefix: prefixAt(m.index),
        ...(fn ? { fn } : {}),
      });
    }
  }
  return { routes, mounts };
}
