import { z } from 'zod';
import { HTTP_METHODS, type Route } from '../../engine/routes/route.ts';
import { scanRoutes } from '../../engine/routes/scan-routes.ts';
import { withSavingsFooter } from '../../engine/savings.ts';
import { ToolError } from '../../errors.ts';
import { defineTool } from '../define-tool.ts';
import { INPUT_LIMITS } from '../input-limits.ts';

const MAX_LISTED = 300;

const formatRoute = (r: Route) => `${r.method} ${r.path} → ${r.handler} (${r.file}:L${r.line})`;

export const ctxRoutes = defineTool({
  name: 'ctx_routes',
  description:
    'HTTP routes the code declares: `METHOD /path → handler (file:Lline)` for Express, Fastify, Hono, Koa, Next.js, NestJS, Flask, FastAPI, Django, Spring, Rails, Gin, Echo, Actix, Axum, Laravel.',
  scope: 'graph',
  readOnly: true,
  input: z.object({
    method: z.string().max(16).optional().describe('Only this method (ANY routes match every method)'),
    path: z.string().max(INPUT_LIMITS.globChars).optional().describe('Only routes under this path prefix'),
  }),
  async run(args, ctx) {
    const scan = await scanRoutes(ctx.workspace, ctx.signal);
    const method = args.method?.toUpperCase();
    if (method !== undefined && method !== 'ANY' && !(HTTP_METHODS as readonly string[]).includes(method))
      throw new ToolError(
        `method "${args.method}" is not an HTTP method; use one of ${HTTP_METHODS.join(', ')}`,
      );
    const prefix = args.path === undefined ? undefined : `/${args.path.replace(/^\/+/, '')}`;
    // `/api` covers `/api` and `/api/x`, not `/apiary`
    const under = (path: string) =>
      !prefix ||
      prefix === '/' ||
      path === prefix ||
      path.startsWith(prefix.endsWith('/') ? prefix : `${prefix}/`);
    const routes = scan.routes
      .filter((r) => !method || r.method === method || r.method === 'ANY')
      .filter((r) => under(r.path))
      .sort((a, b) => a.path.localeCompare(b.path) || a.method.localeCompare(b.method) || a.line - b.line);
    const frameworks = new Map<string, number>();
    for (const r of routes) frameworks.set(r.framework, (frameworks.get(r.framework) ?? 0) + 1);
    const files = new Set(routes.map((r) => r.file));
    const by = [...frameworks].map(([f, n]) => `${f} ${n}`).join(', ');
    const filter = [method && `method ${method}`, prefix && `under ${prefix}`].filter(Boolean).join(', ');
    const head =
      routes.length === 0
        ? `0 routes${filter ? ` (${filter})` : ''} in ${scan.files} source file(s) scanned (test files and comments do not count)`
        : `${routes.length} route(s) in ${files.size} file(s) (${by})${filter ? ` ${filter}` : ''}:`;
    const lines = routes.slice(0, MAX_LISTED).map(formatRoute);
    if (routes.length > MAX_LISTED)
      lines.push(`… ${routes.length - MAX_LISTED} more; narrow with method or path`);
    let raw = 0;
    for (const f of files) raw += scan.tokens.get(f) ?? 0;
    return withSavingsFooter([head, ...lines].join('\n'), raw);
  },
});
