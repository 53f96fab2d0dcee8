import { DatabaseCorrupt, InsufficientSpace } from '../../common/errors';

/**
 * SQLite's answers that no retry can change, turned into dbmove's typed errors with the file,
 * the table when the statement names one, and what to do. Anything else passes unchanged.
 */
export function asEngineError(err: unknown, file: string, sql?: string): unknown {
  const code = (err as { code?: string })?.code ?? '';
  const message = (err as Error)?.message ?? String(err);
  if (code.startsWith('SQLITE_CORRUPT') || code.startsWith('SQLITE_NOTADB')) {
    const table = sql?.match(/^\s*(?:UPDATE|DELETE\s+FROM|INSERT\s+INTO|SELECT\b.*?\bFROM)\s+"([^"]+)"/is)?.[1];
    return new DatabaseCorrupt(
      `${file} is damaged (${message})${table ? ` in table ${table}` : ''}. A retry reads the same damaged pages: restore the database from a backup or repair it (sqlite3 .recover), then start the operation again`,
    );
  }
  if (code === 'SQLITE_FULL') {
    return new InsufficientSpace(`The disk holding ${file} is full (${message}). Free space there, then retry`);
  }
  return err;
}
