import type { RefusalWindow } from '../metrics/refusal-window.ts';
import type { AuditLog } from './audit-log.ts';

/** The audit log, counting each refused or failed line's code in `window` as it is written. */
export function countRefusals(log: AuditLog, window: RefusalWindow): AuditLog {
  return {
    get path() {
      return log.path;
    },
    write(entry) {
      if (!entry.allowed && entry.deniedReason) window.record(entry.deniedReason);
      log.write(entry);
    },
    flush: () => log.flush(),
    close: () => log.close(),
  };
}
