import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const BENCH_DIR = dirname(dirname(fileURLToPath(import.meta.url)));
export const RESULTS_DIR = join(BENCH_DIR, 'results');

/** Where and when a run happened; an absolute number means little without it. */
export function machineInfo(): Record<string, string | number> {
  return {
    date: new Date().toISOString(),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    cpus: availableParallelism(),
    cpuModel: cpus()[0]?.model ?? 'unknown',
    /** 1-minute load average when the run ended: how busy the neighbours were. */
    loadAvg1m: Math.round((loadavg()[0] ?? 0) * 100) / 100,
  };
}

/** Writes bench/results/<name>.json (git-ignored) and returns its path relative to cwd. */
export function writeResults(name: string, data: unknown): string {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const path = join(RESULTS_DIR, `${name}.json`);
  writeFileSync(path, `${JSON.stringify(data, null, 2)}\n`);
  return relative(process.cwd(), path) || path;
}

/**
 * Node flags that make a server child write CPU profiles into bench/results/profiles/<name> on
 * exit (one file per thread, the tsx loader thread included; the largest is the main thread).
 */
export function profileFlags(enabled: boolean, name: string): string[] {
  if (!enabled) return [];
  const dir = join(RESULTS_DIR, 'profiles', name);
  mkdirSync(dir, { recursive: true });
  return ['--cpu-prof', `--cpu-prof-dir=${dir}`];
}
