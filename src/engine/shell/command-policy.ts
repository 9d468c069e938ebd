import { basename } from 'node:path';

/**
 * A workspace's command rules: `commandAllow` and `commandDeny` (team.json), each a list of
 * patterns such as `"git *"`, `"npm test"` or `"rm -rf *"`. A pattern is words; each word is
 * matched against one argv word (`*` inside a word matches any characters), a last word `*`
 * matches any remaining words, and the program is compared by its base name (`/bin/rm` is
 * `rm`). Rules apply to every simple command of a pipeline or list, never to a substring.
 */
export interface CommandPolicy {
  readonly allow: readonly string[];
  readonly deny: readonly string[];
}

export const MAX_COMMAND_CHARS = 16 * 1024;

/** Shell words and operators of `command`; undefined when it holds what cannot be checked. */
type Parsed = { commands: string[][] } | { unparsable: string };

const OPERATORS = ['&&', '||', ';;', ';', '|', '&', '\n'];

/**
 * Splits a POSIX shell command into simple commands of argv words, honouring quotes and
 * backslashes. Command substitution, process substitution, subshells and here-documents
 * cannot be checked word by word: they are reported as unparsable.
 */
export function parseCommand(command: string): Parsed {
  const commands: string[][] = [];
  let words: string[] = [];
  let word = '';
  let inWord = false;
  const endWord = () => {
    if (inWord) words.push(word);
    word = '';
    inWord = false;
  };
  const endCommand = () => {
    endWord();
    if (words.length > 0) commands.push(words);
    words = [];
  };
  for (let i = 0; i < command.length; i++) {
    const c = command[i] as string;
    if (c === '\\') {
      if (i + 1 < command.length && command[i + 1] !== '\n') {
        word += command[i + 1];
        inWord = true;
      }
      i++;
      continue;
    }
    if (c === "'") {
      const end = command.indexOf("'", i + 1);
      if (end === -1) return { unparsable: 'an unclosed single quote' };
      word += command.slice(i + 1, end);
      inWord = true;
      i = end;
      continue;
    }
    if (c === '"') {
      let j = i + 1;
      for (; j < command.length && command[j] !== '"'; j++) {
        const d = command[j] as string;
        const next = command[j + 1];
        if (d === '`' || (d === '$' && next === '(')) return { unparsable: 'command substitution' };
        if (d === '\\' && next !== undefined && '$`"\\\n'.includes(next)) {
          word += next;
          j++;
        } else word += d;
      }
      if (j >= command.length) return { unparsable: 'an unclosed double quote' };
      inWord = true;
      i = j;
      continue;
    }
    if (c === '`' || (c === '$' && command[i + 1] === '(')) return { unparsable: 'command substitution' };
    if ((c === '<' || c === '>') && command[i + 1] === '(') return { unparsable: 'process substitution' };
    if (c === '(' || c === ')' || c === '{' || c === '}') {
      if (!inWord) return { unparsable: 'a subshell or group' };
    }
    if (c === '<' && command[i + 1] === '<') return { unparsable: 'a here-document' };
    if (c === '#' && !inWord) {
      const nl = command.indexOf('\n', i);
      i = nl === -1 ? command.length : nl - 1;
      continue;
    }
    const op = OPERATORS.find((o) => command.startsWith(o, i));
    if (op) {
      endCommand();
      i += op.length - 1;
      continue;
    }
    if (c === ' ' || c === '\t') {
      endWord();
      continue;
    }
    word += c;
    inWord = true;
  }
  endCommand();
  const argvs = commands.map(withoutRedirectsAndAssignments).filter((argv) => argv.length > 0);
  if (argvs.some((argv) => argv[0]?.includes('$'))) return { unparsable: 'a variable as the program' };
  return { commands: argvs };
}

/** Drops `VAR=value` prefixes and redirections (`>file`, `2>&1`, `< in`) from argv. */
function withoutRedirectsAndAssignments(words: string[]): string[] {
  const argv: string[] = [];
  let skipNext = false;
  for (const w of words) {
    if (skipNext) {
      skipNext = false;
      continue;
    }
    if (argv.length === 0 && /^[A-Za-z_][A-Za-z0-9_]*=/.test(w)) continue;
    const redirect = /^\d*(>>|>&|<&|>|<)(.*)$/.exec(w);
    if (redirect) {
      if (redirect[2] === '') skipNext = true;
      continue;
    }
    argv.push(w);
  }
  return argv;
}

function globWord(pattern: string): RegExp {
  const body = pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${body.join('.*')}$`, 's');
}

/** Whether one argv matches one pattern. */
export function matchesPattern(pattern: string, argv: readonly string[]): boolean {
  const words = pattern.trim().split(/\s+/);
  for (let i = 0; i < words.length; i++) {
    const w = words[i] as string;
    if (w === '*' && i === words.length - 1) return true;
    const arg = argv[i];
    if (arg === undefined) return false;
    if (!globWord(w).test(i === 0 ? basename(arg) : arg)) return false;
  }
  return argv.length === words.length;
}

/** Why a command is refused under the policy (the rule named), or undefined when it may run. */
export function checkCommand(policy: CommandPolicy, command: string): string | undefined {
  if (policy.allow.length === 0 && policy.deny.length === 0) return undefined;
  const parsed = parseCommand(command);
  if ('unparsable' in parsed) {
    return `the workspace has command rules and this command uses ${parsed.unparsable}, which cannot be checked word by word; run the parts as separate commands`;
  }
  for (const argv of parsed.commands) {
    const shown = argv.join(' ');
    const denied = policy.deny.find((p) => matchesPattern(p, argv));
    if (denied !== undefined) return `"${shown}" matches the workspace's commandDeny rule "${denied}"`;
    if (policy.allow.length > 0 && !policy.allow.some((p) => matchesPattern(p, argv))) {
      return `"${shown}" matches no commandAllow rule of the workspace (${policy.allow.map((p) => `"${p}"`).join(', ')})`;
    }
  }
  return undefined;
}

/** A config problem with one pattern, or undefined. */
export function patternProblem(pattern: string): string | undefined {
  if (pattern.trim() === '') return 'an empty pattern matches nothing; remove it';
  if (/[;&|<>`$(){}'"\\\n]/.test(pattern)) {
    return `"${pattern}" holds shell syntax; a pattern is plain words with "*" wildcards, e.g. "git *"`;
  }
  return undefined;
}
