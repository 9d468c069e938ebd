import { defineTool } from '../define-tool.ts';
import { factHandlers } from './fact-actions.ts';
import { knowledgeInput, WRITES } from './knowledge-input.ts';
import { relationHandlers } from './relation-actions.ts';

export { KNOWLEDGE_ACTIONS } from './knowledge-input.ts';

const handlers = { ...factHandlers, ...relationHandlers };

export const ctxKnowledge = defineTool({
  name: 'ctx_knowledge',
  description:
    "The team's memory of project facts. remember category+key+value (a new value supersedes the old and reports the contradiction), recall query (ranked), search (past values too), timeline, relate, feedback up|down, export/import.",
  scope: 'search',
  scopesFor: (args) => [WRITES.has(args.action) ? 'knowledge' : 'search'],
  readOnly: (args) => !WRITES.has(args.action),
  core: true,
  input: knowledgeInput,
  run: (args, ctx) => handlers[args.action](args, ctx),
});
