import { balanced, handlerName, joinPath, lineIndex, type RouteDraft, splitArgs } from './route.ts';

/** `bp = Blueprint('auth', __name__, url_prefix='/auth')`, `router = APIRouter(prefix='/items')`. */
const ROUTER = /^(\w+)\s*(?::\s*\w+\s*)?=\s*(?:\w+\.)?(?:Blueprint|APIRouter|Flask|FastAPI)\s*\(/gm;
const DECORATOR = /^[ \t]*@(\w+)\.(route|get|post|put|patch|delete|head|options|api_route)\s*\(/gm;
const STRING = /^(?:\w+\s*=\s*)?[rbuf]*(['"])(.*?)\1$/s;

const literal = (arg: string | undefined) => (arg === undefined ? undefined : STRING.exec(arg)?.[2]);
const keyword = (args: string[], name: string) =>
  args.find((a) => a.startsWith(`${name}=`) || a.startsWith(`${name} =`))?.replace(/^\w+\s*=\s*/, '');

/** Flask and FastAPI: `@app.route('/x', methods=[...])`, `@router.get('/x')`, then the `def`. */
function decoratorRoutes(text: string, lineOf: (i: number) => number): RouteDraft[] {
  const framework = /^\s*(from|import)\s+fastapi\b/m.test(text) ? 'fastapi' : 'flask';
  const prefix = new Map<string, string>();
  for (const m of text.matchAll(ROUTER)) {
    const args = splitArgs(balanced(text, m.index + m[0].length - 1));
    prefix.set(m[1]!, literal(keyword(args, 'url_prefix') ?? keyword(args, 'prefix')) ?? '');
  }
  const routes: RouteDraft[] = [];
  for (const m of text.matchAll(DECORATOR)) {
    const args = splitArgs(balanced(text, m.index + m[0].length - 1));
    const path = literal(
      args[0]?.includes('=') && !/^[rbuf]*['"]/.test(args[0])
        ? (keyword(args, 'path') ?? keyword(args, 'rule'))
        : args[0],
    );
    if (path === undefined) continue;
    const kind = m[2]!;
    const listed = keyword(args, 'methods');
    const methods =
      kind === 'route' || kind === 'api_route'
        ? listed
          ? [...listed.matchAll(/['"](\w+)['"]/g)].map((v) => v[1]!.toUpperCase())
          : ['GET']
        : [kind.toUpperCase()];
    const def = /^[ \t]*(?:async[ \t]+)?def[ \t]+(\w+)/m.exec(text.slice(m.index + m[0].length));
    for (const method of methods) {
      routes.push({
        method,
        path: joinPath(prefix.get(m[1]!), path),
        handler: def?.[1] ?? '<unknown>',
        framework,
        line: lineOf(m.index + m[0].indexOf('@')),
      });
    }
  }
  return routes;
}

const DJANGO = /\b(path|re_path|url)\s*\(/g;

/** Django: `path('articles/<int:year>/', views.year_archive)` in a urls.py; includes are mounts, not routes. */
function djangoRoutes(text: string, lineOf: (i: number) => number): RouteDraft[] {
  const routes: RouteDraft[] = [];
  for (const m of text.matchAll(DJANGO)) {
    if (/[\w.]$/.test(text.slice(Math.max(0, m.index - 1), m.index))) continue;
    const args = splitArgs(balanced(text, m.index + m[0].length - 1));
    const route = literal(args[0]);
    const view = args[1];
    if (route === undefined || !view || view.startsWith('include')) continue;
    routes.push({
      method: 'ANY',
      // Django matches the trailing slash, so it stays
      path: `/${route.replace(/^\//, '')}`,
      handler: /^[\w.]+(\.as_view\(.*\))?$/s.test(view) ? view.replace(/\(.*\)$/s, '()') : handlerName(view),
      framework: 'django',
      line: lineOf(m.index),
    });
  }
  return routes;
}

export function pythonRoutes(rel: string, text: string): RouteDraft[] {
  const lineOf = lineIndex(text);
  if (/(^|\/)urls\.py$/.test(rel)) return djangoRoutes(text, lineOf);
  return decoratorRoutes(text, lineOf);
}
