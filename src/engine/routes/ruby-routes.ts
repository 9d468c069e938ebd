import { joinPath, type RouteDraft } from './route.ts';

interface Frame {
  /** Path prefix of routes declared inside. */
  prefix: string;
  /** Controller module (`admin/`) of routes declared inside. */
  module: string;
  /** `resources :photos do … end`: the member and collection paths and its controller. */
  resource?: { member: string; collection: string; controller: string };
}

const ACTIONS = [
  ['index', 'GET', ''],
  ['create', 'POST', ''],
  ['new', 'GET', '/new'],
  ['edit', 'GET', '/:id/edit'],
  ['show', 'GET', '/:id'],
  ['update', 'PATCH', '/:id'],
  ['update', 'PUT', '/:id'],
  ['destroy', 'DELETE', '/:id'],
] as const;

const symbols = (list: string | undefined) =>
  list ? [...list.matchAll(/:(\w+)/g)].map((m) => m[1]!) : undefined;

/** `resources :photos, only: [:index, :show]`: the routes Rails draws for it. */
function resourceRoutes(line: string, n: number, frame: Frame, singular: boolean): RouteDraft[] {
  const name = /resources?\s+:(\w+)/.exec(line)![1]!;
  const only = symbols(/\bonly:\s*(\[[^\]]*\]|:\w+)/.exec(line)?.[1]);
  const except = symbols(/\bexcept:\s*(\[[^\]]*\]|:\w+)/.exec(line)?.[1]) ?? [];
  const controller = `${frame.module}${singular ? `${name}s` : name}`;
  const base = joinPath(frame.prefix, name);
  return ACTIONS.filter(
    ([action]) =>
      (only === undefined || only.includes(action)) &&
      !except.includes(action) &&
      !(singular && action === 'index'),
  ).map(([action, method, suffix]) => ({
    method,
    path: joinPath(base, singular ? suffix.replace('/:id', '') : suffix),
    handler: `${controller}#${action}`,
    framework: 'rails',
    line: n,
  }));
}

const VERB = /^(get|post|put|patch|delete|match)\s+['"]([^'"]*)['"](.*)$/;

/** Rails `config/routes.rb`: verbs, `root`, `resources`/`resource`, `namespace`/`scope`, member/collection blocks. */
export function railsRoutes(text: string): RouteDraft[] {
  const stack: Frame[] = [{ prefix: '', module: '' }];
  const routes: RouteDraft[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    const n = i + 1;
    const frame = stack[stack.length - 1]!;
    const opens = /\bdo(\s*\|[^|]*\|)?$/.test(line);
    if (line === 'end') {
      if (stack.length > 1) stack.pop();
      return;
    }
    let next: Frame = frame;
    const resource = /^(resources?)\s+:(\w+)/.exec(line);
    const namespace = /^namespace\s+:(\w+)/.exec(line);
    const scope = /^scope\s+(?:path:\s*)?['"]([^'"]*)['"]/.exec(line);
    const verb = VERB.exec(line);
    const root = /^root\s+(?:to:\s*)?['"]([^'"]*)['"]/.exec(line);
    if (resource) {
      const singular = resource[1] === 'resource';
      routes.push(...resourceRoutes(line, n, frame, singular));
      const base = joinPath(frame.prefix, resource[2]);
      const controller = `${frame.module}${singular ? `${resource[2]}s` : resource[2]}`;
      const member = singular ? base : `${base}/:id`;
      next = {
        prefix: singular ? base : `${base}/:${resource[2]!.replace(/s$/, '')}_id`,
        module: frame.module,
        resource: { member, collection: base, controller },
      };
    } else if (namespace) {
      next = { prefix: joinPath(frame.prefix, namespace[1]), module: `${frame.module}${namespace[1]}/` };
    } else if (scope) {
      next = { prefix: joinPath(frame.prefix, scope[1]), module: frame.module };
    } else if (/^member\b/.test(line) && frame.resource) {
      next = { prefix: frame.resource.member, module: frame.module, resource: frame.resource };
    } else if (/^collection\b/.test(line) && frame.resource) {
      next = { prefix: frame.resource.collection, module: frame.module, resource: frame.resource };
    } else if (verb) {
      const to = /(?:\bto:\s*|=>\s*)['"]([\w/]+#\w+)['"]/.exec(verb[3]!)?.[1];
      const via =
        verb[1] === 'match' ? symbols(/\bvia:\s*(\[[^\]]*\]|:\w+)/.exec(verb[3]!)?.[1]) : [verb[1]!];
      const action = verb[2]!.replace(/^\//, '').split('/').pop();
      const handler = to
        ? `${frame.module}${to}`
        : frame.resource
          ? `${frame.resource.controller}#${action}`
          : '<unknown>';
      for (const m of via ?? ['ANY']) {
        routes.push({
          method: m === 'all' ? 'ANY' : m.toUpperCase(),
          path: joinPath(frame.prefix, verb[2]),
          handler,
          framework: 'rails',
          line: n,
        });
      }
    } else if (root) {
      routes.push({
        method: 'GET',
        path: joinPath(frame.prefix),
        handler: `${frame.module}${root[1]}`,
        framework: 'rails',
        line: n,
      });
    }
    if (opens) stack.push(next);
  });
  return routes;
}
