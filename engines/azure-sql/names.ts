import * as crypto from 'node:crypto';
import { assertName, DATABASE_NAME } from '../../config/names';

/**
 * Everything an operation creates on a server is named after the operation id, so that any
 * attempt of any activity (and a person in the portal) finds the same databases:
 *
 *   <db>_stg_<op>   staging: the copy being prepared, and after a rollback the rejected copy
 *   <db>_pre_<op>   aside: the target as it was until SWAP, kept until sign-off
 *   <db>_rb_<op>    rollback: the point-in-time restore of the aside database to the marker
 *
 * <op> is a short digest of the operation id: operation ids run to 100 characters, database
 * names stop at 128, and a digest keeps every derived name within DATABASE_NAME.
 */
export function shortOperationId(operationId: string): string {
  return crypto.createHash('sha256').update(operationId).digest('hex').slice(0, 10);
}

export interface DerivedNames {
  live: string;
  staging: string;
  aside: string;
  rollback: string;
}

export function derivedNames(database: string, operationId: string): DerivedNames {
  const op = shortOperationId(operationId);
  const name = (suffix: string) => assertName('derived database name', `${database}_${suffix}_${op}`, DATABASE_NAME);
  return { live: database, staging: name('stg'), aside: name('pre'), rollback: name('rb') };
}

/** Aside databases of any operation: the candidates a restore of a dropped database looks at. */
export function isAsideOf(database: string, candidate: string): boolean {
  return candidate.startsWith(`${database}_pre_`) && /^[0-9a-f]{10}$/.test(candidate.slice(database.length + 5));
}
