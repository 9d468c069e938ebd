import { z } from 'zod';
import {
  SMELL_RULE_NAMES,
  SMELL_RULES,
  type SmellFinding,
  type SmellRule,
} from '../../engine/graph/smell-rules.ts';
import { savingsOf, withSavingsFooter } from '../../engine/savings.ts';
import { countTokens } from '../../engine/tokens.ts';
import { ToolError } from '../../errors.ts';
import { defineTool } from '../define-tool.ts';
import { INPUT_LIMITS } from '../input-limits.ts';
import { currentGraph, formatProgress, tokensOfFiles } from './graph-of.ts';
import { requireIndexedFile } from './graph-paths.ts';
import { projectRootArg, withProjectRoot } from './project-root.ts';
import { smellsOf } from './smells-of.ts';

const MAX_PER_RULE = 50;

const describeRule = (rule: SmellRule) => {
  const r = SMELL_RULES[rule];
  return r.describe(r.threshold);
};

/** Findings grouped by rule, each rule headed by what it reports past. */
export function formatFindings(findings: readonly SmellFinding[], rules: readonly SmellRule[]): string[] {
  const lines: string[] = [];
  for (const rule of rules) {
    const mine = findings.filter((f) => f.rule === rule);
    if (mine.length === 0) continue;
    lines.push(`${rule} (${describeRule(rule)}): ${mine.length}`);
    for (const f of mine.slice(0, MAX_PER_RULE)) lines.push(`  ${f.file}:${f.line} ${f.message}`);
    if (mine.length > MAX_PER_RULE)
      lines.push(`  … ${mine.length - MAX_PER_RULE} more; narrow with rule or path`);
  }
  return lines;
}

export const ctxSmells = defineTool({
  name: 'ctx_smells',
  description:
    'Code smells from the code graph: dead_code, long_function, long_file, god_file, fan_out_skew, duplicate_definitions, untested_function, cyclomatic_complexity, each `file:line` with its threshold.',
  scope: 'graph',
  readOnly: true,
  input: z.object({
    action: z.enum(['scan', 'summary', 'rules', 'file']),
    rule: z.enum(SMELL_RULE_NAMES as [SmellRule, ...SmellRule[]]).optional(),
    path: z
      .string()
      .max(INPUT_LIMITS.globChars)
      .optional()
      .describe('file: the file; scan/summary: only files under this path'),
    format: z.enum(['text', 'json']).default('text'),
    root: projectRootArg,
  }),
  async run(args, outer) {
    const ctx = withProjectRoot(outer, args.root);
    const rules = args.rule ? [args.rule] : SMELL_RULE_NAMES;
    if (args.action === 'rules') {
      const list = rules.map((r) => ({
        rule: r,
        threshold: SMELL_RULES[r].threshold,
        description: describeRule(r),
      }));
      return args.format === 'json'
        ? JSON.stringify({ rules: list })
        : list.map((r) => `${r.rule}: ${r.description}`).join('\n');
    }
    const { graph, progress } = await currentGraph(ctx);
    let include: (path: string) => boolean = () => true;
    if (args.action === 'file') {
      if (!args.path) throw new ToolError('action "file" needs path: the file to check');
      const rel = requireIndexedFile(graph, ctx, args.path);
      include = (p) => p === rel;
    } else if (args.path) {
      const under = ctx.workspace.jail.resolve(args.path).rel;
      if (under !== '.') include = (p) => p === under || p.startsWith(`${under}/`);
    }
    const { findings, testFiles } = await smellsOf(ctx.workspace, graph, {
      include,
      rule: args.rule,
      signal: ctx.signal,
    });
    const files = new Set(findings.map((f) => f.file));
    const raw = await tokensOfFiles(graph, files);
    if (args.format === 'json') {
      const text = JSON.stringify({
        findings,
        rules: rules.map((r) => ({
          rule: r,
          threshold: SMELL_RULES[r].threshold,
          description: describeRule(r),
        })),
        testFiles,
        indexed: progress.indexed,
        building: progress.building,
      });
      return { text, ...savingsOf(raw, countTokens(text)) };
    }
    const where = args.action === 'file' || args.path ? ` under ${args.path}` : '';
    const head = `${findings.length} smell(s) in ${files.size} file(s)${where} ${formatProgress(progress)}`;
    const body =
      args.action === 'summary'
        ? rules.map((r) => `${r}: ${findings.filter((f) => f.rule === r).length} — ${describeRule(r)}`)
        : formatFindings(findings, rules);
    const note =
      testFiles === 0 && rules.includes('untested_function')
        ? ['untested_function: skipped, the code graph holds no test file']
        : [];
    return withSavingsFooter([head, ...body, ...note].join('\n'), raw);
  },
});
