/** One HTTP route declared in source. */
export interface Route {
  /** Upper case; `ANY` when the declaration accepts every method. */
  method: string;
  /** As the framework writes parameters (`:id`, `{id}`, `<int:id>`, `[id]`), with a leading `/`. */
  path: string;
  /** The function or `Controller#action` that answers; `<inline>` for an anonymous one. */
  handler: string;
  framework: string;
  file: string;
  line: number;
  /**
   * What can mount this route under another file's scope: (Actix) the function holding it
   * (`.configure(f)`) or its own handler (`.service(h)` of an attribute route); (Express, Hono)
   * the names its router is exported under (`app.use('/p', require('./users'))`).
   */
  mountedBy?: { fn?: string; handler?: string; exports?: string[] };
}

export type RouteDraft = Omit<Route, 'file'>;

/** A `.configure(f)`, `.service(h)` or `.use('/p', r)` call: the routes `name` holds go under `prefix`. */
export interface RouteMount {
  kind: 'configure' | 'service' | 'use';
  /** The function or handler (last path segment), or (use) the export of the module. */
  name: string;
  /**
   * Rust: the module it was named through (`users` of `users::config`), to tell same-named
   * functions apart. use: the relative module specifier (`./routes/users`).
   */
  module?: string;
  /** (use) The names the router the call is on is exported under: its own mounts add in front. */
  exports?: string[];
  /** The scope path around the call in its own file. */
  prefix: string;
  /** The function the call is in (its own mounts add their prefixes in front). */
  fn?: string;
}

export const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'] as const;

/** `/a` + `b/` → `/a/b`: one slash between parts, none doubled, none trailing (except `/`). */
export function joinPath(...parts: (string | undefined)[]): string {
  const joined = `/${parts.filter((p): p is string => !!p).join('/')}`.replace(/\/{2,}/g, '/');
  return joined.length > 1 ? joined.replace(/\/$/, '') : joined;
}

/** 1-based line of each offset, by binary search over line starts. */
export function lineIndex(text: string): (offset: number) => number {
  const starts = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return (offset) => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  };
}

const CLOSE: Record<string, string> = { '(': ')', '[': ']', '{': '}' };
const MAX_ARGS_CHARS = 4000;

/**
 * The text from `open` (an opening bracket) to its partner, strings skipped; cut at
 * `maxChars` (an argument list's MAX_ARGS_CHARS by default) so a broken file costs a bounded scan.
 */
export function balanced(text: string, open: number, maxChars = MAX_ARGS_CHARS): string {
  const stack: string[] = [];
  const end = Math.min(text.length, open + maxChars);
  for (let i = open; i < end; i++) {
    const c = text[i]!;
    if (c === '"' || c === "'" || c === '`') {
      const close = text.indexOf(c, i + 1);
      if (close === -1 || close >= end) break;
      i = close;
    } else if (CLOSE[c]) stack.push(CLOSE[c]);
    else if (c === stack[stack.length - 1]) {
      stack.pop();
      if (stack.length === 0) return text.slice(open, i + 1);
    }
  }
  return text.slice(open, end);
}

/** Top-level comma-separated parts of `(a, b(c, d), e)`. */
export function splitArgs(group: string): string[] {
  const inner = group.slice(1, group.endsWith(')') || group.endsWith(']') ? -1 : undefined);
  const args: string[] = [];
  let depth = 0;
  let from = 0;
  for (let i = 0; i < inner.length; i++) {
    const c = inner[i]!;
    if (c === '"' || c === "'" || c === '`') {
      const close = inner.indexOf(c, i + 1);
      i = close === -1 ? inner.length : close;
    } else if ('([{'.includes(c)) depth++;
    else if (')]}'.includes(c)) depth--;
    else if (c === ',' && depth === 0) {
      args.push(inner.slice(from, i).trim());
      from = i + 1;
    }
  }
  const last = inner.slice(from).trim();
  if (last) args.push(last);
  return args;
}

/** A handler argument as a name: `getUser`, `users.show`; `<inline>` for a function literal. */
export function handlerName(arg: string | undefined): string {
  if (!arg) return '<inline>';
  const a = arg.trim();
  const named = /^(?:async\s+)?function\s*\*?\s*([A-Za-z_$][\w$]*)/.exec(a);
  if (named) return named[1]!;
  if (/^[A-Za-z_$][\w$]*(\s*\.\s*[A-Za-z_$][\w$]*)*$/.test(a) && a !== 'function' && a !== 'async')
    return a.replace(/\s+/g, '');
  return '<inline>';
}
