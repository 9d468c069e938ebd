/** Entries of any one list in a JSON answer; longer lists are cut and named in `cut`. */
export const MAX_JSON_LIST = 500;

/**
 * `value` as JSON with every array longer than 500 entries cut to 500; `cut` maps each cut
 * list's place (`communities[0].files`) to its full length, so no count is lost.
 */
export function toJsonAnswer(value: Record<string, unknown>): string {
  const cut: Record<string, number> = {};
  const walk = (v: unknown, at: string): unknown => {
    if (Array.isArray(v)) {
      if (v.length > MAX_JSON_LIST) cut[at] = v.length;
      return v.slice(0, MAX_JSON_LIST).map((x, i) => walk(x, `${at}[${i}]`));
    }
    if (v instanceof Map) return walk(Object.fromEntries(v), at);
    if (v !== null && typeof v === 'object') {
      return Object.fromEntries(
        Object.entries(v).map(([k, x]) => [k, walk(x, at === '' ? k : `${at}.${k}`)]),
      );
    }
    return v;
  };
  const body = walk(value, '') as Record<string, unknown>;
  return JSON.stringify(Object.keys(cut).length > 0 ? { ...body, cut } : body);
}
