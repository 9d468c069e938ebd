/** One file of a unified diff. */
export interface DiffFile {
  /** The path after the change (before it, for a deletion). */
  path: string;
  /** The path before a rename. */
  oldPath?: string;
  status: 'added' | 'modified' | 'deleted' | 'renamed';
  added: number;
  removed: number;
  /** Lines of the new side a hunk touches, as 1-based inclusive ranges; empty for a deletion. */
  changed: [number, number][];
}

const unprefix = (p: string) => p.replace(/^"|"$/g, '').replace(/^[ab]\//, '');

/**
 * The files and changed line ranges of a unified diff (`git diff`, or a patch without the
 * `diff --git` lines). One pass over the lines; the text is bounded by its caller.
 */
export function parseUnifiedDiff(text: string): DiffFile[] {
  const files: DiffFile[] = [];
  let file: DiffFile | undefined;
  let newLine = 0;
  let inHunk = false;
  /** Lines of the current hunk still to come on each side; the hunk ends when both reach 0. */
  let oldLeft = 0;
  let newLeft = 0;
  const start = (path: string): DiffFile => {
    file = { path, status: 'modified', added: 0, removed: 0, changed: [] };
    files.push(file);
    inHunk = false;
    return file;
  };
  for (const line of text.split('\n')) {
    if (line.startsWith('diff --git ')) {
      const m = / b\/(.+)$/.exec(line);
      start(m ? m[1]! : unprefix(line.slice(11).split(' ')[0] ?? ''));
      continue;
    }
    if (line.startsWith('--- ') && !inHunk) {
      const old = line.slice(4).trim();
      if (!file || file.changed.length > 0 || file.added + file.removed > 0) start(unprefix(old));
      if (old === '/dev/null') file!.status = 'added';
      else if (file!.path === '/dev/null') file!.path = unprefix(old);
      continue;
    }
    if (line.startsWith('+++ ') && !inHunk && file) {
      const now = line.slice(4).trim();
      if (now === '/dev/null') {
        file.status = 'deleted';
      } else file.path = unprefix(now);
      continue;
    }
    if (!file) continue;
    if (line.startsWith('rename from ')) {
      file.oldPath = line.slice(12);
      file.status = 'renamed';
      continue;
    }
    if (line.startsWith('new file mode')) file.status = 'added';
    if (line.startsWith('deleted file mode')) file.status = 'deleted';
    const hunk = /^@@ -\d+(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/.exec(line);
    if (hunk) {
      inHunk = true;
      oldLeft = hunk[1] === undefined ? 1 : Number(hunk[1]);
      newLine = Number(hunk[2]);
      newLeft = hunk[3] === undefined ? 1 : Number(hunk[3]);
      continue;
    }
    if (!inHunk || line.startsWith('\\')) continue;
    if (line.startsWith('+')) newLeft--;
    else if (line.startsWith('-')) oldLeft--;
    else if (line.startsWith(' ') || line === '') {
      oldLeft--;
      newLeft--;
    }
    if (oldLeft <= 0 && newLeft <= 0) inHunk = false;
    if (line.startsWith('+')) {
      file.added++;
      const last = file.changed[file.changed.length - 1];
      if (last && last[1] >= newLine - 1) last[1] = Math.max(last[1], newLine);
      else file.changed.push([newLine, newLine]);
      newLine++;
    } else if (line.startsWith('-')) {
      file.removed++;
      // a pure deletion touches the line now at its place
      const at = Math.max(1, newLine);
      const last = file.changed[file.changed.length - 1];
      if (!last || last[1] < at - 1) file.changed.push([at, at]);
      else if (last[1] < at) last[1] = at;
    } else newLine++;
  }
  for (const f of files) if (f.status === 'deleted') f.changed = [];
  return files.filter((f) => f.path && f.path !== '/dev/null');
}

const NAME_STATUS: Record<string, DiffFile['status']> = {
  A: 'added',
  M: 'modified',
  D: 'deleted',
  R: 'renamed',
};

/** `git diff --name-status` lines (`M\tpath`, `R100\told\tnew`); no line ranges, so `changed` is empty. */
export function parseNameStatus(text: string): DiffFile[] {
  const files: DiffFile[] = [];
  for (const line of text.split('\n')) {
    const [code, a, b] = line.split('\t');
    const status = NAME_STATUS[code?.trim()[0] ?? ''] ?? (code?.trim()[0] === 'C' ? 'added' : 'modified');
    if (!code || !a) continue;
    files.push({
      path: b ?? a,
      ...(b ? { oldPath: a } : {}),
      status,
      added: 0,
      removed: 0,
      changed: [],
    });
  }
  return files;
}

/** A unified diff or a name-status listing, told apart by its hunk headers. */
export const parseDiffText = (text: string): DiffFile[] =>
  /^(@@ |diff --git |--- )/m.test(text) ? parseUnifiedDiff(text) : parseNameStatus(text);
