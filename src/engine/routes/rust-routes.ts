import { balanced, joinPath, lineIndex, type RouteDraft, splitArgs } from './route.ts';

const ATTRIBUTE =
  /#\[(?:[\w:]*::)?(get|post|put|patch|delete|head|options|route)\(\s*"([^"]*)"([^\]]*)\]\s*(?:#\[[^\]]*\]\s*)*(?:pub(?:\([^)]*\))?\s+)?(?:async\s+)?fn\s+(\w+)/g;
const ROUTE_CALL = /\.route\(\s*"([^"]*)"\s*,/g;
const ACTIX_METHOD = /\bweb::(get|post|put|patch|delete|head|options)\(\)\s*\.to\(\s*([\w:]+)/g;
const AXUM_METHOD = /(?:^|[^\w:])(?:\w+::)*(get|post|put|patch|delete|head|options|any)\(\s*([\w:]+)\s*\)/g;

/** Actix (`#[get("/")]`, `.route("/x", web::get().to(h))`) and Axum (`.route("/x", get(h).post(h2))`). */
export function rustRoutes(text: string): RouteDraft[] {
  const framework = /\bactix_web\b/.test(text) ? 'actix' : /\baxum\b/.test(text) ? 'axum' : 'rust';
  const lineOf = lineIndex(text);
  const routes: RouteDraft[] = [];
  for (const m of text.matchAll(ATTRIBUTE)) {
    const verbs =
      m[1] === 'route'
        ? [...m[3]!.matchAll(/method\s*=\s*"(\w+)"/g)].map((v) => v[1]!.toUpperCase())
        : [m[1]!.toUpperCase()];
    for (const method of verbs)
      routes.push({ method, path: joinPath(m[2]), handler: m[4]!, framework, line: lineOf(m.index) });
  }
  for (const m of text.matchAll(ROUTE_CALL)) {
    const args = splitArgs(balanced(text, m.index + m[0].indexOf('(')));
    const rest = args.slice(1).join(',');
    const actix = [...rest.matchAll(ACTIX_METHOD)];
    const found = actix.length > 0 ? actix : [...rest.matchAll(AXUM_METHOD)];
    for (const f of found) {
      routes.push({
        method: f[1] === 'any' ? 'ANY' : f[1]!.toUpperCase(),
        path: joinPath(m[1]),
        handler: f[2]!,
        framework: actix.length > 0 ? 'actix' : framework === 'rust' ? 'axum' : framework,
        line: lineOf(m.index),
      });
    }
  }
  return routes;
}
