import type { Migration } from '../migrate.ts';
import { coreSchema } from './001-core.ts';

/**
 * Every migration, in version order. 002 (the shared-session stores) joins this list from
 * ./002-shared-sessions.ts when that part is merged.
 */
export const MIGRATIONS: readonly Migration[] = [coreSchema];
