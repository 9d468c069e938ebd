import { execFile } from 'node:child_process';
import { z } from 'zod';
import { expandValue } from '../../config/servers-expand.ts';
import { ToolError } from '../../errors.ts';
import { defineTool, type ProviderSettings, type ToolContext } from '../define-tool.ts';

const TIMEOUT_MS = 15_000;
const MAX_BODY_BYTES = 4 * 1024 * 1024;
const MAX_DESCRIPTION_CHARS = 4000;

interface GitLab {
  base: string;
  token: string;
  project: string;
}

/** `git@host:group/proj.git`, `https://host/group/proj(.git)` → host and project path. */
export function parseRemote(url: string): { host: string; path: string } | undefined {
  const scp = /^[\w.-]+@([\w.-]+):(.+?)(?:\.git)?\/?$/.exec(url);
  if (scp?.[1] && scp[2]) return { host: scp[1], path: scp[2] };
  try {
    const u = new URL(url);
    const path = u.pathname
      .replace(/^\/+/, '')
      .replace(/\.git\/?$/, '')
      .replace(/\/+$/, '');
    return path ? { host: u.host, path } : undefined;
  } catch {
    return undefined;
  }
}

function originOf(root: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile('git', ['-C', root, 'remote', 'get-url', 'origin'], { timeout: 5000 }, (err, stdout) =>
      resolve(err ? undefined : stdout.trim()),
    );
  });
}

/** Where GitLab is, with which token, for which project: arguments, team.json, environment, git remote. */
async function gitlabOf(
  settings: ProviderSettings | undefined,
  project: string | undefined,
  ctx: ToolContext,
): Promise<GitLab> {
  const conf = settings?.gitlab;
  let token: string | undefined;
  try {
    token = conf?.token
      ? expandValue(conf.token, process.env)
      : (process.env.GITLAB_TOKEN ?? process.env.GITLAB_PRIVATE_TOKEN);
  } catch (err) {
    throw new ToolError(`providers.gitlab.token in team.json could not be read: ${(err as Error).message}`);
  }
  if (!token) {
    throw new ToolError(
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the config syntax, shown to the user
      'no GitLab token: set GITLAB_TOKEN in the server environment, or providers.gitlab.token in team.json ("${VAR}" or "{file:/path}")',
    );
  }
  const remote = project ? undefined : await originOf(ctx.workspace.root);
  const parsed = remote ? parseRemote(remote) : undefined;
  const path = project ?? parsed?.path;
  if (!path) {
    throw new ToolError(
      `give project ("group/name" or its numeric id): workspace "${ctx.workspace.id}" has no git remote "origin" to take it from`,
    );
  }
  const base = (
    conf?.url ??
    process.env.GITLAB_URL ??
    (parsed ? `https://${parsed.host}` : 'https://gitlab.com')
  ).replace(/\/+$/, '');
  return { base, token, project: path };
}

async function readCapped(res: Response): Promise<string> {
  const reader = res.body?.getReader();
  if (!reader) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.length;
    if (size > MAX_BODY_BYTES) {
      await reader.cancel();
      throw new ToolError(`GitLab answered more than ${MAX_BODY_BYTES} bytes; ask for fewer items (limit)`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

interface Page {
  items: unknown;
  next: string | undefined;
  total: string | undefined;
}

async function get(
  gl: GitLab,
  path: string,
  query: Record<string, string | undefined>,
  signal: AbortSignal,
): Promise<Page> {
  const url = new URL(`${gl.base}/api/v4/projects/${encodeURIComponent(gl.project)}${path}`);
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') url.searchParams.set(k, v);
  let res: Response;
  try {
    res = await fetch(url, {
      headers: { 'PRIVATE-TOKEN': gl.token, accept: 'application/json' },
      signal: AbortSignal.any([signal, AbortSignal.timeout(TIMEOUT_MS)]),
      redirect: 'error',
    });
  } catch (err) {
    const e = err as Error & { cause?: { code?: string } };
    const why =
      e.name === 'TimeoutError' ? `no answer within ${TIMEOUT_MS} ms` : (e.cause?.code ?? e.message);
    throw new ToolError(`cannot reach GitLab at ${gl.base} (${why})`);
  }
  const body = await readCapped(res);
  if (res.status === 401) {
    throw new ToolError(
      `GitLab at ${gl.base} refused the token (401): check GITLAB_TOKEN (it needs the read_api scope)`,
    );
  }
  if (res.status === 403)
    throw new ToolError(`GitLab at ${gl.base} forbids this for the token (403): ${body.slice(0, 200)}`);
  if (res.status === 404) {
    throw new ToolError(
      `GitLab at ${gl.base} has no project "${gl.project}" visible to this token (or no such item) (404)`,
    );
  }
  if (!res.ok) throw new ToolError(`GitLab at ${gl.base} answered ${res.status}: ${body.slice(0, 200)}`);
  let items: unknown;
  try {
    items = JSON.parse(body);
  } catch {
    throw new ToolError(`GitLab at ${gl.base} answered something that is not JSON (is the URL a GitLab?)`);
  }
  return {
    items,
    next: res.headers.get('x-next-page') || undefined,
    total: res.headers.get('x-total') || undefined,
  };
}

/** Up to `limit` items, following GitLab's `x-next-page` (an instance may cap per_page below ours). */
async function list(
  gl: GitLab,
  path: string,
  query: Record<string, string | undefined>,
  limit: number,
  signal: AbortSignal,
): Promise<{ items: Record<string, unknown>[]; total: string | undefined; more: boolean }> {
  const items: Record<string, unknown>[] = [];
  let page: string | undefined = '1';
  let total: string | undefined;
  let more = false;
  while (page && items.length < limit) {
    const got: Page = await get(gl, path, { ...query, per_page: String(Math.min(limit, 100)), page }, signal);
    if (!Array.isArray(got.items))
      throw new ToolError(`GitLab answered an object where a list was expected at ${path}`);
    total ??= got.total;
    items.push(...(got.items as Record<string, unknown>[]));
    page = got.next;
    more = page !== undefined;
  }
  if (items.length > limit) more = true;
  return { items: items.slice(0, limit), total, more };
}

const str = (v: unknown) => (typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v));
const user = (v: unknown) =>
  v && typeof v === 'object' ? `@${str((v as { username?: unknown }).username)}` : '';
const day = (v: unknown) => str(v).slice(0, 10);
const labelsOf = (v: unknown) => (Array.isArray(v) && v.length > 0 ? `  {${v.map(str).join(', ')}}` : '');
const assigneesOf = (v: unknown) => (Array.isArray(v) && v.length > 0 ? ` → ${v.map(user).join(' ')}` : '');

function header(gl: GitLab, what: string, shown: number, total: string | undefined, more: boolean): string {
  const of = total ? ` of ${total}` : more ? ', more exist' : '';
  return `GitLab ${gl.project} · ${shown} ${what}${of}:`;
}

export const ctxProvider = defineTool({
  name: 'ctx_provider',
  description:
    "GitLab issues, one issue, merge requests and pipelines of the workspace's project, as compact lines.",
  scope: 'search',
  readOnly: true,
  input: z.object({
    action: z.enum(['gitlab_issues', 'gitlab_issue', 'gitlab_mrs', 'gitlab_pipelines']),
    project: z
      .string()
      .min(1)
      .max(300)
      .optional()
      .describe('group/name or id; default: the git remote origin'),
    state: z.string().max(20).optional().describe('issues/MRs: opened, closed, merged, all'),
    labels: z.string().max(500).optional().describe('comma-separated'),
    iid: z.number().int().min(1).optional(),
    status: z.string().max(30).optional().describe('pipelines: running, success, failed …'),
    limit: z.number().int().min(1).max(100).default(20),
  }),
  async run(args, ctx) {
    const gl = await gitlabOf(ctx.providers, args.project, ctx);
    switch (args.action) {
      case 'gitlab_issues': {
        const r = await list(
          gl,
          '/issues',
          { state: args.state ?? 'opened', labels: args.labels },
          args.limit,
          ctx.signal,
        );
        const lines = r.items.map(
          (i) =>
            `#${str(i.iid)} [${str(i.state)}] ${str(i.title)}${labelsOf(i.labels)}  ${user(i.author)}${assigneesOf(i.assignees)} · updated ${day(i.updated_at)}`,
        );
        return [
          header(gl, `${args.state ?? 'opened'} issues`, r.items.length, r.total, r.more),
          ...lines,
        ].join('\n');
      }
      case 'gitlab_issue': {
        if (!args.iid) throw new ToolError('action "gitlab_issue" needs iid (the number after # in GitLab)');
        const { items } = await get(gl, `/issues/${args.iid}`, {}, ctx.signal);
        const i = items as Record<string, unknown>;
        const description = str(i.description);
        const cut =
          description.length > MAX_DESCRIPTION_CHARS
            ? `${description.slice(0, MAX_DESCRIPTION_CHARS)}\n… (${description.length - MAX_DESCRIPTION_CHARS} more characters at ${str(i.web_url)})`
            : description;
        return [
          `#${str(i.iid)} [${str(i.state)}] ${str(i.title)}${labelsOf(i.labels)}`,
          `by ${user(i.author)}${assigneesOf(i.assignees)} · created ${day(i.created_at)} · updated ${day(i.updated_at)}${i.milestone ? ` · milestone ${str((i.milestone as { title?: unknown }).title)}` : ''}`,
          str(i.web_url),
          '',
          cut,
        ].join('\n');
      }
      case 'gitlab_mrs': {
        const r = await list(
          gl,
          '/merge_requests',
          { state: args.state ?? 'opened', labels: args.labels },
          args.limit,
          ctx.signal,
        );
        const lines = r.items.map(
          (m) =>
            `!${str(m.iid)} [${str(m.state)}${m.draft ? ', draft' : ''}] ${str(m.title)}  ${str(m.source_branch)} → ${str(m.target_branch)}${labelsOf(m.labels)}  ${user(m.author)} · ${str(m.detailed_merge_status ?? m.merge_status)} · updated ${day(m.updated_at)}`,
        );
        return [
          header(gl, `${args.state ?? 'opened'} merge requests`, r.items.length, r.total, r.more),
          ...lines,
        ].join('\n');
      }
      case 'gitlab_pipelines': {
        const r = await list(gl, '/pipelines', { status: args.status }, args.limit, ctx.signal);
        const lines = r.items.map(
          (p) =>
            `${str(p.id)} [${str(p.status)}] ${str(p.ref)} @ ${str(p.sha).slice(0, 10)} · ${str(p.source)} · ${str(p.created_at).replace('T', ' ').slice(0, 16)}`,
        );
        return [
          header(gl, `pipelines${args.status ? ` (${args.status})` : ''}`, r.items.length, r.total, r.more),
          ...lines,
        ].join('\n');
      }
    }
  },
});
