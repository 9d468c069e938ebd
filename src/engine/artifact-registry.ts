import { readFile, stat } from 'node:fs/promises';
import { z } from 'zod';
import { ToolError } from '../errors.ts';
import { isSecretPath } from './secrets.ts';
import type { Workspace } from './workspace.ts';

/**
 * The context artifacts a project declares (design docs, ADRs, runbooks) in a JSON file at
 * its root: `{"artifacts": [{"name", "path", "description", "tags"}]}` or the bare list.
 * The first name is lean-ctx's; the second its older spelling, still read.
 */
export const ARTIFACT_REGISTRY_FILES = ['.lean-ctx-artifacts.json', '.leanctxcontextartifacts.json'] as const;
const MAX_REGISTRY_BYTES = 256 * 1024;
const MAX_ARTIFACTS = 500;

const specSchema = z.object({
  name: z.string().max(200),
  path: z.string().max(4096),
  description: z.string().max(2000).default(''),
  tags: z.array(z.string().max(100)).max(50).default([]),
});
const registrySchema = z.union([
  z.object({ artifacts: z.array(specSchema).max(MAX_ARTIFACTS) }),
  z.array(specSchema).max(MAX_ARTIFACTS),
]);

export interface Artifact {
  name: string;
  /** Relative to the workspace root. */
  path: string;
  description: string;
  tags: string[];
  isDir: boolean;
}

export interface ArtifactRegistry {
  /** The registry file read, if any. */
  file: string | undefined;
  /** Artifacts that exist inside the workspace. */
  artifacts: Artifact[];
  /** Entries left out, and why (outside the root, secret-looking, missing, malformed file). */
  warnings: string[];
}

async function readRegistry(
  workspace: Workspace,
): Promise<{ file: string; text: string } | { file: string; warning: string } | undefined> {
  for (const file of ARTIFACT_REGISTRY_FILES) {
    const abs = workspace.jail.resolve(file).abs;
    const info = await stat(abs).catch(() => undefined);
    if (!info?.isFile()) continue;
    if (info.size > MAX_REGISTRY_BYTES) {
      return {
        file,
        warning: `${file} is ${info.size} bytes; the limit is ${MAX_REGISTRY_BYTES}, so it was not read`,
      };
    }
    return { file, text: await readFile(abs, 'utf8') };
  }
  return undefined;
}

/** The workspace's artifact registry, each path jail-checked; problems become warnings, never errors. */
export async function loadArtifactRegistry(workspace: Workspace): Promise<ArtifactRegistry> {
  const found = await readRegistry(workspace);
  if (!found) return { file: undefined, artifacts: [], warnings: [] };
  if ('warning' in found) return { file: found.file, artifacts: [], warnings: [found.warning] };
  let raw: unknown;
  try {
    raw = JSON.parse(found.text);
  } catch (err) {
    return {
      file: found.file,
      artifacts: [],
      warnings: [`${found.file} is not JSON: ${(err as Error).message}`],
    };
  }
  const parsed = registrySchema.safeParse(raw);
  if (!parsed.success) {
    return {
      file: found.file,
      artifacts: [],
      warnings: [
        `${found.file} has the wrong shape; expected {"artifacts": [{"name": "…", "path": "docs/…", "description": "…"}]} (at most ${MAX_ARTIFACTS})`,
      ],
    };
  }
  const specs = Array.isArray(parsed.data) ? parsed.data : parsed.data.artifacts;
  const artifacts: Artifact[] = [];
  const warnings: string[] = [];
  const seen = new Set<string>();
  for (const spec of specs) {
    const name = spec.name.trim();
    const given = spec.path.trim().replace(/^(\.\/)+/, '');
    if (name === '' || given === '' || seen.has(name)) continue;
    seen.add(name);
    let rel: string;
    let abs: string;
    try {
      ({ rel, abs } = workspace.jail.resolve(given));
    } catch (err) {
      if (!(err instanceof ToolError)) throw err;
      warnings.push(`artifact "${name}" left out: ${err.message}`);
      continue;
    }
    if (isSecretPath(rel)) {
      warnings.push(`artifact "${name}" left out: ${rel} looks like a secret`);
      continue;
    }
    const info = await stat(abs).catch(() => undefined);
    if (!info) {
      warnings.push(`artifact "${name}" left out: ${rel} does not exist`);
      continue;
    }
    artifacts.push({
      name,
      path: rel,
      description: spec.description.trim(),
      tags: spec.tags,
      isDir: info.isDirectory(),
    });
  }
  return { file: found.file, artifacts, warnings };
}

/** Artifacts about the changed paths: the file itself, or a directory holding one. */
export function artifactsFor(artifacts: readonly Artifact[], changed: readonly string[]): Artifact[] {
  return artifacts
    .filter((a) =>
      a.isDir ? a.path === '.' || changed.some((p) => p.startsWith(`${a.path}/`)) : changed.includes(a.path),
    )
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : a.name < b.name ? -1 : 1));
}
