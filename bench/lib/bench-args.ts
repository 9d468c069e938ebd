import { parseArgs } from 'node:util';

export interface BenchArgs {
  smoke: boolean;
  /** Seconds each target runs per round. */
  durationSec: number;
  rounds: number;
  /** Connections (http) or sessions (mcp). */
  concurrency: number;
  /** Start the server children with --cpu-prof into bench/results/profiles. */
  profile: boolean;
}

export interface BenchDefaults {
  durationSec: number;
  rounds: number;
  concurrency: number;
  smoke: { durationSec: number; rounds: number; concurrency: number };
}

function positive(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${flag} needs a positive number, got "${value}"`);
  return n;
}

/** `--smoke`, `--duration N`, `--rounds N`, `--concurrency N`, `--profile`; smoke only changes defaults. */
export function parseBenchArgs(argv: readonly string[], defaults: BenchDefaults, usage: string): BenchArgs {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      smoke: { type: 'boolean', default: false },
      duration: { type: 'string' },
      rounds: { type: 'string' },
      concurrency: { type: 'string' },
      profile: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(usage);
    process.exit(0);
  }
  const base = values.smoke ? defaults.smoke : defaults;
  return {
    smoke: values.smoke,
    durationSec: positive('duration', values.duration) ?? base.durationSec,
    rounds: Math.round(positive('rounds', values.rounds) ?? base.rounds),
    concurrency: Math.round(positive('concurrency', values.concurrency) ?? base.concurrency),
    profile: values.profile,
  };
}
