import type { Dialect } from '../../engines/dialect';
import { findColumn, findTable, type SchemaDefinition } from '../../engines/schema';

/**
 * F&O's optimistic concurrency: every row carries RECVERSION, and a write that leaves it
 * unchanged lets a client that read the row earlier overwrite the change unnoticed. The
 * community's scripts bump it on every row they update (enable-user.sql: RECVERSION + 1);
 * dbmove does the same for every row SCRUB and POSTCONFIG update, wrapping at the top of the
 * int column instead of overflowing on a row that already holds its largest value.
 */
export const RECVERSION = 'RECVERSION';

export function recVersionBump(dialect: Dialect): string {
  const c = dialect.quote(RECVERSION);
  return `${c} = CASE WHEN ${c} >= 2147483647 THEN 1 ELSE ${c} + 1 END`;
}

/** ", RECVERSION = ..." when `table` has the column, else nothing (kernel tables have none). */
export function recVersionAssignment(dialect: Dialect, schema: SchemaDefinition, table: string): string {
  const def = findTable(schema, table);
  return def && findColumn(def, RECVERSION) ? `, ${recVersionBump(dialect)}` : '';
}
