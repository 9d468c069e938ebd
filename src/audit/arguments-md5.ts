import { createHash } from 'node:crypto';

/**
 * The JSON text the original lean-ctx hashed for `argumentsMd5`: serde_json's compact form of
 * the arguments (`Value::to_string`), whose maps keep keys in byte order of their UTF-8, so:
 * no whitespace; object keys sorted by UTF-8 bytes at every level; arrays in order; strings
 * escaped as JSON.stringify escapes them (`"`, `\`, control characters; nothing else);
 * integers as integers; other numbers as serde_json writes a float (`1.5`, `1e+21`, `1e-7`,
 * an integral float with `.0`). A number JSON.parse already rounded (integers past 2^53, a
 * `1.0` the client wrote) is hashed as the rounded value.
 */
export function serdeJson(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      return serdeNumber(value);
    case 'string':
      return JSON.stringify(value);
    case 'object': {
      if (Array.isArray(value)) return `[${value.map(serdeJson).join(',')}]`;
      const obj = value as Record<string, unknown>;
      const keys = Object.keys(obj).filter((k) => obj[k] !== undefined);
      keys.sort(keys.some((k) => /[\ud800-\uffff]/.test(k)) ? byUtf8 : undefined);
      return `{${keys.map((k) => `${JSON.stringify(k)}:${serdeJson(obj[k])}`).join(',')}}`;
    }
    default:
      return 'null';
  }
}

/** UTF-16 order differs from UTF-8 byte order only between surrogates and U+E000..U+FFFF. */
const byUtf8 = (a: string, b: string) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));

const U64_MAX = 2 ** 64;
const I64_MIN = -(2 ** 63);

function serdeNumber(n: number): string {
  if (!Number.isFinite(n)) return 'null';
  // serde_json reads an integer literal that fits u64/i64 as an integer and prints it exactly
  if (Number.isInteger(n) && !Object.is(n, -0) && n < U64_MAX && n >= I64_MIN) {
    return Number.isSafeInteger(n) ? String(n) : BigInt(n).toString();
  }
  return floatText(n);
}

/** A float as serde_json prints it: the shortest round-trip digits, laid out as zmij lays them. */
function floatText(v: number): string {
  if (v === 0) return Object.is(v, -0) ? '-0.0' : '0.0';
  const sign = v < 0 ? '-' : '';
  const [mantissa = '', exponent = '0'] = Math.abs(v).toExponential().split('e');
  const digits = mantissa.replace('.', '');
  const length = digits.length;
  const kk = Number(exponent) + 1; // 10^(kk-1) <= |v| < 10^kk
  const k = kk - length;
  if (k >= 0 && kk <= 16) return `${sign}${digits}${'0'.repeat(k)}.0`;
  if (kk > 0 && kk <= 16) return `${sign}${digits.slice(0, kk)}.${digits.slice(kk)}`;
  if (kk > -5 && kk <= 0) return `${sign}0.${'0'.repeat(-kk)}${digits}`;
  const rest = length === 1 ? '' : `.${digits.slice(1)}`;
  // serde_json ≥ 1.0.147 (zmij, what the original shipped) writes `e+` where ryu wrote `e`
  return `${sign}${digits[0]}${rest}e${kk - 1 > 0 ? '+' : ''}${kk - 1}`;
}

/**
 * `argumentsMd5` of an audit line: the MD5 (hex) of serdeJson(arguments), or "" when a call
 * had no arguments at all, as the original wrote it.
 */
export function argumentsMd5(args: unknown): string {
  if (args === undefined) return '';
  return createHash('md5').update(serdeJson(args), 'utf8').digest('hex');
}

/**
 * What the original hashed for `POST /v1/tools/call`: once the workspace is known, the
 * arguments with the server-set `workspaceId`, `channelId` (the body's, when not blank) and
 * `agentId` (`team:<token id>`); for an unknown workspace, the arguments as sent.
 */
export function restCallArguments(
  args: Record<string, unknown> | undefined,
  at: { workspaceId: string; workspaceKnown: boolean; bodyChannelId: string | undefined; tokenId: string },
): unknown {
  if (!at.workspaceKnown) return args;
  const channel = at.bodyChannelId?.trim();
  return {
    ...args,
    workspaceId: at.workspaceId,
    ...(channel ? { channelId: channel } : {}),
    agentId: `team:${at.tokenId}`,
  };
}
