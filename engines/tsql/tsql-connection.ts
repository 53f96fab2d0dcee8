/**
 * The one thing a T-SQL session needs from a driver: run a statement with bound values, and
 * hold a transaction. mssql implements it (mssql-connection.ts); tests that cannot reach a
 * SQL Server implement it with a recorder, so the session, the dialect and the policies
 * above it run unchanged.
 */
export interface TsqlResult {
  rows: Record<string, unknown>[];
  /** Rows changed by the statement (sum over a batch's statements). */
  rowsAffected: number;
}

export interface TsqlConnection {
  /** Runs `sql` with `params` bound as @p0, @p1, ... in order. */
  run(sql: string, params: readonly unknown[]): Promise<TsqlResult>;
  begin(): Promise<void>;
  commit(): Promise<void>;
  rollback(): Promise<void>;
  close(): Promise<void>;
}

/** Where a session connects: never a connection string, and secrets only as variable names. */
export interface ConnectionTarget {
  /** The catalog environment this connection serves, for messages (MissingSecret names it). */
  environment: string;
  host: string;
  port?: number;
  /** SQL Server named instance (host\instance in the catalog). */
  instanceName?: string;
  database: string;
  authentication: { type: 'default' } | { type: 'sql'; userName: string; passwordEnv: string } | { type: 'access-token'; tokenEnv: string };
  trustServerCertificate?: boolean;
  /** Milliseconds a single statement may run; 0 for no limit (BACKUP, RESTORE, large scrubs). */
  requestTimeoutMs?: number;
}

export type ConnectionFactory = (target: ConnectionTarget) => TsqlConnection;
