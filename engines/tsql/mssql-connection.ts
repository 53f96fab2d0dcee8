import type { TokenCredential } from '@azure/identity';
import { MissingSecret } from '../../common/errors';
import { withEveryServerMessage } from './driver-errors';
import type { ConnectionFactory, ConnectionTarget, TsqlConnection, TsqlResult } from './tsql-connection';

/**
 * The mssql (tedious) driver behind a T-SQL session. Required lazily, so that a worker that
 * only runs the local engine never loads it. One connection per session (a pool of one):
 * a session's statements and its transaction share one connection and its SET options.
 *
 * Secrets are read here, at the moment of connecting, from the environment variable the
 * catalog names; they never appear in a description, an error message or a log line.
 */

// The subset of mssql 12's API used here (the package ships no type declarations).
export interface MssqlRequest {
  input(name: string, value: unknown): MssqlRequest;
  query(sql: string): Promise<{ recordset?: Record<string, unknown>[]; rowsAffected: number[] }>;
}
export interface MssqlTransaction {
  begin(): Promise<unknown>;
  commit(): Promise<void>;
  rollback(): Promise<void>;
}
export interface MssqlPool {
  connect(): Promise<MssqlPool>;
  close(): Promise<void>;
  request(): MssqlRequest;
}
export interface MssqlModule {
  ConnectionPool: new (config: Record<string, unknown>) => MssqlPool;
  Transaction: new (pool: MssqlPool) => MssqlTransaction;
  Request: new (parent: MssqlTransaction) => MssqlRequest;
}

export interface MssqlOptions {
  /** Secret lookup by environment variable name. */
  secret: (name: string) => string | undefined;
  /** The driver module (tests pass a stand-in); mssql unless given. */
  driver?: MssqlModule;
  /** Entra ID credential for `authentication: default` (DefaultAzureCredential unless given). */
  credential?: () => TokenCredential;
}

export function mssqlConfig(target: ConnectionTarget, options: MssqlOptions): Record<string, unknown> {
  const auth = target.authentication;
  let authentication: Record<string, unknown>;
  if (auth.type === 'sql') {
    const password = options.secret(auth.passwordEnv);
    if (password === undefined) throw new MissingSecret(auth.passwordEnv, target.environment, `the SQL login password of ${auth.userName}`);
    authentication = { type: 'default', options: { userName: auth.userName, password } };
  } else if (auth.type === 'access-token') {
    const token = options.secret(auth.tokenEnv);
    if (token === undefined) throw new MissingSecret(auth.tokenEnv, target.environment, 'an Entra ID access token for Azure SQL');
    authentication = { type: 'azure-active-directory-access-token', options: { token } };
  } else {
    const credential = options.credential?.() ?? defaultCredential();
    authentication = { type: 'token-credential', options: { credential } };
  }
  return {
    server: target.host,
    database: target.database,
    ...(target.instanceName ? {} : { port: target.port ?? 1433 }),
    authentication,
    requestTimeout: target.requestTimeoutMs ?? 0,
    connectionTimeout: 30_000,
    pool: { max: 1, min: 0 },
    options: {
      encrypt: true,
      trustServerCertificate: target.trustServerCertificate ?? false,
      appName: 'dbmove',
      ...(target.instanceName ? { instanceName: target.instanceName } : {}),
    },
  };
}

function defaultCredential(): TokenCredential {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { DefaultAzureCredential } = require('@azure/identity') as typeof import('@azure/identity');
  return new DefaultAzureCredential();
}

class MssqlConnection implements TsqlConnection {
  private pool?: Promise<MssqlPool>;
  private transaction?: MssqlTransaction;

  constructor(
    private readonly mssql: MssqlModule,
    private readonly config: Record<string, unknown>,
  ) {}

  /**
   * Connects on first use, not when the session is opened: a rollback or a swap resumed
   * after a crash between two renames may open a session on a name that briefly does not
   * exist; the statement fails then, with the driver's message, where the caller can judge it.
   */
  private connected(): Promise<MssqlPool> {
    this.pool ??= new this.mssql.ConnectionPool(this.config).connect();
    return this.pool;
  }

  async run(sql: string, params: readonly unknown[]): Promise<TsqlResult> {
    const pool = await this.connected();
    const request = this.transaction ? new this.mssql.Request(this.transaction) : pool.request();
    params.forEach((value, i) => request.input(`p${i}`, value === undefined ? null : value));
    const result = await request.query(sql).catch((err: unknown) => {
      throw withEveryServerMessage(err);
    });
    return { rows: result.recordset ?? [], rowsAffected: result.rowsAffected.reduce((n, r) => n + r, 0) };
  }

  async begin(): Promise<void> {
    const pool = await this.connected();
    const transaction = new this.mssql.Transaction(pool);
    await transaction.begin();
    this.transaction = transaction;
  }

  async commit(): Promise<void> {
    const transaction = this.transaction;
    this.transaction = undefined;
    await transaction?.commit();
  }

  async rollback(): Promise<void> {
    const transaction = this.transaction;
    this.transaction = undefined;
    await transaction?.rollback();
  }

  async close(): Promise<void> {
    const pool = this.pool;
    this.pool = undefined;
    if (pool) await (await pool.catch(() => undefined))?.close();
  }
}

export function mssqlConnectionFactory(options: MssqlOptions): ConnectionFactory {
  return (target) => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mssql = options.driver ?? (require('mssql') as MssqlModule);
    // The configuration (and so a missing secret) is resolved now, when the session opens;
    // only the network connection waits for the first statement.
    return new MssqlConnection(mssql, mssqlConfig(target, options));
  };
}
