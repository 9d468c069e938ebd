import { extname } from 'node:path';

/**
 * Replicas sharing one team.json audit to their own files, all in one directory beside
 * `auditLogPath` (`audit.jsonl` → `audit.replicas/<id>.jsonl`), so each call is written once
 * and no workspace can read any replica's file (the directory is excluded as a whole).
 */
export function replicaAuditDir(auditLogPath: string): string {
  const ext = extname(auditLogPath);
  return `${ext ? auditLogPath.slice(0, -ext.length) : auditLogPath}.replicas`;
}

/** This replica's audit file; `auditLogPath` itself when the server is not a named replica. */
export function replicaAuditPath(
  auditLogPath: string | undefined,
  replicaId: string | undefined,
): string | undefined {
  if (auditLogPath === undefined || replicaId === undefined) return auditLogPath;
  return `${replicaAuditDir(auditLogPath)}/${replicaId}${extname(auditLogPath) || '.jsonl'}`;
}
