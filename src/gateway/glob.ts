/** A glob over names: `*` any run, `?` one character, everything else literal, case-insensitive. */
export function compileGlob(pattern: string): RegExp {
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
