import type { Migration } from '../migrate.ts';
import { coreSchema } from './001-core.ts';
import { sharedSessionsMigration } from './002-shared-sessions.ts';
import { economicsEvidenceMigration } from './003-economics-evidence.ts';
import { archivesMigration } from './004-archives.ts';

/** Every migration, in version order. */
export const MIGRATIONS: readonly Migration[] = [
  coreSchema,
  sharedSessionsMigration,
  economicsEvidenceMigration,
  archivesMigration,
];
