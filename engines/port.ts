import type { EnvironmentConfig } from '../config/catalog';
import type { Dialect } from './dialect';
import type { SchemaDefinition } from './schema';

/**
 * The database engine port: everything a movement operation needs from a database platform,
 * and nothing about what a refresh is. The workflow never sees an engine; activities pick
 * the engine an environment names in the catalog and call it through this interface.
 *
 * Every method is keyed by the operation id, and every engine derives the names of what it
 * creates (staging databases, restore points, aside copies) from that id. Temporal runs an
 * activity at least once, so each method checks before it acts: a second call with the same
 * arguments finds its own earlier work and returns the same answer.
 *
 * Each engine takes the catalog entries of its own kind (`E`): the registry hands an
 * environment only to the engine it names. Nothing here knows Temporal: an engine is usable
 * from a plain script, and it reports progress and reads cancellation through EngineContext.
 */
export interface DatabaseEngine<E extends EnvironmentConfig = EnvironmentConfig> {
  readonly kind: E['engine'];
  /** What this platform can do, for callers that must choose (never `kind === ...`). */
  readonly capabilities: EngineCapabilities;

  /** Existence and size of an environment's live database, without opening it for writing. */
  inspect(env: E): Promise<DatabaseFacts>;

  /**
   * A read-only session on the live database. The source of a movement is only ever opened this
   * way. With `ctx`, a cancelled attempt stops the session's statements.
   */
  openLive(env: E, ctx?: EngineContext): Promise<DataSession>;

  /**
   * A read-write session on the staging database that this operation is preparing for `target`.
   * With `ctx`, every write passes `ctx.fence` first and a cancelled attempt stops mid-statement.
   */
  openStaging(target: E, operationId: string, ctx?: EngineContext): Promise<DataSession>;

  /**
   * Checks a database's structure: the live one, or this operation's staging copy. `header`
   * (the file's format and length only, O(1)), `quick` (SQLite's quick_check: every page and
   * b-tree, O(N)) or `full` (integrity_check: also every index against its table). Optional:
   * platforms that check their own pages need not.
   */
  checkIntegrity?(env: E, which: { staging: string } | 'live', level: 'header' | 'quick' | 'full', ctx: EngineContext): Promise<IntegrityResult>;

  /**
   * Changes made to the live target since MARKER (by its own users: dbmove never writes it
   * before SWAP). Optional: 'unknown' where the platform cannot tell.
   */
  writesSinceMarker?(target: E, operationId: string, ctx: EngineContext): Promise<TargetWrites>;

  /** Free space where operations write for `env` (its staging and restore points). */
  freeSpace?(env: E): Promise<{ location: string; freeBytes: number }>;

  /**
   * Removes what crashed processes left behind for `env` (temporary files named by dbmove's
   * patterns: `*.json.tmp-<pid>` of dead processes, `*.partial` copies of finished or
   * abandoned operations). Returns what it removed.
   */
  removeLeftovers?(env: E, keepOperationIds: string[]): Promise<string[]>;

  /**
   * MARKER: record the point in time that rollback returns the target to. The target stays
   * online. Local engine: a byte-exact restore point. Azure SQL: the server's time, checked
   * against the database's earliest restore date.
   */
  markPointInTime(target: E, operationId: string, ctx: EngineContext): Promise<Marker>;

  /**
   * COPY: a transactionally consistent copy of the source into the target's staging
   * database, while the source stays readable and is never written.
   */
  copyToStaging(source: E, target: E, operationId: string, ctx: EngineContext): Promise<CopyResult>;

  /**
   * SWAP: staging becomes the target. The only moment the target is unavailable. An engine
   * that keeps no copy of the replaced database under a name of its own (the local engine)
   * cannot tell from names alone whether a crashed attempt already swapped: when staging is
   * gone and it has no record of the swap, it asks `holdsOperation` whether the live database
   * already carries this operation's data.
   */
  swapIn(target: E, operationId: string, ctx: EngineContext, holdsOperation?: () => Promise<boolean>): Promise<SwapResult>;

  /**
   * Rollback after SWAP: return the target to the marker. Azure SQL restores to a new
   * database and rename-swaps; the local engine swaps its restore point back in. The live
   * name always points at a usable database, whatever step fails.
   */
  restoreToMarker(target: E, marker: Marker, operationId: string, ctx: EngineContext): Promise<SwapResult>;

  /**
   * Rollback before SWAP reports whether the live target is still as it was at the marker
   * (its users may have changed it since; this operation never did). 'unknown' where the
   * platform cannot tell cheaply.
   */
  compareWithMarker(target: E, marker: Marker): Promise<'identical' | 'changed' | 'unknown'>;

  /** Rollback before SWAP, and cancellation: drop the staging database if it exists. */
  dropStaging(target: E, operationId: string): Promise<Holding[]>;

  /** What this operation holds for `env` right now (staging, restore points, aside copies). */
  holdings(env: E, operationId: string): Promise<Holding[]>;

  /**
   * Sign-off housekeeping: remove everything `holdings` lists and return it. With
   * `keepRestorePoint`, an engine that keeps discrete restore points for point-in-time
   * restore moves the marker into the environment's retained history instead of deleting it.
   */
  releaseHoldings(env: E, operationId: string, options: { keepRestorePoint: boolean }): Promise<Holding[]>;

  /** Points in time the environment can be restored to (kept restore points, or the PITR window). */
  restorePoints(env: E): Promise<RestoreWindow>;

  /**
   * RESTORE (point-in-time restore operation): prepare staging as the target was at `at`,
   * exactly, or throw RestoreNotExact before anything is written. Only with `choice` (the
   * nearest earlier restorable state, or a named restore point) may the state be another
   * time's, and `restoredTo` then names it.
   */
  restoreToStaging(target: E, at: string, operationId: string, ctx: EngineContext, choice?: RestoreChoice): Promise<RestoreResult>;

  /**
   * Export: write the (already scrubbed) staging database to a backup at `destination`,
   * carrying `manifest` (source, versions, time, policy) where the format allows.
   */
  exportStaging(env: E, operationId: string, destination: string, manifest: Omit<BackupManifest, 'content'>, ctx: EngineContext): Promise<ExportResult>;

  /**
   * Reads and checks a backup before anything is touched: format, checksums, and the
   * manifest `exportStaging` wrote (source environment, versions, time, policy). Throws
   * InvalidBackup naming the problem. Optional: an engine without it cannot import.
   */
  readBackup?(env: E, location: string): Promise<BackupManifest>;

  /** Removes a backup this operation wrote (rollback of an export). Only ever the operation's own file. */
  removeBackup?(env: E, location: string, operationId: string): Promise<boolean>;

  /**
   * Writes a downtime broadcast that the environment shows its online users (F&O's
   * SysBroadcastMessage). Optional: the only write to a live target before SWAP, and only
   * when the catalog configures notifications.
   */
  broadcast?(env: E, message: string, from: Date, to: Date): Promise<void>;

  /** Removes the broadcast `broadcast` wrote with this message (rollback before SWAP); true if there was one. */
  withdrawBroadcast?(env: E, message: string): Promise<boolean>;

  /**
   * Before staging leaves the engine's hands (VERIFY, ahead of SWAP or PACKAGE): make sure that
   * nothing deleted or overwritten in it, by SCRUB, SYNC or POSTCONFIG or by the source long
   * before, survives in its bytes. The local engine rewrites the database file from its live
   * rows (VACUUM INTO); SQL Server zeroes the free space of every data page. Optional: an
   * engine without it says in docs/engines.md what its page-level copies keep.
   */
  sealStaging?(target: E, operationId: string, ctx: EngineContext): Promise<SealResult>;

  /** Import: load a validated backup into the target's staging database. */
  importToStaging(target: E, backup: string, operationId: string, ctx: EngineContext): Promise<CopyResult>;

  /**
   * Who the live database of `env` says it is, from the platform's own metadata, never from
   * an F&O table: local, an identity record tied to the database file itself (it follows the
   * file through renames, and a copy of the file has none); SQL Server, database-level
   * extended properties (inside the database, so they survive renames, backups and
   * restores); Azure SQL, the database resource's tags (they move with a rename; a copy or a
   * restore starts without). Undefined when nothing was ever stamped.
   */
  readIdentity(env: E): Promise<DatabaseIdentity | undefined>;

  /**
   * Stamps the staging database of `operationId` with the target's identity and the
   * operation, just before SWAP, so that the identity goes live with the data in the same
   * swap. Safe to repeat.
   */
  stampStagingIdentity(target: E, operationId: string, identity: DatabaseIdentity): Promise<void>;

  /** Stamps the live database (the demo estate, and adopting a database dbmove did not create). */
  stampLiveIdentity(env: E, identity: DatabaseIdentity): Promise<void>;

  /** Where the staging database of `operationId` is, for a platform command run against it (SYNC's databaseSync). */
  stagingAddress(target: E, operationId: string): StagingAddress;

  /**
   * Database principals and change tracking, on platforms that have them (the T-SQL
   * engines). Absent on the local engine: SQLite has no database users, so there is nothing
   * to drop or create after a copy.
   */
  readonly principals?: DatabasePrincipals;
}

/** What a database says about itself in the platform's metadata. */
export interface DatabaseIdentity {
  environment: string;
  type: 'production' | 'sandbox';
  /** The operation whose data this is (set on staging just before SWAP). */
  operationId?: string;
  stampedAt?: string;
}

export interface StagingAddress {
  /** A file path (local), or server/database. */
  location: string;
  server?: string;
  database: string;
}

/** A database user to create for the target, its password already read from the worker's environment. */
export interface PrincipalToCreate {
  name: string;
  roles: string[];
  /** SQL Server: CREATE USER ... FROM LOGIN. */
  login?: string;
  /** Azure SQL: a contained user WITH PASSWORD. Never logged, never returned. */
  password?: string;
}

/**
 * The database users a copy brings, and the target's own (Microsoft's export/import procedure
 * and d365fo.tools clear-azurebacpacdatabase.sql, set-bacpacvaluesazure.sql,
 * disable-changetracking.sql, enable-changetracking.sql).
 */
export interface DatabasePrincipals {
  /**
   * SCRUB: disables change tracking (every table, then the database), re-owns the schemas,
   * roles and full-text catalogs a copied user owns to dbo, drops the certificates tied to
   * copied users, and drops every copied user except dbo. Returns what it dropped.
   */
  clearCopied(session: DataSession): Promise<{ users: string[]; certificates: string[]; changeTrackingTables: number }>;
  /** POSTCONFIG: creates the target's users with their roles (where the role exists), and turns change tracking back on for the database. */
  createOwn(session: DataSession, users: PrincipalToCreate[]): Promise<{ created: string[]; roles: string[]; missingRoles: string[] }>;
  /** VERIFY: the database users present (dbo, guest and the system principals left out). */
  listUsers(session: DataSession): Promise<string[]>;
}

export interface IntegrityResult {
  ok: boolean;
  level: 'header' | 'quick' | 'full';
  location: string;
  /** The platform's own words for what is damaged (first few). */
  messages: string[];
  /** Tables whose pages or indexes are damaged. */
  tables: string[];
  durationMs: number;
}

export interface TargetWrites {
  /** Whether the live target differs from what it was at MARKER. */
  changed: boolean | 'unknown';
  /** Rows inserted, changed or deleted, per table, when known. */
  tables: { table: string; rows: number }[];
  rows: number;
  /** How it was measured (for the log). */
  method: string;
}

export interface EngineCapabilities {
  /** Point-in-time restore: to any second of a window (`continuous`) or to kept restore points (`discrete`). */
  pointInTime: 'continuous' | 'discrete';
  /** Where `exportStaging` writes: a file on the worker's machine, a file on the database server's machine, or a blob URI. */
  backupDestination: 'local-file' | 'server-file' | 'blob';
  /** Databases are files on the machine that runs dbmove (the demo estate creates them). */
  localFiles: boolean;
  /**
   * What `dbmove import` reads into this engine's environments (`reads`), or why the engine
   * refuses an import (`refused`). The command line and PRECHECK both refuse on `refused`,
   * before anything starts; `engines/capabilities.ts` lists every engine's answer.
   */
  backupImport: { reads: string } | { refused: string };
}

/** Something an operation keeps on disk (or in the cloud) until sign-off. */
export interface Holding {
  kind: 'staging' | 'restore-point' | 'aside' | 'temporary';
  environment: string;
  location: string;
  bytes?: number;
}

/** The point in time rollback returns a target to, recorded at MARKER. */
export interface Marker {
  environment: string;
  /** ISO time of the point in time rollback returns to. */
  at: string;
  /** Engine-specific handle of the restore point (a file name, a database name, a time). */
  restorePoint: string;
  /** Content checksum at the marker, when the engine can compute one cheaply. */
  checksum?: string;
}

export interface DatabaseFacts {
  exists: boolean;
  /** Human-readable location, never a secret: a file path or server/database. */
  location: string;
  sizeBytes?: number;
}

export interface CopyResult {
  bytes: number;
  durationMs: number;
  /** Where the staging database is, for status and housekeeping. */
  staging: Holding;
  /** True when an earlier attempt already finished the copy and this call only confirmed it. */
  resumed: boolean;
  /** Engine-specific facts worth a log line (method used, consistency point). */
  notes: string[];
}

export interface SwapResult {
  /** The window during which the target could not be used. */
  unavailableWindowMs: number;
  durationMs: number;
  resumed: boolean;
  notes: string[];
}

export interface RestorePointInfo {
  /** The moment the point holds the state of. */
  at: string;
  id: string;
  description?: string;
  bytes?: number;
  /**
   * The times whose state this point restores exactly: from `exactFrom` to `exactUntil` the
   * engine can prove the database held what the point holds (both default to `at`).
   */
  exactFrom?: string;
  exactUntil?: string;
}

export interface RestoreWindow {
  environment: string;
  /** Continuous engines restore to any time in [earliest, latest]; discrete ones only to listed points. */
  continuous: boolean;
  earliest?: string;
  latest?: string;
  points: RestorePointInfo[];
}

/** What `sealStaging` did: the staging database before and after, and how. */
export interface SealResult {
  bytesBefore: number;
  bytesAfter: number;
  durationMs: number;
  /** True when an earlier attempt already sealed this staging database and it has not changed since. */
  resumed: boolean;
  notes: string[];
}

export interface RestoreResult extends CopyResult {
  /** The time whose state staging now holds: the time asked, or (when accepted) the nearest earlier one. */
  restoredTo: string;
  /** Whether `restoredTo` is the time asked for. */
  exact: boolean;
  /** The kept restore point it came from (engines with discrete restore points). */
  point?: { id: string; at: string };
}

/** What a restore may give when the exact time asked cannot be (common/restore-plan.ts). */
export interface RestoreChoice {
  /** Accept the latest state at or before the time that can be restored exactly. */
  nearest?: boolean;
  /** Restore this kept restore point (an id `restorePoints` listed). */
  point?: string;
}

/** What a backup says about itself; engine-neutral, written at export and checked at import. */
export interface BackupManifest {
  operationId: string;
  createdAt: string;
  source: { environment: string; type: string; engine: string };
  versions: { applicationRelease?: string; platformUpdate?: number; financialReporting?: string };
  /** Where the source's versions were read at export (its deployment's version source). */
  versionSources?: { applicationRelease?: string; platformUpdate?: string; financialReporting?: string };
  policy: { sources: string[]; elements: string[] };
  content?: { bytes: number; sha256: string };
}

export interface ExportResult {
  destination: string;
  bytes: number;
  checksum: string;
  durationMs: number;
  notes: string[];
}

/**
 * What an activity lends an engine: progress reporting (heartbeats), cancellation, and the
 * state an earlier attempt saved, so that a retried activity resumes a long-running cloud
 * operation instead of starting a second one.
 */
export interface EngineContext {
  progress(percent: number, detail?: string): void;
  /** Saved with the next heartbeat; read back on the next attempt as `resumeState`. */
  saveResumeState(state: unknown): void;
  readonly resumeState: unknown;
  readonly signal: AbortSignal;
  log(message: string): void;
  /**
   * Called at the points where a crash would hurt most (halfway through a copy, between
   * statements). Fault injection hooks in here; engines that have no such point skip it.
   */
  checkpoint?(label: string): Promise<void>;
  /**
   * The fence every write passes: throws when this attempt may no longer write (Temporal
   * cancelled it or timed it out, or a newer attempt of the operation has started). Engines
   * call it before each write phase; a late attempt then never changes the outcome.
   */
  fence?(label: string): Promise<void>;
}

/** A session on one database. Values are always bound as parameters, never spliced into SQL. */
export interface DataSession {
  readonly dialect: Dialect;
  /** Display name for logs: environment and role, never a connection string. */
  readonly description: string;
  query<T = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  /** Runs one statement; returns the number of rows it changed. */
  execute(sql: string, params?: readonly unknown[]): Promise<number>;
  /** Runs `fn` in one transaction. */
  transaction<T>(fn: () => Promise<T>): Promise<T>;
  introspect(): Promise<SchemaDefinition>;
  /**
   * Whether a foreign key references `table`. Optional: only platforms where that changes how
   * a table is emptied (SQL Server refuses TRUNCATE TABLE on a referenced table) implement it.
   */
  referencedByForeignKey?(table: string): Promise<boolean>;
  close(): Promise<void>;
}
