import { createRequire } from 'node:module';

type O200k = typeof import('gpt-tokenizer/encoding/o200k_base');

const require = createRequire(import.meta.url);
let encoder: O200k | undefined;

/** The o200k_base encoder, loaded on first use: building its tables takes ~200 ms and ~60 MB. */
function o200k(): O200k {
  encoder ??= require('gpt-tokenizer/encoding/o200k_base') as O200k;
  return encoder;
}

// `<|endoftext|>` in a file is text the client receives, not a control token (the
// tokenizer's default is to throw on it).
const AS_TEXT = { disallowedSpecial: new Set<string>() };

export function countO200k(text: string): number {
  return o200k().countTokens(text, AS_TEXT);
}

export function encodeO200k(text: string): number[] {
  return o200k().encode(text, AS_TEXT);
}

/**
 * Builds the tables once the current work is done, so the first request that counts tokens
 * does not pay for them. A failure here is left to that first count to report.
 */
export function warmTokenizer(): void {
  setTimeout(() => {
    try {
      o200k();
    } catch {}
  }, 0).unref();
}
