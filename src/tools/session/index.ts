import type { Tool } from '../define-tool.ts';
import { ctxAgent } from './ctx-agent.ts';
import { ctxHandoff } from './ctx-handoff.ts';
import { ctxIntent } from './ctx-intent.ts';
import { ctxSession } from './ctx-session.ts';
import { ctxShare } from './ctx-share.ts';
import { ctxTask } from './ctx-task.ts';
import { ctxWorkflow } from './ctx-workflow.ts';

export const sessionTools: Tool[] = [
  ctxSession,
  ctxHandoff,
  ctxAgent,
  ctxShare,
  ctxTask,
  ctxWorkflow,
  ctxIntent,
];
