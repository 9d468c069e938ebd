import { readFileSync } from 'node:fs';
import stripJsonComments from 'strip-json-comments';
import { ConfigError } from './team-config.ts';

/**
 * A JSON file that may carry comments and trailing commas (JSONC, as editors and the
 * lazy-mcp README write servers.json). Comments become spaces, so positions in parse
 * errors still point into the file as written.
 */
export function readJsoncFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const hint = code === 'ENOENT' ? 'the file does not exist; create it or pass --config' : String(err);
    throw new ConfigError(path, [hint]);
  }
  try {
    return JSON.parse(stripJsonComments(text, { trailingCommas: true }));
  } catch (err) {
    throw new ConfigError(path, [
      `not valid JSON (comments and trailing commas are fine): ${(err as Error).message}`,
    ]);
  }
}
