import { balanced, joinPath, lineIndex, type RouteDraft, splitArgs } from './route.ts';

const MAPPING = /@(RequestMapping|GetMapping|PostMapping|PutMapping|DeleteMapping|PatchMapping)\b/g;
const ANNOTATIONS = /@[\w.]+(\s*\((?:[^()]|\([^()]*\))*\))?/g;

/** The first path of a mapping's arguments: `("/x")`, `(value = "/x")`, `(path = {"/x", "/y"})`. */
function mappingPath(args: string[]): string | undefined {
  for (const a of args) {
    const m = /^(?:(?:value|path)\s*=\s*)?\{?\s*"([^"]*)"/.exec(a);
    if (m) return m[1];
  }
  return undefined;
}

/** Spring MVC: `@RequestMapping` on a class is the prefix of its `@GetMapping`… methods. */
export function springRoutes(text: string): RouteDraft[] {
  const lineOf = lineIndex(text);
  const routes: RouteDraft[] = [];
  let prefix = '';
  let owner = '';
  for (const m of text.matchAll(MAPPING)) {
    const end = m.index + m[0].length;
    const hasArgs = /^\s*\(/.exec(text.slice(end, end + 50));
    const group = hasArgs ? balanced(text, end + hasArgs[0].length - 1) : '()';
    const args = splitArgs(group);
    const after = text
      .slice(end + (hasArgs ? hasArgs[0].length - 1 + group.length : 0), end + 1500)
      .replace(ANNOTATIONS, ' ');
    const cls =
      /^\s*(?:(?:public|private|protected|abstract|final|open|internal|data)\s+)*(?:class|interface)\s+(\w+)/.exec(
        after,
      );
    if (cls) {
      prefix = mappingPath(args) ?? '';
      owner = cls[1]!;
      continue;
    }
    const method = /^[^;{=]*?\b(\w+)\s*\(/.exec(after);
    const verbs =
      m[1] === 'RequestMapping'
        ? [...group.matchAll(/RequestMethod\.(\w+)/g)].map((v) => v[1]!)
        : [m[1]!.replace('Mapping', '').toUpperCase()];
    for (const verb of verbs.length > 0 ? verbs : ['ANY']) {
      routes.push({
        method: verb,
        path: joinPath(prefix, mappingPath(args)),
        handler: `${owner ? `${owner}.` : ''}${method?.[1] ?? '<unknown>'}`,
        framework: 'spring',
        line: lineOf(m.index),
      });
    }
  }
  return routes;
}
