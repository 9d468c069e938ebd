import type { FileEntry } from './file-entry.ts';

/**
 * The index's files laid out for one tight loop: flags, extension ids and every Bloom
 * filter in one contiguous buffer, so filtering 10k+ files touches typed arrays only
 * (object-per-file layouts cost a cache miss or three per file).
 */
export interface PackedEntries {
  /** Sorted by path, code-unit order. */
  entries: FileEntry[];
  flags: Uint8Array;
  extIds: Uint16Array;
  extTable: Map<string, number>;
  bits: Uint32Array;
  offsets: Uint32Array;
  shifts: Uint8Array;
}

export const FLAG_SECRET = 1;
export const FLAG_BINARY = 2;
/** No filter (never for a searchable file today); such a file is always a candidate. */
export const FLAG_NO_BLOOM = 4;

export function extOf(rel: string): string {
  const slash = rel.lastIndexOf('/');
  const dot = rel.lastIndexOf('.');
  return dot > slash + 1 ? rel.slice(dot + 1) : '';
}

/** Packs entries; each entry's `bloom` becomes a view into the shared buffer. */
export function packEntries(entries: FileEntry[]): PackedEntries {
  const n = entries.length;
  const flags = new Uint8Array(n);
  const extIds = new Uint16Array(n);
  const extTable = new Map<string, number>();
  const offsets = new Uint32Array(n);
  const shifts = new Uint8Array(n);
  let words = 0;
  for (const e of entries) words += e.bloom?.bits.length ?? 0;
  const bits = new Uint32Array(words);
  let at = 0;
  entries.forEach((e, i) => {
    flags[i] = (e.secret ? FLAG_SECRET : 0) | (e.binary ? FLAG_BINARY : 0) | (e.bloom ? 0 : FLAG_NO_BLOOM);
    const ext = extOf(e.rel);
    let id = extTable.get(ext);
    if (id === undefined) {
      id = Math.min(extTable.size, 0xffff);
      extTable.set(ext, id);
    }
    extIds[i] = id;
    offsets[i] = at;
    if (e.bloom) {
      bits.set(e.bloom.bits, at);
      shifts[i] = e.bloom.shift;
      const len = e.bloom.bits.length;
      e.bloom = { bits: bits.subarray(at, at + len), shift: e.bloom.shift };
      at += len;
    }
  });
  return { entries, flags, extIds, extTable, bits, offsets, shifts };
}

/** [lo, hi) of the entries under directory `prefix` ("" = all); sorted paths keep them together. */
export function prefixRange(entries: readonly FileEntry[], prefix: string): [number, number] {
  if (prefix === '') return [0, entries.length];
  const lowerBound = (key: string) => {
    let lo = 0;
    let hi = entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (entries[mid]!.rel < key) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  // "/" + 1 = "0": every path starting with `prefix/` sorts below `prefix0`.
  return [lowerBound(`${prefix}/`), lowerBound(`${prefix}0`)];
}
