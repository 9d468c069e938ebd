import type { Tool } from '../define-tool.ts';
import { ctxArtifacts } from './ctx-artifacts.ts';
import { ctxCompressMemory } from './ctx-compress-memory.ts';
import { ctxProof } from './ctx-proof.ts';
import { ctxResponse } from './ctx-response.ts';
import { ctxVerify } from './ctx-verify.ts';

/** Evidence of what a context saw, and text tools that keep the evidence intact. */
export const evidenceTools: Tool[] = [ctxResponse, ctxCompressMemory, ctxArtifacts, ctxProof, ctxVerify];
