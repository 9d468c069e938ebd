import { actionTools } from './action/index.ts';
import type { Tool } from './define-tool.ts';
import { economicsTools } from './economics/index.ts';
import { evidenceTools } from './evidence/index.ts';
import { graphTools } from './graph/index.ts';
import { knowledgeTools } from './knowledge/index.ts';
import { metaTools } from './meta/index.ts';
import { providerTools } from './provider/index.ts';
import { readTools } from './read/index.ts';
import { searchTools } from './search/index.ts';
import { sessionTools } from './session/index.ts';

/** Every built-in tool, by family. REST, MCP and the gateway all list from here. */
export function builtinTools(): Tool[] {
  return [
    ...readTools,
    ...searchTools,
    ...graphTools,
    ...knowledgeTools,
    ...metaTools,
    ...sessionTools,
    ...actionTools,
    ...providerTools,
    ...economicsTools,
    ...evidenceTools,
  ];
}
