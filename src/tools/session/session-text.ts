import type { SessionContent, SessionEntry, SessionState } from '../../store/sessions.ts';

export function entryLine(e: Omit<SessionEntry, 'revision'> & { revision?: number }): string {
  const rev = e.revision !== undefined ? `r${e.revision} ` : '';
  const where = e.file ? `${e.file}${e.line ? `:${e.line}` : ''} ` : '';
  return `  ${rev}${e.kind}: ${where}${e.text} (${e.agent})`;
}

const countBy = (entries: readonly { kind: string }[]) => {
  const n: Record<string, number> = {};
  for (const e of entries) n[e.kind] = (n[e.kind] ?? 0) + 1;
  return n;
};

export function statusText(
  state: SessionState,
  agents: readonly string[],
  workflow: string | undefined,
): string {
  const n = countBy(state.entries);
  const lines = [
    `session ${state.workspaceId}/${state.channelId} rev ${state.revision}${state.updatedBy ? ` (last write by ${state.updatedBy} at ${state.updatedAt})` : ''}`,
    `task: ${state.task ? `${state.task.text} (${state.task.agent}, r${state.task.revision})` : '(none)'}`,
    `agents: ${agents.join(', ') || '(none)'}`,
    `entries: ${n.finding ?? 0} findings, ${n.decision ?? 0} decisions, ${n.checkpoint ?? 0} checkpoints, ${n.intent ?? 0} intents`,
  ];
  if (workflow) lines.push(`workflow: ${workflow}`);
  const latest = state.entries.slice(-8);
  if (latest.length > 0) lines.push('latest:', ...latest.map(entryLine));
  return lines.join('\n');
}

export function contentText(title: string, content: SessionContent | SessionState): string {
  const task = content.task ? `${content.task.text} (${content.task.agent})` : '(none)';
  return [`${title}`, `task: ${task}`, ...content.entries.map(entryLine)].join('\n');
}

const entryKey = (e: Omit<SessionEntry, 'revision'>) =>
  `${e.kind}\u0000${e.ts}\u0000${e.agent}\u0000${e.text}`;

/** What the live session has that a saved one has not, and the other way round. */
export function diffText(savedId: string, saved: SessionContent, live: SessionState): string {
  const before = new Set(saved.entries.map(entryKey));
  const now = new Set(live.entries.map(entryKey));
  const added = live.entries.filter((e) => !before.has(entryKey(e)));
  const gone = saved.entries.filter((e) => !now.has(entryKey(e)));
  const lines = [`diff ${savedId} → live rev ${live.revision}: +${added.length} -${gone.length} entries`];
  if ((saved.task?.text ?? '') !== (live.task?.text ?? '')) {
    lines.push(`task: "${saved.task?.text ?? ''}" → "${live.task?.text ?? ''}"`);
  }
  for (const e of added) lines.push(`+${entryLine(e).slice(1)}`);
  for (const e of gone) lines.push(`-${entryLine(e).slice(1)}`);
  return lines.join('\n');
}
