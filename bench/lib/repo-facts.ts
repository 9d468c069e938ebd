import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/** A fact about this repository and what it installs, with a stable key. */
export interface BenchFact {
  category: string;
  key: string;
  value: string;
}

const DECLARATION = /^\s*(?:export\s+)?(?:declare\s+)?(function|class|interface|type|const|enum)\s+(\w+)/;
/** A documented member of a class or interface: `name(`, `name:`, `name?:`, `name<`. */
const MEMBER = /^\s+(?:(?:readonly|static|abstract|get|set)\s+)*([A-Za-z_$][\w$]*)\??\s*[(:<]/;

/** Declarations right after a doc comment, with the comment's first line; one pass over the lines. */
function* documented(text: string): Generator<{ kind: string; name: string; doc: string }> {
  let doc: string | undefined;
  let inComment = false;
  let justClosed = false;
  for (const line of text.split('\n')) {
    const t = line.trim();
    if (inComment) {
      const body = t
        .replace(/^\*\/?\s?/, '')
        .replace(/\*\/$/, '')
        .trim();
      if (doc === undefined && body && !body.startsWith('@')) doc = body;
      if (t.includes('*/')) {
        inComment = false;
        justClosed = true;
      }
      continue;
    }
    if (t.startsWith('/**')) {
      const body = t.slice(3).replace(/\*\/$/, '').trim();
      doc = body && !body.startsWith('@') ? body : undefined;
      inComment = !t.includes('*/', 3);
      justClosed = !inComment;
      continue;
    }
    const m = justClosed ? DECLARATION.exec(line) : null;
    const member = justClosed && !m ? MEMBER.exec(line) : null;
    if (m && doc) yield { kind: m[1] as string, name: m[2] as string, doc };
    else if (member && doc) yield { kind: 'member', name: member[1] as string, doc };
    justClosed = false;
    doc = undefined;
  }
}

function packageDirs(modules: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(modules).sort()) {
    if (name.startsWith('.')) continue;
    if (name.startsWith('@')) {
      for (const sub of readdirSync(join(modules, name)).sort()) out.push(join(modules, name, sub));
    } else out.push(join(modules, name));
  }
  return out.filter((d) => existsSync(join(d, 'package.json')));
}

function declarationFiles(dir: string, out: string[] = [], depth = 0): string[] {
  if (depth > 6) return out;
  for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if (e.name === 'node_modules' || e.name.startsWith('.')) continue;
    const full = join(dir, e.name);
    if (e.isDirectory()) declarationFiles(full, out, depth + 1);
    else if (e.name.endsWith('.d.ts')) out.push(full);
  }
  return out;
}

/**
 * Up to `limit` facts read from the repository's node_modules, in a fixed order: each
 * installed package's version and description, its license, then documented declarations
 * of the packages' `.d.ts` files (kind, name, where, the doc comment's first line).
 */
export function repositoryFacts(repo: string, limit: number): BenchFact[] {
  const modules = join(repo, 'node_modules');
  const facts: BenchFact[] = [];
  const seen = new Set<string>();
  const add = (f: BenchFact) => {
    const id = `${f.category}/${f.key}`;
    if (facts.length < limit && !seen.has(id)) {
      seen.add(id);
      facts.push(f);
    }
  };
  const dirs = packageDirs(modules);
  for (const dir of dirs) {
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Record<string, unknown>;
    const name = String(pkg.name ?? relative(modules, dir));
    const about = typeof pkg.description === 'string' ? pkg.description : 'no description';
    add({ category: 'package', key: name, value: `${name} ${String(pkg.version)}: ${about}` });
    if (typeof pkg.license === 'string') {
      add({ category: 'license', key: name, value: `${name} is licensed under ${pkg.license}` });
    }
  }
  for (const dir of dirs) {
    const pkg = relative(modules, dir);
    for (const file of declarationFiles(dir)) {
      const text = readFileSync(file, 'utf8');
      for (const { kind, name, doc } of documented(text)) {
        const where = relative(dir, file);
        add({
          category: 'symbol',
          key: `${pkg}:${where}:${name}`,
          value: `${kind} ${name} in ${pkg} (${where}): ${doc}`,
        });
        if (facts.length >= limit) return facts;
      }
    }
  }
  return facts;
}
