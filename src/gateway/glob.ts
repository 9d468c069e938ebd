const compiled = new Map<string, RegExp>();
/** Patterns come from configuration, so the cache stays small; the bound is a guard. */
const MAX_COMPILED = 1024;

/** A glob over names: `*` any run, `?` one character, everything else literal, case-insensitive. */
export function compileGlob(pattern: string): RegExp {
  let re = compiled.get(pattern);
  if (!re) {
    if (compiled.size >= MAX_COMPILED) compiled.clear();
    re = toRegExp(pattern);
    compiled.set(pattern, re);
  }
  return re;
}

function toRegExp(pattern: string): RegExp {
  let source = '';
  for (const ch of pattern) {
    if (ch === '*') source += '.*';
    else if (ch === '?') source += '.';
    else source += ch.replace(/[\\^$.|+()[\]{}]/g, '\\$&');
  }
  return new RegExp(`^${source}$`, 'is');
}

/** True when any glob matches; an undefined list means "no restriction". */
export function matchesAny(globs: readonly string[] | undefined, name: string): boolean {
  if (globs === undefined) return true;
  return globs.some((glob) => compileGlob(glob).test(name));
}
