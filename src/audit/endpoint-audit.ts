import type { AuditEntry } from './audit-log.ts';

/** The `method` the original lean-ctx wrote for its non-tool endpoints. */
const ORIGINAL_METHODS: Record<string, string> = {
  '/v1/events': 'events',
  '/v1/metrics': 'metrics',
};

/** An endpoint's audit `method`: the original's name where it had one, else `GET /v1/...`. */
export function endpointMethod(httpMethod: string, path: string): string {
  return ORIGINAL_METHODS[path] ?? `${httpMethod} ${path}`;
}

/** The audit line of an allowed endpoint access (no tool, no arguments). */
export function accessEntry(
  fields: Pick<AuditEntry, 'ts' | 'requestId' | 'tokenId' | 'workspaceId' | 'channelId' | 'method'> &
    Pick<Partial<AuditEntry>, 'eventKind' | 'eventId'>,
): AuditEntry {
  return {
    ...fields,
    tool: null,
    allowed: true,
    deniedReason: null,
    argumentsMd5: '',
    status: 200,
    durationMs: 0,
  };
}
