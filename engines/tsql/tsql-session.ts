import { SafetyCheckFailed } from '../../common/errors';
import type { DataSession } from '../port';
import type { SchemaDefinition } from '../schema';
import type { TsqlConnection } from './tsql-connection';
import { tsqlDialect } from './tsql-dialect';
import { introspectTsql, REFERENCED_QUERY } from './tsql-introspect';

export class ReadOnlySessionError extends SafetyCheckFailed {
  constructor(description: string) {
    super(`${description} is a read-only session: dbmove never writes the source or the live target outside SWAP and rollback`);
  }
}

/**
 * A DataSession on SQL Server or Azure SQL Database, shared by both engines. Every value is
 * passed to the driver as a parameter; the statements come from the T-SQL dialect.
 *
 * A live session is read-only by construction: execute() refuses, so that the source of a
 * movement, like the local engine's read-only file handle, can never be written through it.
 */
export class TsqlSession implements DataSession {
  readonly dialect = tsqlDialect;
  private inTransaction = false;

  constructor(
    private readonly connection: TsqlConnection,
    readonly description: string,
    private readonly readOnly: boolean,
  ) {}

  async query<T = Record<string, unknown>>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    return (await this.connection.run(sql, params)).rows as T[];
  }

  async execute(sql: string, params: readonly unknown[] = []): Promise<number> {
    if (this.readOnly) throw new ReadOnlySessionError(this.description);
    return (await this.connection.run(sql, params)).rowsAffected;
  }

  async transaction<T>(fn: () => Promise<T>): Promise<T> {
    if (this.inTransaction) return fn();
    await this.connection.begin();
    this.inTransaction = true;
    try {
      const result = await fn();
      await this.connection.commit();
      return result;
    } catch (err) {
      await this.connection.rollback().catch(() => undefined);
      throw err;
    } finally {
      this.inTransaction = false;
    }
  }

  introspect(): Promise<SchemaDefinition> {
    return introspectTsql(this.connection);
  }

  /** For SCRUB's whole-table clears: TRUNCATE TABLE is refused on a referenced table. */
  async referencedByForeignKey(table: string): Promise<boolean> {
    const [row] = await this.query<{ n: number }>(REFERENCED_QUERY, [table]);
    return Number(row?.n ?? 0) > 0;
  }

  close(): Promise<void> {
    return this.connection.close();
  }
}
