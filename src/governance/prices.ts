/**
 * USD per million input tokens, the vendors' list prices (standard tier, short prompts) as
 * published in late 2025. What a tool serves becomes the model's input, so input prices are
 * the ones that apply. A profile's `[prices]` adds models or overrides these.
 */
export const MODEL_PRICES: Readonly<Record<string, number>> = Object.freeze({
  'claude-opus-4': 15,
  'claude-opus-4.1': 15,
  'claude-sonnet-4': 3,
  'claude-sonnet-4.5': 3,
  'claude-haiku-4.5': 1,
  'claude-3.5-haiku': 0.8,
  'gpt-5': 1.25,
  'gpt-5-mini': 0.25,
  'gpt-4.1': 2,
  'gpt-4.1-mini': 0.4,
  'gpt-4o': 2.5,
  'gpt-4o-mini': 0.15,
  o3: 2,
  'o4-mini': 1.1,
  'gemini-2.5-pro': 1.25,
  'gemini-2.5-flash': 0.3,
});

export const DEFAULT_MODEL = 'claude-sonnet-4';

/** The cost in USD of `tokens` input tokens at `usdPerMillion`. */
export function costOf(tokens: number, usdPerMillion: number): number {
  return (tokens * usdPerMillion) / 1_000_000;
}

/** Dollars the way a person reads them: cents, or more digits below a cent. */
export function formatUsd(usd: number): string {
  return usd >= 0.01 || usd === 0 ? `$${usd.toFixed(2)}` : `$${usd.toPrecision(2)}`;
}
