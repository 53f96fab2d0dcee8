import type { DataSession, EngineContext } from '../port';
import type { SchemaDefinition } from '../schema';
import { sqliteDialect } from './sqlite-dialect';
import { acquireThread, DatabaseThread, releaseThread } from './threads/thread-pool';
import { asEngineError } from './sqlite-errors';
import { abortReason } from '../abort';

export { openSqlite, type SqliteAccess } from './sqlite-open';
import type { SqliteAccess } from './sqlite-open';

/** What a session needs from its activity: cancellation, and the fence a write must pass. */
export type SessionGuard = Pick<EngineContext, 'signal' | 'fence'>;

/** Rows cross threads with blobs as Uint8Arrays; callers expect Buffers, as better-sqlite3 gives them. */
function withBuffers<T>(rows: T[]): T[] {
  for (const row of rows as Record<string, unknown>[]) {
    for (const key of Object.keys(row)) {
      const value = row[key];
      if (value instanceof Uint8Array && !Buffer.isBuffer(value)) row[key] = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
    }
  }
  return rows;
}

/**
 * A session on one SQLite file, run on a database thread of its own (threads/thread-pool.ts):
 * the worker's event loop only sends statements and receives rows, so heartbeats and other
 * operations carry on however long a statement runs. A cancelled attempt ends the thread
 * mid-statement (SQLite rolls the transaction back from its journal); every write first
 * passes the activity's fence, so an attempt Temporal gave up on writes nothing more.
 */
export class SqliteSession implements DataSession {
  readonly dialect = sqliteDialect;
  private closed = false;
  private readonly onAbort = () => {
    if (this.thread.busy) void this.thread.terminate(abortReason(this.guard?.signal));
  };

  private constructor(
    private readonly thread: DatabaseThread,
    private readonly handle: number,
    readonly description: string,
    readonly file: string,
    private readonly guard?: SessionGuard,
  ) {
    guard?.signal?.addEventListener('abort', this.onAbort);
  }

  static async open(file: string, access: SqliteAccess, description: string, guard?: SessionGuard): Promise<SqliteSession> {
    guard?.signal?.throwIfAborted();
    const thread = acquireThread();
    try {
      const handle = await thread.call<number>({ op: 'open', file, access });
      return new SqliteSession(thread, handle, description, file, guard);
    } catch (err) {
      releaseThread(thread);
      throw asEngineError(err, file);
    }
  }

  private async call<T>(request: Parameters<DatabaseThread['call']>[0]): Promise<T> {
    this.guard?.signal?.throwIfAborted();
    try {
      return await this.thread.call<T>(request);
    } catch (err) {
      if (this.guard?.signal?.aborted) throw abortReason(this.guard.signal);
      throw asEngineError(err, this.file, 'sql' in request ? request.sql : undefined);
    }
  }

  async query<T = Record<string, unknown>>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    return withBuffers(await this.call<T[]>({ op: 'query', handle: this.handle, sql, params: [...params] }));
  }

  async execute(sql: string, params: readonly unknown[] = []): Promise<number> {
    await this.guard?.fence?.('statement');
    return this.call<number>({ op: 'run', handle: this.handle, sql, params: [...params] });
  }

  /** Runs a pragma and returns its single value (journal_mode, page_count, ...). */
  async pragma(pragma: string): Promise<unknown> {
    return this.call({ op: 'pragma', handle: this.handle, pragma });
  }

  async transaction<T>(fn: () => Promise<T>): Promise<T> {
    await this.guard?.fence?.('transaction');
    await this.call({ op: 'exec', handle: this.handle, sql: 'BEGIN IMMEDIATE' });
    try {
      const result = await fn();
      // The last moment a superseded attempt can still be stopped: nothing it did is committed yet.
      await this.guard?.fence?.('commit');
      await this.call({ op: 'exec', handle: this.handle, sql: 'COMMIT' });
      return result;
    } catch (err) {
      if (this.thread.alive && (await this.call<boolean>({ op: 'inTransaction', handle: this.handle }).catch(() => false))) {
        await this.call({ op: 'exec', handle: this.handle, sql: 'ROLLBACK' }).catch(() => undefined);
      }
      throw err;
    }
  }

  async introspect(): Promise<SchemaDefinition> {
    return this.call<SchemaDefinition>({ op: 'introspect', handle: this.handle });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.guard?.signal?.removeEventListener('abort', this.onAbort);
    if (this.thread.alive) await this.thread.call({ op: 'close', handle: this.handle }).catch(() => undefined);
    releaseThread(this.thread);
  }
}
