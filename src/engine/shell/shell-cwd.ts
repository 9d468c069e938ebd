import { defineWorkspaceService } from '../workspace.ts';

const MAX_CONTEXTS = 1024;

/** Each context's ctx_shell directory (root-relative), kept between calls; oldest forgotten first. */
export interface ShellDirs {
  get(scope: string): string | undefined;
  set(scope: string, rel: string): void;
}

export const shellDirsOf = defineWorkspaceService('shell directories', (): ShellDirs => {
  const dirs = new Map<string, string>();
  return {
    get: (scope) => dirs.get(scope),
    set(scope, rel) {
      dirs.delete(scope);
      dirs.set(scope, rel);
      if (dirs.size > MAX_CONTEXTS) dirs.delete(dirs.keys().next().value as string);
    },
  };
});
