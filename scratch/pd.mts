import { parseUnifiedDiff } from '/work/wt/gfw/src/engine/git/parse-diff.ts';
import { readFileSync } from 'node:fs';
console.log(JSON.stringify(parseUnifiedDiff(readFileSync(process.argv[2]!, 'utf8'))));
