import { readFile, stat } from 'node:fs/promises';
import { isSecretPath } from '../secrets.ts';
import { type BlockBlooms, buildBlockBlooms, buildBloom, type TrigramBloom } from './trigram-bloom.ts';

/** One file as the search index knows it. */
export interface FileEntry {
  rel: string;
  size: number;
  mtimeMs: number;
  /** Never read: secret-looking name. */
  secret: boolean;
  /** Has a NUL byte; ripgrep skips such files, so do we. */
  binary: boolean;
  /** Kept in memory while under the cache budget; otherwise read again when a query needs it. */
  text: string | undefined;
  bloom: TrigramBloom | undefined;
  /** Filters per block of a larger file, tested after the file's own. */
  blocks: BlockBlooms | undefined;
}

/** Decodes a file for search, or undefined when it is binary. */
export function decodeForSearch(buf: Buffer): string | undefined {
  return buf.includes(0) ? undefined : buf.toString('utf8');
}

/** Reads and indexes one file; `keepText` says whether the cache budget still has room. */
export async function loadEntry(
  root: string,
  rel: string,
  keepText: boolean,
): Promise<FileEntry | undefined> {
  const abs = `${root}/${rel}`;
  const info = await stat(abs).catch(() => undefined);
  if (!info?.isFile()) return undefined;
  const base = { rel, size: info.size, mtimeMs: info.mtimeMs };
  if (isSecretPath(rel))
    return { ...base, secret: true, binary: false, text: undefined, bloom: undefined, blocks: undefined };
  const buf = await readFile(abs).catch(() => undefined);
  if (!buf) return undefined;
  const text = decodeForSearch(buf);
  if (text === undefined)
    return { ...base, secret: false, binary: true, text: undefined, bloom: undefined, blocks: undefined };
  return {
    ...base,
    secret: false,
    binary: false,
    text: keepText ? text : undefined,
    bloom: buildBloom(text),
    blocks: buildBlockBlooms(text),
  };
}

/** The text of an entry, from memory or disk; undefined if it vanished or turned binary. */
export async function entryText(root: string, entry: FileEntry): Promise<string | undefined> {
  if (entry.text !== undefined) return entry.text;
  const buf = await readFile(`${root}/${entry.rel}`).catch(() => undefined);
  return buf ? decodeForSearch(buf) : undefined;
}
