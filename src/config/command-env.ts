/** The server's variables a command run by ctx_shell inherits; everything else (tokens, keys) stays out. */
const PASSED = ['PATH', 'HOME', 'USER', 'LOGNAME', 'LANG', 'LC_ALL', 'LC_CTYPE', 'TZ', 'TMPDIR', 'SHELL'];

/** The environment of a command: an allow-list of the server's, no colours, no pagers, no prompts. */
export function commandEnvironment(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const key of PASSED) {
    const value = process.env[key];
    if (value !== undefined) env[key] = value;
  }
  return {
    ...env,
    TERM: 'dumb',
    NO_COLOR: '1',
    FORCE_COLOR: '0',
    PAGER: 'cat',
    GIT_PAGER: 'cat',
    GIT_TERMINAL_PROMPT: '0',
  };
}
