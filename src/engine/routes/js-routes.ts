import { exportsOf, jsMounts } from './js-mounts.ts';
import {
  balanced,
  HTTP_METHODS,
  handlerName,
  joinPath,
  lineIndex,
  type RouteDraft,
  type RouteMount,
  splitArgs,
} from './route.ts';

/** Names a router object usually has when it is not declared in the same file (a Fastify plugin's `fastify`). */
const CONVENTIONAL = ['app', 'router', 'fastify', 'instance'];
/** `const x = express()`, `express.Router()`, `Router()`, `new Hono()`, `new Router()`, `fastify()`. */
const DECLARED =
  /\b(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*(?::\s*[\w<>.]+\s*)?=\s*(?:await\s+)?(express\s*\(|express\s*\.\s*Router\s*\(|Router\s*\(|new\s+(?:Hono|OpenAPIHono|Router|KoaRouter)\b|[Ff]astify\s*\(|require\(\s*['"]fastify['"]\s*\)\s*\()/g;
const MEMBER_ROUTE =
  /\b([A-Za-z_$][\w$]*)\s*\.\s*(get|post|put|patch|delete|del|head|options|all)\s*\(\s*(?:(['"`])[\w.:-]*\3\s*,\s*)?(['"`])(\/[^'"`\n]*)\4/g;
const CHAINED_ROUTE = /\b([A-Za-z_$][\w$]*)\s*\.\s*route\s*\(\s*(['"`])(\/[^'"`\n]*)\2\s*\)/g;
const CHAINED_VERB = /^\s*\.\s*(get|post|put|patch|delete|head|options|all)\s*\(/;
const FASTIFY_ROUTE = /\b([A-Za-z_$][\w$]*)\s*\.\s*route\s*\(\s*\{/g;

function frameworkOf(text: string): string {
  if (/['"]@koa\/router['"]|['"]koa-router['"]/.test(text)) return 'koa';
  if (/['"]hono['"]|['"]hono\//.test(text)) return 'hono';
  if (/['"]fastify['"]/.test(text) || /\bfastify\s*\.\s*\w+\s*\(/.test(text)) return 'fastify';
  return 'express';
}

/** Express, Fastify, Hono and koa-router: `router.get('/path', handler)` on a router object. */
function memberRoutes(
  text: string,
  lineOf: (i: number) => number,
): { routes: RouteDraft[]; mounts: RouteMount[] } {
  const framework = frameworkOf(text);
  const prefix = new Map<string, string>(CONVENTIONAL.map((n) => [n, '']));
  for (const m of text.matchAll(DECLARED)) {
    const statement = text.slice(
      m.index,
      text.indexOf(';', m.index) === -1 ? undefined : text.indexOf(';', m.index),
    );
    const p = /\bprefix\s*:\s*['"`]([^'"`]*)|\.basePath\(\s*['"`]([^'"`]*)/.exec(statement.slice(0, 300));
    prefix.set(m[1]!, p?.[1] ?? p?.[2] ?? '');
  }
  const exported = exportsOf(text);
  const mountable = (router: string) => {
    const names = exported.get(router);
    return names ? { mountedBy: { exports: names } } : {};
  };
  const routes: RouteDraft[] = [];
  for (const m of text.matchAll(MEMBER_ROUTE)) {
    const base = prefix.get(m[1]!);
    if (base === undefined) continue;
    const open = text.indexOf('(', m.index + m[1]!.length);
    const args = splitArgs(balanced(text, open));
    const verb = m[2]!.toUpperCase();
    routes.push({
      method: verb === 'ALL' ? 'ANY' : verb === 'DEL' ? 'DELETE' : verb,
      path: joinPath(base, m[5]),
      handler: handlerName(args.length > 1 ? args[args.length - 1] : undefined),
      framework,
      line: lineOf(m.index),
      ...mountable(m[1]!),
    });
  }
  // Express: app.route('/book').get(list).post(create)
  for (const m of text.matchAll(CHAINED_ROUTE)) {
    const base = prefix.get(m[1]!);
    if (base === undefined) continue;
    let at = m.index + m[0].length;
    for (
      let verb = CHAINED_VERB.exec(text.slice(at, at + 200));
      verb;
      verb = CHAINED_VERB.exec(text.slice(at, at + 200))
    ) {
      const group = balanced(text, at + verb[0].length - 1);
      const args = splitArgs(group);
      const method = verb[1]!.toUpperCase();
      routes.push({
        method: method === 'ALL' ? 'ANY' : method,
        path: joinPath(base, m[3]),
        handler: handlerName(args[args.length - 1]),
        framework,
        line: lineOf(at + verb[0].indexOf('.')),
        ...mountable(m[1]!),
      });
      at += verb[0].length - 1 + group.length;
    }
  }
  for (const m of text.matchAll(FASTIFY_ROUTE)) {
    if (!prefix.has(m[1]!)) continue;
    const body = balanced(text, text.indexOf('{', m.index));
    const url = /\b(?:url|path)\s*:\s*['"`]([^'"`]+)/.exec(body)?.[1];
    const methods = /\bmethod\s*:\s*(\[[^\]]*\]|['"`]\w+['"`])/.exec(body)?.[1];
    if (!url || !methods) continue;
    const handler = /\bhandler\s*:\s*([A-Za-z_$][\w$.]*)\s*[,}\n]/.exec(body)?.[1];
    for (const verb of methods.matchAll(/['"`](\w+)['"`]/g)) {
      routes.push({
        method: verb[1]!.toUpperCase(),
        path: joinPath(prefix.get(m[1]!), url),
        handler: handler ?? '<inline>',
        framework: 'fastify',
        line: lineOf(m.index),
      });
    }
  }
  return { routes, mounts: jsMounts(text, prefix, exported) };
}

const DECORATOR = /@(Get|Post|Put|Patch|Delete|Head|Options|All)\s*\(\s*(?:(['"`])([^'"`]*)\2)?[^)]*\)/g;
const CONTROLLER =
  /@Controller\s*\(\s*(?:(['"`])([^'"`]*)\1|\{[^}]*\bpath\s*:\s*['"`]([^'"`]*)['"`][^}]*\})?\s*\)[\s\S]*?\bclass\s+(\w+)/g;

/** NestJS: `@Controller('cats')` classes and their `@Get(':id')` methods. */
function nestRoutes(text: string, lineOf: (i: number) => number): RouteDraft[] {
  const controllers = [...text.matchAll(CONTROLLER)].map((m) => ({
    at: m.index,
    prefix: m[2] ?? m[3] ?? '',
    name: m[4]!,
  }));
  if (controllers.length === 0) return [];
  const routes: RouteDraft[] = [];
  for (const m of text.matchAll(DECORATOR)) {
    const owner = controllers.filter((c) => c.at < m.index).pop();
    if (!owner) continue;
    const after = text.slice(m.index + m[0].length, m.index + m[0].length + 400);
    const method =
      /^(?:\s*@\w+(?:\s*\([^)]*\))?)*\s*(?:(?:public|private|protected|static|async)\s+)*(\w+)\s*\(/.exec(
        after,
      );
    const verb = m[1]!.toUpperCase();
    routes.push({
      method: verb === 'ALL' ? 'ANY' : verb,
      path: joinPath(owner.prefix, m[3]),
      handler: `${owner.name}.${method?.[1] ?? '<unknown>'}`,
      framework: 'nestjs',
      line: lineOf(m.index),
    });
  }
  return routes;
}

const APP_ROUTE = /(?:^|\/)app\/((?:[^/]+\/)*)route\.(?:[cm]?[jt]sx?)$/;
const PAGES_API = /(?:^|\/)pages\/(api(?:\/[^/]+)*)\.(?:[cm]?[jt]sx?)$/;
const VERBS = HTTP_METHODS.join('|');

/** Next.js: `app/**\/route.ts` exporting GET/POST…, and `pages/api/**` default handlers. */
function nextRoutes(rel: string, text: string, lineOf: (i: number) => number): RouteDraft[] {
  const app = APP_ROUTE.exec(rel);
  if (app) {
    const segments = app[1]!.split('/').filter((s) => s && !/^\(.*\)$/.test(s) && !s.startsWith('@'));
    const path = joinPath(...segments);
    const exported = new RegExp(
      `\\bexport\\s+(?:(?:async\\s+)?function\\s*\\*?\\s*|(?:const|let|var)\\s+)(${VERBS})\\b`,
      'g',
    );
    return [...text.matchAll(exported)].map((m) => ({
      method: m[1]!,
      path,
      handler: m[1]!,
      framework: 'next',
      line: lineOf(m.index),
    }));
  }
  const pages = PAGES_API.exec(rel);
  if (!pages) return [];
  const def = /\bexport\s+default\s+(?:async\s+)?(?:function\s*(\w+)?|(\w+))?/.exec(text);
  if (!def) return [];
  return [
    {
      method: 'ANY',
      path: joinPath(pages[1]!.replace(/(^|\/)index$/, '')),
      handler: def[1] ?? def[2] ?? 'default',
      framework: 'next',
      line: lineOf(def.index),
    },
  ];
}

export function jsRoutes(rel: string, text: string): { routes: RouteDraft[]; mounts: RouteMount[] } {
  const lineOf = lineIndex(text);
  const next = nextRoutes(rel, text, lineOf);
  if (next.length > 0) return { routes: next, mounts: [] };
  const member = memberRoutes(text, lineOf);
  return { routes: [...nestRoutes(text, lineOf), ...member.routes], mounts: member.mounts };
}
