import { joinPath, lineIndex, type RouteDraft } from './route.ts';

const GROUP = /\b(\w+)\s*:?=\s*(\w+)\.Group\(\s*"([^"]*)"/g;
const ROUTE = /\b(\w+)\.(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS|Any)\(\s*"([^"]*)"\s*(?:,\s*([\w.]+))?/g;

/** Gin and Echo: `r.GET("/ping", handler)` on an engine or a `Group("/v1")` of it. */
export function goRoutes(text: string): RouteDraft[] {
  const framework = /"github\.com\/gin-gonic\/gin"/.test(text)
    ? 'gin'
    : /"github\.com\/labstack\/echo/.test(text)
      ? 'echo'
      : 'go';
  const lineOf = lineIndex(text);
  const prefix = new Map<string, string>();
  for (const m of text.matchAll(GROUP)) prefix.set(m[1]!, joinPath(prefix.get(m[2]!), m[3]));
  return [...text.matchAll(ROUTE)].map((m) => ({
    method: m[2] === 'Any' ? 'ANY' : m[2]!,
    path: joinPath(prefix.get(m[1]!), m[3]),
    handler: !m[4] || m[4] === 'func' ? '<inline>' : m[4],
    framework,
    line: lineOf(m.index),
  }));
}
