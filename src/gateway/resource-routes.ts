/**
 * Which downstream server a resource URI belongs to, learnt from resources/list (exact URIs)
 * and resources/templates/list (RFC 6570 templates). URIs pass through unchanged, so this is
 * the only way to route a read, a subscription or a completion.
 */
export class ResourceRoutes {
  private readonly uris = new Map<string, string>();
  private templates: Array<{ server: string; template: string; pattern: RegExp }> = [];

  learnResources(server: string, uris: Iterable<string>): void {
    for (const [uri, owner] of this.uris) if (owner === server) this.uris.delete(uri);
    for (const uri of uris) if (!this.uris.has(uri)) this.uris.set(uri, server);
  }

  learnTemplates(server: string, templates: Iterable<string>): void {
    this.templates = this.templates.filter((t) => t.server !== server);
    for (const template of templates)
      this.templates.push({ server, template, pattern: templatePattern(template) });
  }

  /** The server that listed this URI, or whose template matches it; undefined if unknown. */
  ownerOf(uri: string): string | undefined {
    return this.uris.get(uri) ?? this.templates.find((t) => t.pattern.test(uri))?.server;
  }

  /** The server that listed exactly this template (completion refs name the template). */
  ownerOfTemplate(template: string): string | undefined {
    return this.templates.find((t) => t.template === template)?.server;
  }
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** An anchored regex for an RFC 6570 template: enough to tell whose URI it is, not to parse it. */
export function templatePattern(template: string): RegExp {
  let source = '';
  let last = 0;
  for (const m of template.matchAll(/\{([+#./;?&]?)[^}]*\}/g)) {
    source += escapeRegExp(template.slice(last, m.index));
    const op = m[1];
    if (op === '+' || op === '#') source += '.*';
    else if (op === '?' || op === '&') source += '(?:[?&].*)?';
    else if (op === '/') source += '(?:/[^/?#]*)*';
    else if (op === '.' || op === ';') source += `(?:\\${op}[^/?#]*)*`;
    else source += '[^/?#]*';
    last = m.index + m[0].length;
  }
  source += escapeRegExp(template.slice(last));
  return new RegExp(`^${source}$`);
}
