import { defineWorkspaceService } from '../workspace.ts';

/** What one context has received of one file. */
export interface Delivery {
  /** F<ref> in this context's headers. */
  ref: number;
  /** Hash of the bytes the context last received in full (full, diff or delta). */
  fullHash: string | undefined;
  /** Those bytes, kept to diff against on the next change. */
  fullText: string | undefined;
  /** Which read of this file (1, 2 …) delivered the full bytes. */
  fullAt: number;
  /** `<mode>@<hash>` of compressed views the context received → the read that sent it. */
  views: Map<string, number>;
  /** Reads of this file in this context, this one included. */
  reads: number;
  lastMode: string;
  /** Tokens of the full file at the last read. */
  tokens: number;
  /** Tokens this context has received for this file, over all its reads (stubs and views too). */
  sentTokens: number;
  lines: number;
}

export interface CacheLimits {
  maxContexts: number;
  maxFilesPerContext: number;
  /** Total characters of kept file text over all contexts. */
  maxChars: number;
}

export const DEFAULT_CACHE_LIMITS: CacheLimits = {
  maxContexts: 256,
  maxFilesPerContext: 2000,
  maxChars: 32 * 1024 * 1024,
};

export interface CacheStatus {
  contexts: number;
  files: number;
  chars: number;
  limits: CacheLimits;
}

/**
 * Honest read cache: per context (agent + MCP session or REST contextId), which bytes of
 * which file it has already received. Only that lets a re-read answer "unchanged". Both
 * contexts and their files are kept in LRU order; eviction only ever costs a full re-send.
 */
export interface ReadCache {
  /** The context's record of a file, marking it most recently used. */
  get(scope: string, rel: string): Delivery | undefined;
  /** The record to update for a read, created (with its F-number) when new. */
  touch(scope: string, rel: string): Delivery;
  /** Stores the full text the context now holds. */
  setFull(scope: string, rel: string, hash: string, text: string): void;
  entries(scope: string): [rel: string, delivery: Delivery][];
  /** Forgets one path in every context, or everything; returns how many records went. */
  invalidate(rel?: string): number;
  /** Forgets one context. */
  forget(scope: string): number;
  status(): CacheStatus;
  /** Paths of the context whose record changed since the last call (to share with replicas). */
  takeChanged(scope: string): string[];
  /** Puts a record another replica made, as it is (not counted as a change). */
  restore(scope: string, rel: string, delivery: Delivery): void;
}

interface ContextFiles {
  files: Map<string, Delivery>;
  nextRef: number;
  changed: Set<string>;
}

export function createReadCache(limits: CacheLimits = DEFAULT_CACHE_LIMITS): ReadCache {
  const contexts = new Map<string, ContextFiles>();
  let chars = 0;

  const drop = (d: Delivery) => {
    chars -= d.fullText?.length ?? 0;
  };
  const evictOldestFile = (): boolean => {
    for (const [scope, c] of contexts) {
      const first = c.files.entries().next();
      if (!first.done) {
        drop(first.value[1]);
        c.files.delete(first.value[0]);
        return true;
      }
      contexts.delete(scope);
    }
    return false;
  };
  const contextOf = (scope: string, create: boolean): ContextFiles | undefined => {
    let c = contexts.get(scope);
    if (c) {
      contexts.delete(scope);
      contexts.set(scope, c);
      return c;
    }
    if (!create) return undefined;
    c = { files: new Map(), nextRef: 1, changed: new Set() };
    contexts.set(scope, c);
    while (contexts.size > limits.maxContexts) {
      const oldest = contexts.entries().next().value;
      if (!oldest) break;
      for (const d of oldest[1].files.values()) drop(d);
      contexts.delete(oldest[0]);
    }
    return c;
  };

  return {
    get(scope, rel) {
      const c = contextOf(scope, false);
      const d = c?.files.get(rel);
      if (c && d) {
        c.files.delete(rel);
        c.files.set(rel, d);
      }
      return d;
    },
    touch(scope, rel) {
      const c = contextOf(scope, true) as ContextFiles;
      let d = c.files.get(rel);
      if (d) {
        c.files.delete(rel);
      } else {
        d = {
          ref: c.nextRef++,
          fullHash: undefined,
          fullText: undefined,
          fullAt: 0,
          views: new Map(),
          reads: 0,
          lastMode: '',
          tokens: 0,
          sentTokens: 0,
          lines: 0,
        };
      }
      c.files.set(rel, d);
      c.changed.add(rel);
      while (c.files.size > limits.maxFilesPerContext) {
        const oldest = c.files.entries().next().value;
        if (!oldest) break;
        drop(oldest[1]);
        c.files.delete(oldest[0]);
      }
      return d;
    },
    setFull(scope, rel, hash, text) {
      const d = this.touch(scope, rel);
      drop(d);
      d.fullHash = hash;
      d.fullAt = d.reads;
      d.fullText = text.length <= limits.maxChars ? text : undefined;
      chars += d.fullText?.length ?? 0;
      // the context keeps the hash even when the text had to go: stubs stay honest
      while (chars > limits.maxChars && evictOldestFile()) {
        // evicting
      }
    },
    entries(scope) {
      return [...(contexts.get(scope)?.files.entries() ?? [])];
    },
    invalidate(rel) {
      let n = 0;
      for (const c of contexts.values()) {
        for (const [path, d] of c.files) {
          if (rel === undefined || path === rel) {
            drop(d);
            c.files.delete(path);
            n++;
          }
        }
      }
      if (rel === undefined) contexts.clear();
      return n;
    },
    forget(scope) {
      const c = contexts.get(scope);
      if (!c) return 0;
      for (const d of c.files.values()) drop(d);
      contexts.delete(scope);
      return c.files.size;
    },
    takeChanged(scope) {
      const c = contexts.get(scope);
      if (!c) return [];
      const rels = [...c.changed].filter((rel) => c.files.has(rel));
      c.changed.clear();
      return rels;
    },
    restore(scope, rel, delivery) {
      const c = contextOf(scope, true) as ContextFiles;
      const old = c.files.get(rel);
      if (old) drop(old);
      c.files.delete(rel);
      c.files.set(rel, delivery);
      c.nextRef = Math.max(c.nextRef, delivery.ref + 1);
      chars += delivery.fullText?.length ?? 0;
      while (chars > limits.maxChars && evictOldestFile()) {
        // evicting
      }
    },
    status() {
      let files = 0;
      for (const c of contexts.values()) files += c.files.size;
      return { contexts: contexts.size, files, chars, limits };
    },
  };
}

/** The workspace's read cache. */
export const readCacheOf = defineWorkspaceService('read cache', (): ReadCache => createReadCache());

/** The cache key of a caller's context; undefined when the caller has none (no stubs, ever). */
export function contextScope(agentId: string, contextId: string | undefined): string | undefined {
  return contextId === undefined ? undefined : `${agentId}\u0000${contextId}`;
}
