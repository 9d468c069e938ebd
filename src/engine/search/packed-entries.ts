import type { FileEntry } from './file-entry.ts';
import type { TrigramBloom } from './trigram-bloom.ts';

/**
 * The index's files laid out for one tight loop: flags, extension ids and every Bloom
 * filter in one contiguous buffer, so filtering 10k+ files touches typed arrays only
 * (object-per-file layouts cost a cache miss or three per file). Larger files add a second
 * level of per-block filters in their own buffer.
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
  /** File i's blocks are `blockFirst[i]` up to `blockFirst[i + 1]` (none: search it whole). */
  blockFirst: Uint32Array;
  blockStart: Uint32Array;
  blockLine: Uint32Array;
  blockOffsets: Uint32Array;
  blockShifts: Uint8Array;
  blockBits: Uint32Array;
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

/** Copies filters into one buffer and points each at its copy, so the entry holds a view. */
function packBlooms(blooms: (TrigramBloom | undefined)[]): {
  bits: Uint32Array;
  offsets: Uint32Array;
  shifts: Uint8Array;
  views: (TrigramBloom | undefined)[];
} {
  let words = 0;
  for (const b of blooms) words += b?.bits.length ?? 0;
  const bits = new Uint32Array(words);
  const offsets = new Uint32Array(blooms.length);
  const shifts = new Uint8Array(blooms.length);
  let at = 0;
  const views = blooms.map((b, i) => {
    offsets[i] = at;
    if (!b) return undefined;
    bits.set(b.bits, at);
    shifts[i] = b.shift;
    const view = { bits: bits.subarray(at, at + b.bits.length), shift: b.shift };
    at += b.bits.length;
    return view;
  });
  return { bits, offsets, shifts, views };
}

/** Packs entries; each entry's filters become views into the shared buffers. */
export function packEntries(entries: FileEntry[]): PackedEntries {
  const n = entries.length;
  const flags = new Uint8Array(n);
  const extIds = new Uint16Array(n);
  const extTable = new Map<string, number>();
  const blockFirst = new Uint32Array(n + 1);
  const starts: number[] = [];
  const lines: number[] = [];
  const blockBlooms: TrigramBloom[] = [];
  entries.forEach((e, i) => {
    flags[i] = (e.secret ? FLAG_SECRET : 0) | (e.binary ? FLAG_BINARY : 0) | (e.bloom ? 0 : FLAG_NO_BLOOM);
    const ext = extOf(e.rel);
    let id = extTable.get(ext);
    if (id === undefined) {
      id = Math.min(extTable.size, 0xffff);
      extTable.set(ext, id);
    }
    extIds[i] = id;
    blockFirst[i] = starts.length;
    if (e.blocks) {
      starts.push(...e.blocks.starts);
      lines.push(...e.blocks.lines);
      blockBlooms.push(...e.blocks.blooms);
    }
  });
  blockFirst[n] = starts.length;
  const files = packBlooms(entries.map((e) => e.bloom));
  const blocks = packBlooms(blockBlooms);
  entries.forEach((e, i) => {
    e.bloom = files.views[i];
    if (e.blocks) {
      const first = blockFirst[i]!;
      e.blocks.blooms = e.blocks.blooms.map((_, k) => blocks.views[first + k] as TrigramBloom);
    }
  });
  return {
    entries,
    flags,
    extIds,
    extTable,
    bits: files.bits,
    offsets: files.offsets,
    shifts: files.shifts,
    blockFirst,
    blockStart: Uint32Array.from(starts),
    blockLine: Uint32Array.from(lines),
    blockOffsets: blocks.offsets,
    blockShifts: blocks.shifts,
    blockBits: blocks.bits,
  };
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
