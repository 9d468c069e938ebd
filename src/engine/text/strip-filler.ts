import { holdsSpan, maskSpans, unmaskSpans } from './protected-spans.ts';

/**
 * Filler stripping for LLM answers (`response`) and agent memory files (`memory`): code
 * fences, tables, headings and every protected span (protected-spans.ts) stay byte for
 * byte; only whole pleasantry sentences, hedge phrases and restatements go. Runs on an
 * engine worker (ENGINE_TASKS.stripFiller): its cost grows with the text.
 */

export type StripMode = 'response' | 'memory';

export interface StripResult {
  text: string;
  /** Pleasantry and restating sentences dropped. */
  sentencesDropped: number;
  /** Hedge and filler phrases cut out of kept sentences. */
  phrasesCut: number;
  /** Lines dropped as exact repeats (memory) or blank runs squeezed. */
  linesDropped: number;
}

// Whole sentences that carry nothing but tone. Matched against a sentence with its
// protected spans masked, so a sentence naming code is never one of them.
const PLEASANTRIES: RegExp[] = [
  /^(?:great|good|excellent|interesting|nice) (?:question|point|idea|catch)\b[^.!?]*[.!?]*$/i,
  /^(?:sure|certainly|absolutely|of course|okay|ok|alright|got it|no problem|happy to help|you're welcome)[,.!]*$/i,
  /^(?:sure|certainly|absolutely|of course)[,!]? (?:i can|i'd be happy to|i would be happy to|let me)\b[^.!?]*[.!?:]*$/i,
  /^i(?:'d| would) be (?:happy|glad|delighted) to help\b[^.!?]*[.!?]*$/i,
  /^i hope (?:this|that|these|it) (?:helps|answers|clarifies|was helpful)\b[^.!?]*[.!?]*$/i,
  /^(?:let me know|feel free to (?:ask|reach out|let me know)|don't hesitate to (?:ask|reach out))\b[^.!?]*[.!?]*$/i,
  /^(?:happy coding|good luck|cheers|hope this helps|thanks for (?:asking|your question|the question|reaching out))\b[^.!?]*[.!?]*$/i,
  /^(?:please )?(?:let me|i'll|i will) (?:know if|explain|walk you through|break (?:this|it) down)\b[^.!?]*[.!?:]*$/i,
  /^(?:thank you|thanks)[^.!?]*[.!?]*$/i,
];

// Phrases cut out of a sentence that stays; each leaves the sentence's claim as it was.
const HEDGES: [RegExp, string][] = [
  [/\b(?:it is|it's) (?:important|worth) (?:to note|noting|mentioning) that /gi, ''],
  [/\b(?:please )?(?:note|keep in mind|bear in mind|remember) that /gi, ''],
  [/\bas (?:i )?(?:mentioned|noted|said|stated) (?:earlier|above|before|previously),? /gi, ''],
  [/\b(?:i think|i believe|i guess|in my opinion|it seems (?:like|that)|it appears that) /gi, ''],
  [/\b(?:basically|essentially|actually|simply|really|literally|obviously|clearly|just),? /gi, ''],
  [/\bin order to\b/gi, 'to'],
  [/\b(?:due to|because of) the fact that\b/gi, 'because'],
  [/\bat this point in time\b/gi, 'now'],
  [/\bfor all intents and purposes,? /gi, ''],
];

// Memory files speak to an agent: politeness and "make sure" wrappers add nothing.
const MEMORY_HEDGES: [RegExp, string][] = [
  [/\bplease (?:make sure (?:to|that you)|ensure (?:that )?you|remember to|be sure to) /gi, ''],
  [/\b(?:make sure (?:to|that you)|be sure to|remember to) /gi, ''],
  [/\bplease,? /gi, ''],
  [/\b(?:you should always|you must always) /gi, 'always '],
  [/\b(?:you should never|you must never) /gi, 'never '],
  [/\bit is (?:very )?important (?:that you|to) /gi, ''],
];

// Sentences opening a summary of what was said; dropped when they add no new word.
const RESTATEMENT_OPENERS =
  /^(?:in summary|to summarize|to sum up|in conclusion|to recap|in short|overall|so,? (?:to summarize|basically)),? /i;

const WORD = /[a-z]{3,}/g;

const normalize = (s: string) =>
  s
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .replace(/[.!?,;:]+$/, '')
    .trim();

/** Splits prose into sentences, keeping each one's trailing whitespace so a join is exact. */
function sentencesOf(masked: string): string[] {
  return masked.match(/[^.!?]+(?:[.!?]+|$)\s*/g) ?? [masked];
}

/** A summary sentence ("In summary, …") all of whose words were said before. */
function restatesSeen(sentence: string, seen: ReadonlySet<string>): boolean {
  const opener = RESTATEMENT_OPENERS.exec(sentence);
  if (!opener) return false;
  const words = normalize(sentence.slice(opener[0].length)).match(WORD) ?? [];
  return words.length > 0 && words.every((w) => seen.has(w));
}

const upperFirst = (s: string) =>
  s.replace(/^(\s*)([a-z])/, (_, ws: string, c: string) => ws + c.toUpperCase());

interface ProseState {
  seenSentences: Set<string>;
  seenWords: Set<string>;
  result: StripResult;
}

function stripProse(prose: string, mode: StripMode, state: ProseState): string {
  const { text: masked, spans } = maskSpans(prose);
  const lead = /^\s*(?:[-*+] |\d+[.)] |> )?/.exec(masked)?.[0] ?? '';
  const body = masked.slice(lead.length);
  const kept: string[] = [];
  for (const sentence of sentencesOf(body)) {
    const trimmed = sentence.trim();
    const norm = normalize(trimmed);
    const protectedInside = holdsSpan(sentence);
    const words = norm.match(WORD) ?? [];
    const drop =
      !protectedInside &&
      norm.length > 0 &&
      (PLEASANTRIES.some((p) => p.test(trimmed)) ||
        (state.seenSentences.has(norm) && words.length >= 3) ||
        restatesSeen(trimmed, state.seenWords));
    if (drop) {
      state.result.sentencesDropped++;
      continue;
    }
    let out = sentence;
    for (const [re, to] of mode === 'memory' ? [...MEMORY_HEDGES, ...HEDGES] : HEDGES) {
      out = out.replace(re, (m) => {
        state.result.phrasesCut++;
        return m[0] === m[0]?.toUpperCase() && to ? to[0]!.toUpperCase() + to.slice(1) : to;
      });
    }
    if (out !== sentence && /^\s*[a-z]/.test(out) && /^\s*[A-Z]/.test(sentence)) out = upperFirst(out);
    kept.push(out);
    state.seenSentences.add(norm);
    for (const w of words) state.seenWords.add(w);
  }
  const joined = kept.join('').replace(/[ \t]+$/, '');
  if (joined.trim() === '') return '';
  return unmaskSpans(lead + joined, spans);
}

const FENCE = /^\s{0,3}(`{3,}|~{3,})/;

/** Strips filler from Markdown-ish text; see the module comment for what is kept. */
export function stripFiller(text: string, mode: StripMode): StripResult {
  const result: StripResult = { text: '', sentencesDropped: 0, phrasesCut: 0, linesDropped: 0 };
  const state: ProseState = { seenSentences: new Set(), seenWords: new Set(), result };
  const lines = text.split('\n');
  const out: string[] = [];
  const seenLines = new Set<string>();
  let fence: string | undefined;
  for (const line of lines) {
    if (fence !== undefined) {
      out.push(line);
      if (line.trim().startsWith(fence) && line.trim().replace(/[`~]/g, '') === '') fence = undefined;
      continue;
    }
    const open = FENCE.exec(line);
    if (open) {
      fence = open[1]!;
      out.push(line);
      continue;
    }
    const trimmed = line.trim();
    // headings, tables, rules, HTML and indented code stay as they are
    if (
      trimmed === '' ||
      /^#{1,6}\s/.test(trimmed) ||
      trimmed.startsWith('|') ||
      /^(?:-{3,}|\*{3,}|_{3,}|={3,})$/.test(trimmed) ||
      trimmed.startsWith('<') ||
      /^(?: {4}|\t)/.test(line)
    ) {
      if (trimmed === '' && out.length > 0 && out[out.length - 1]!.trim() === '') {
        result.linesDropped++;
        continue;
      }
      out.push(mode === 'memory' ? line.replace(/[ \t]+$/, '') : line);
      continue;
    }
    if (mode === 'memory') {
      const key = trimmed.toLowerCase();
      if (seenLines.has(key)) {
        result.linesDropped++;
        continue;
      }
      seenLines.add(key);
    }
    const stripped = stripProse(line, mode, state);
    if (stripped === '') {
      result.linesDropped++;
      continue;
    }
    out.push(stripped);
  }
  // blank lines left at the ends by dropped sentences
  while (out.length > 1 && out[0]!.trim() === '') out.shift();
  while (out.length > 1 && out[out.length - 1]!.trim() === '' && out[out.length - 2]!.trim() === '')
    out.pop();
  result.text = out.join('\n');
  return result;
}

/** Texts up to this size are stripped on the calling thread: the worker hop costs more. */
export const STRIP_INLINE_MAX_CHARS = 8 * 1024;
