import { balanced, joinPath, lineIndex, type RouteDraft, splitArgs } from './route.ts';

const CALL = /\bRoute::(get|post|put|patch|delete|options|any|match|resource|apiResource)\s*\(/g;
const PREFIX_GROUP =
  /\bRoute::(?:\w+\([^()]*\)->)*prefix\(\s*(['"])([^'"]*)\1\s*\)(?:->\w+\([^()]*\))*->group\s*\(/g;
const literal = (arg: string | undefined) => (arg ? /^(['"])(.*)\1$/s.exec(arg)?.[2] : undefined);

/** `[UserController::class, 'show']` → `UserController@show`; `'UserController@show'` as written. */
function laravelHandler(arg: string | undefined): string {
  if (!arg) return '<inline>';
  const pair = /^\[\s*\\?([\w\\]+)::class\s*,\s*['"](\w+)['"]\s*\]$/.exec(arg);
  if (pair) return `${pair[1]!.split('\\').pop()}@${pair[2]}`;
  const invokable = /^\\?([\w\\]+)::class$/.exec(arg);
  if (invokable) return invokable[1]!.split('\\').pop()!;
  return literal(arg) ?? '<inline>';
}

const RESOURCE = [
  ['index', 'GET', ''],
  ['create', 'GET', '/create'],
  ['store', 'POST', ''],
  ['show', 'GET', '/{id}'],
  ['edit', 'GET', '/{id}/edit'],
  ['update', 'PUT', '/{id}'],
  ['update', 'PATCH', '/{id}'],
  ['destroy', 'DELETE', '/{id}'],
] as const;

/**
 * Laravel `Route::get('/user', [UserController::class, 'index'])`, inside `Route::prefix()->group()`
 * too; routes/api.php is served under /api.
 */
export function laravelRoutes(rel: string, text: string): RouteDraft[] {
  const root = /(^|\/)routes\/api\.php$/.test(rel) ? '/api' : '';
  const lineOf = lineIndex(text);
  // Route::prefix('admin')->group(function () { … }): the prefix of every route inside
  const groups = [...text.matchAll(PREFIX_GROUP)].map((m) => {
    const open = m.index + m[0].length - 1;
    return { from: open, to: open + balanced(text, open, text.length).length, prefix: m[2]! };
  });
  const prefixAt = (i: number) => groups.filter((g) => g.from < i && i < g.to).map((g) => g.prefix);
  const routes: RouteDraft[] = [];
  for (const m of text.matchAll(CALL)) {
    const base = joinPath(root, ...prefixAt(m.index));
    const args = splitArgs(balanced(text, m.index + m[0].length - 1));
    const kind = m[1]!;
    const line = lineOf(m.index);
    if (kind === 'resource' || kind === 'apiResource') {
      const name = literal(args[0]);
      if (name === undefined) continue;
      const controller = laravelHandler(args[1]);
      const param = `{${name.split('.').pop()!.replace(/s$/, '')}}`;
      for (const [action, method, suffix] of RESOURCE) {
        if (kind === 'apiResource' && (action === 'create' || action === 'edit')) continue;
        routes.push({
          method,
          path: joinPath(base, name, suffix.replace('{id}', param)),
          handler: `${controller}@${action}`,
          framework: 'laravel',
          line,
        });
      }
      continue;
    }
    const match = kind === 'match';
    const path = literal(args[match ? 1 : 0]);
    if (path === undefined) continue;
    const methods = match
      ? [...(args[0] ?? '').matchAll(/['"](\w+)['"]/g)].map((v) => v[1]!.toUpperCase())
      : [kind === 'any' ? 'ANY' : kind.toUpperCase()];
    for (const method of methods) {
      routes.push({
        method,
        path: joinPath(base, path),
        handler: laravelHandler(args[match ? 2 : 1]),
        framework: 'laravel',
        line,
      });
    }
  }
  return routes;
}
