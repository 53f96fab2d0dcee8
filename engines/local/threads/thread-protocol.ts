/**
 * The messages between the worker's event loop and the local engine's database threads
 * (`database-thread.ts`). Every request carries an id; the thread answers each with the same
 * id, a result or an error. Types only: both sides import it.
 */
export type ThreadRequest =
  | { op: 'open'; file: string; access: 'read-only' | 'read-write'; busyTimeoutMs?: number }
  | { op: 'query'; handle: number; sql: string; params: unknown[] }
  | { op: 'run'; handle: number; sql: string; params: unknown[] }
  | { op: 'exec'; handle: number; sql: string }
  | { op: 'pragma'; handle: number; pragma: string }
  | { op: 'introspect'; handle: number }
  | { op: 'inTransaction'; handle: number }
  | { op: 'close'; handle: number }
  /** Holds a read transaction (SHARED lock, or a pinned WAL snapshot) while the main thread copies the file. */
  | { op: 'readLock'; file: string; busyTimeoutMs: number }
  /** Folds a copied WAL into the copy, which becomes a rollback-journal database. */
  | { op: 'foldWal'; file: string }
  /** One attempt, never waiting, at the exclusive lock that keeps every other connection out. */
  | { op: 'tryExclusive'; file: string }
  | { op: 'integrity'; file: string; level: 'quick' | 'full'; maxErrors: number }
  /** Reads `length` bytes of `file` at `start` here and returns them as one zstd frame (one thread per frame). */
  | { op: 'compressRange'; file: string; start: number; length: number; level: number }
  /** Reads one frame of `file` here, decompresses it, and writes the bytes into `into` at `intoOffset`. */
  | { op: 'decompressRange'; file: string; start: number; compressedBytes: number; contentBytes: number; into: string; intoOffset: number }
  /** Closes the file this thread's `decompressRange` calls wrote into (the import is done with it). */
  | { op: 'closeOutput'; file: string }
  | { op: 'hashRange'; file: string; start: number; end: number };

export type ThreadMessage = ThreadRequest & { id: number };

export interface ThreadReply {
  id: number;
  ok: boolean;
  result?: unknown;
  error?: { name: string; message: string; code?: string };
}

/** What `integrity` reports: SQLite's own messages, and the tables the damaged pages belong to. */
export interface IntegrityReport {
  ok: boolean;
  level: 'quick' | 'full';
  messages: string[];
  /** Tables (or indexes, named with their table) whose b-tree the messages point at. */
  tables: string[];
  durationMs: number;
}

export interface ExclusiveAttempt {
  locked: boolean;
  /** Handle of the connection holding the lock, when locked. */
  handle?: number;
  journalMode: string;
}
