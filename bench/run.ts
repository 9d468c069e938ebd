// `npm run bench -- <name> [flags]` runs bench/<name>.ts with the flags.
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const benchDir = fileURLToPath(new URL('.', import.meta.url));
const available = readdirSync(benchDir)
  .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts') && !f.startsWith('_') && f !== 'run.ts')
  .map((f) => f.slice(0, -'.ts'.length))
  .sort();

const [name, ...flags] = process.argv.slice(2);
if (!name || !available.includes(name)) {
  if (name) console.error(`no bench named "${name}"`);
  console.error(
    `usage: npm run bench -- <name> [--smoke] [--duration S] [...]\navailable: ${available.join(', ')}`,
  );
  process.exit(2);
}

// The benches spawn the bins, which run dist/: never a stale one.
const built = spawnSync(process.execPath, [fileURLToPath(new URL('../scripts/build.mjs', import.meta.url))], {
  stdio: 'inherit',
});
if (built.status !== 0) process.exit(built.status ?? 1);

const child = spawn(
  process.execPath,
  ['--import', 'tsx', fileURLToPath(new URL(`${name}.ts`, import.meta.url)), ...flags],
  {
    stdio: 'inherit',
  },
);
// Ctrl-C reaches the child through the terminal's process group; wait for it to clean up.
process.on('SIGINT', () => {});
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
