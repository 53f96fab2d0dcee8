import * as crypto from 'node:crypto';
import Database from 'better-sqlite3';

export type SqliteAccess = 'read-only' | 'read-write';

/**
 * Opens a SQLite file on the calling thread, with dbmove's masking function registered. The
 * local engine calls it only on its database threads (threads/database-thread.ts); sessions on
 * the event loop go through SqliteSession.
 */
export function openSqlite(file: string, access: SqliteAccess, busyTimeoutMs = 10_000): Database.Database {
  const db = new Database(file, { readonly: access === 'read-only', fileMustExist: true });
  db.pragma(`busy_timeout = ${Math.max(0, Math.floor(busyTimeoutMs))}`);
  // The masking hash: SHA-256 of the text's UTF-16LE bytes, as the T-SQL dialect computes it
  // over nvarchar, so a value masks to the same digest on every engine.
  db.function('dbmove_sha256', { deterministic: true }, (value: unknown) =>
    value === null || value === undefined ? null : crypto.createHash('sha256').update(String(value), 'utf16le').digest('hex'),
  );
  return db;
}
