import type { Fact, FactRef, KnowledgeStats, Relation } from '../../store/knowledge.ts';

/** `2026-12-03 10:04Z`: minutes are enough for a person. */
export const shortTime = (iso: string): string => `${iso.slice(0, 16).replace('T', ' ')}Z`;

export const refText = (r: FactRef): string => `[${r.category}] ${r.key}`;

export const factLabel = (f: Fact): string => `#${f.id} ${refText(f)}`;

/** A value in quotes, cut to `max` characters with the cut said. */
export function quoted(value: string, max = 200): string {
  return JSON.stringify(value.length > max ? `${value.slice(0, max)}…` : value);
}

export function validityText(f: Fact): string {
  const until = f.validUntil === null ? 'now' : shortTime(f.validUntil);
  return `valid ${shortTime(f.validFrom)} → ${until}`;
}

const votes = (f: Fact) => (f.feedbackUp + f.feedbackDown > 0 ? `, +${f.feedbackUp}/-${f.feedbackDown}` : '');

/** One recalled fact: label, full value, the figures that ranked it. */
export function recallLine(rank: number, f: Fact, score: number | undefined): string {
  const s = score === undefined ? '' : `score ${score.toPrecision(3)}, `;
  return `${rank}. ${factLabel(f)} = ${quoted(f.value, Number.POSITIVE_INFINITY)} (${s}confidence ${f.confidence.toFixed(2)}${votes(f)}, ${validityText(f)}, by ${f.source})`;
}

/** One version in a timeline: when recorded, its value, its valid time and what became of it. */
export function timelineLine(f: Fact): string {
  const fate = f.removedAt
    ? `, removed ${shortTime(f.removedAt)}`
    : f.supersededBy
      ? `, superseded by #${f.supersededBy} at ${shortTime(f.closedAt ?? f.recordedAt)}`
      : '';
  const chain = f.supersedes ? ` (supersedes #${f.supersedes})` : '';
  return `${shortTime(f.recordedAt)} ${factLabel(f)} = ${quoted(f.value)}${chain}, ${validityText(f)}${fate}, by ${f.source}`;
}

export const relationLine = (r: Relation): string =>
  `${refText(r.from)} --${r.kind}--> ${refText(r.to)}${r.count > 1 ? ` (×${r.count})` : ''}`;

/** A Mermaid flowchart of relations, one node per key. */
export function relationsDiagram(relations: readonly Relation[]): string {
  const ids = new Map<string, string>();
  const node = (r: FactRef) => {
    const k = `${r.category}/${r.key}`;
    let id = ids.get(k);
    if (!id) {
      id = `n${ids.size + 1}`;
      ids.set(k, id);
    }
    return id;
  };
  const label = (s: string) => s.replaceAll('"', '#quot;');
  const edges = relations.map((r) => `  ${node(r.from)} -->|${r.kind}| ${node(r.to)}`);
  const nodes = [...ids].map(([k, id]) => `  ${id}["${label(k)}"]`);
  return ['flowchart LR', ...nodes, ...edges].join('\n');
}

export function statusText(workspaceId: string, s: KnowledgeStats): string {
  const closed = s.versions - s.current - s.removed;
  const lines = [
    `knowledge of workspace "${workspaceId}": ${s.current} current facts (${s.patterns} patterns) in ${s.categories.length} categories; ${closed} superseded versions, ${s.removed} removed; ${s.relations} relations`,
  ];
  if (s.categories.length > 0) {
    const top = s.categories.slice(0, 12).map((c) => `${c.category} ${c.facts}`);
    lines.push(`categories: ${top.join(', ')}${s.categories.length > 12 ? ', …' : ''}`);
  }
  if (s.lastChange) lines.push(`last change ${shortTime(s.lastChange.at)} by ${s.lastChange.source}`);
  return lines.join('\n');
}
