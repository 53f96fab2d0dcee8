import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { introspectSqlite } from '../sqlite-introspect';
import { openSqlite } from '../sqlite-open';
import { writeAllSync } from '../write-pieces';
import type { ExclusiveAttempt, IntegrityReport, ThreadMessage, ThreadReply } from './thread-protocol';

/**
 * A database thread of the local engine (a Node worker thread). SQLite through better-sqlite3
 * is synchronous: a statement holds the thread that runs it until it is done. Here that thread
 * is this one, never the worker's event loop, which stays free for heartbeats, workflow tasks
 * and every other operation. The same threads compress and decompress backup frames.
 */
// Below the event loop in the scheduler's eyes: on Linux a thread has its own nice value, so
// database work takes whatever CPU is spare and never starves the thread that heartbeats and
// runs workflow tasks (measured: 20 refreshes at once stalled it for 0.5 s at equal priority).
// Codec threads (backup frames: the whole of PACKAGE's work) keep their priority.
if ((workerData as { nice?: boolean } | undefined)?.nice) {
  try {
    os.setPriority(10);
  } catch {
    /* not permitted here: equal priority, as before */
  }
}

const connections = new Map<number, Database.Database>();
let nextHandle = 1;

function open(file: string, access: 'read-only' | 'read-write', busyTimeoutMs = 10_000): Database.Database {
  return openSqlite(file, access, busyTimeoutMs);
}

function keep(db: Database.Database): number {
  const handle = nextHandle++;
  connections.set(handle, db);
  return handle;
}

function connection(handle: number): Database.Database {
  const db = connections.get(handle);
  if (!db) throw new Error(`dbmove bug: database handle ${handle} is not open in this thread`);
  return db;
}

/** Buffers cross threads as plain Uint8Arrays; SQLite binds only Buffers as blobs. */
function bindable(params: unknown[]): unknown[] {
  return params.map((p) => (p instanceof Uint8Array && !Buffer.isBuffer(p) ? Buffer.from(p.buffer, p.byteOffset, p.byteLength) : p));
}

function integrity(file: string, level: 'quick' | 'full', maxErrors: number): IntegrityReport {
  const started = performance.now();
  const db = open(file, 'read-only', 30_000);
  try {
    const pragma = level === 'quick' ? 'quick_check' : 'integrity_check';
    let messages: string[];
    try {
      messages = (db.prepare(`PRAGMA ${pragma}(${Math.max(1, maxErrors)})`).all() as Record<string, string>[]).map((r) => String(Object.values(r)[0]));
    } catch (err) {
      // Some damage (a zeroed page) stops the check itself with SQLITE_CORRUPT: that is its verdict.
      if (!String((err as { code?: string }).code).startsWith('SQLITE_CORRUPT')) throw err;
      messages = [(err as Error).message];
    }
    const ok = messages.length === 1 && messages[0] === 'ok';
    const tables: string[] = [];
    if (!ok) {
      // SQLite checks one table (and its indexes) at a time when named: that names the damage.
      let names: string[] = [];
      try {
        names = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[]).map((r) => r.name);
      } catch {
        names = [];
      }
      for (const name of names) {
        try {
          const rows = db.prepare(`PRAGMA ${pragma}("${name.replace(/"/g, '""')}")`).all() as Record<string, string>[];
          if (!(rows.length === 1 && Object.values(rows[0])[0] === 'ok')) tables.push(name);
        } catch {
          tables.push(name);
        }
      }
    }
    return { ok, level, messages: ok ? [] : messages, tables, durationMs: performance.now() - started };
  } finally {
    db.close();
  }
}

/** Exclusive access without waiting: a failed attempt leaves no lock behind, so new connections are never refused meanwhile. */
function tryExclusive(file: string): ExclusiveAttempt {
  const db = open(file, 'read-write', 0);
  let journalMode = 'unknown';
  try {
    journalMode = String(db.pragma('journal_mode', { simple: true })).toLowerCase();
    if (journalMode === 'wal') {
      // In WAL mode a write lock does not keep readers out; locking_mode EXCLUSIVE does, once
      // the first read takes the database file's lock, and it fails at once while anyone reads.
      db.pragma('locking_mode = EXCLUSIVE');
    }
    db.exec('BEGIN EXCLUSIVE');
    if (journalMode === 'wal') {
      // Exclusive locking mode keeps the lock after the transaction, which must end before
      // the journal mode can change.
      db.prepare('SELECT COUNT(*) FROM sqlite_master').get();
      db.exec('COMMIT');
    }
    return { locked: true, handle: keep(db), journalMode };
  } catch (err) {
    if (db.open) db.close();
    const code = (err as { code?: string }).code ?? '';
    if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) return { locked: false, journalMode };
    throw err;
  }
}

function hashRange(file: string, start: number, end: number): string {
  const hash = crypto.createHash('sha256');
  const fd = fs.openSync(file, 'r');
  try {
    const buffer = Buffer.allocUnsafe(4 << 20);
    let position = start;
    while (position < end) {
      const read = fs.readSync(fd, buffer, 0, Math.min(buffer.length, end - position), position);
      if (read === 0) break;
      hash.update(buffer.subarray(0, read));
      position += read;
    }
  } finally {
    fs.closeSync(fd);
  }
  return hash.digest('hex');
}

// zstd (the library's own context API, through zstd-napi's binding) is loaded on first use: a
// thread that only runs SQL never needs it. A codec thread keeps one context and one input and
// one output buffer for its whole life, as the zstd command does: a fresh 8 MiB buffer per frame
// costs more in page faults than the frame costs to decompress.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const loadZstd = () => require('zstd-napi/binding') as typeof import('zstd-napi/binding');
let zstd: ReturnType<typeof loadZstd> | undefined;
let cctx: InstanceType<ReturnType<typeof loadZstd>['CCtx']> | undefined;
let cctxLevel = 0;
let dctx: InstanceType<ReturnType<typeof loadZstd>['DCtx']> | undefined;
const buffers: { input?: Buffer; output?: Buffer } = {};

/** A buffer of at least `bytes` kept for the thread's life (grown when a frame needs more). */
function reusable(which: 'input' | 'output', bytes: number): Buffer {
  const current = buffers[which];
  if (current && current.length >= bytes) return current;
  const fresh = Buffer.allocUnsafeSlow(Math.max(bytes, current?.length ?? 0));
  buffers[which] = fresh;
  return fresh;
}

/** One zstd frame of `length` bytes of `file` at `start`, on this thread: the codec pool runs one frame per core. */
function compressRange(file: string, start: number, length: number, level: number): Uint8Array {
  zstd ??= loadZstd();
  if (!cctx || cctxLevel !== level) {
    cctx = new zstd.CCtx();
    // The frame carries its content size and zstd's own checksum, so `zstd -d` checks it too.
    cctx.setParameter(zstd.CParameter.compressionLevel, level);
    cctx.setParameter(zstd.CParameter.checksumFlag, 1);
    cctx.setParameter(zstd.CParameter.contentSizeFlag, 1);
    cctxLevel = level;
  }
  const input = readExactly(file, start, length, reusable('input', length));
  const output = reusable('output', zstd.compressBound(length));
  const written = cctx.compress2(output, input);
  // The output buffer is reused: send a copy of exactly the frame.
  return new Uint8Array(output.subarray(0, written));
}

/** Decompresses one frame of `file` (zstd checks the frame's checksum) and writes it into `into` at `intoOffset`. */
function decompressRange(file: string, start: number, compressedBytes: number, contentBytes: number, into: string, intoOffset: number): void {
  zstd ??= loadZstd();
  dctx ??= new zstd.DCtx();
  const frame = readExactly(file, start, compressedBytes, reusable('input', compressedBytes));
  const data = reusable('output', contentBytes).subarray(0, contentBytes);
  const written = dctx.decompress(data, frame);
  if (written !== contentBytes)
    throw Object.assign(new Error(`a frame decompressed to ${written} bytes where the manifest says ${contentBytes}`), { code: 'DBMOVE_FRAME' });
  writeAt(into, data, intoOffset);
}

/** Reads exactly `length` bytes of `file` at `start` into `into`, or says the file changed under it. */
function readExactly(file: string, start: number, length: number, into: Buffer): Buffer {
  const buffer = into.subarray(0, length);
  const fd = fs.openSync(file, 'r');
  try {
    let done = 0;
    while (done < length) {
      const read = fs.readSync(fd, buffer, done, length - done, start + done);
      if (read === 0)
        throw Object.assign(new Error(`${file} ended at ${start + done} bytes, before the ${start + length} expected: it changed while it was read`), {
          code: 'DBMOVE_SHORT_READ',
        });
      done += read;
    }
  } finally {
    fs.closeSync(fd);
  }
  return buffer;
}

/**
 * The file this codec thread is writing frames into, kept open from its first frame until the
 * import says it is done (`closeOutput`): closing a file after every 8 MiB write measured up to
 * three times slower on ext4 than writing through one descriptor, as the zstd command does.
 */
let output: { file: string; fd: number } | undefined;

function closeOutput(file?: string): void {
  if (!output || (file !== undefined && output.file !== file)) return;
  fs.closeSync(output.fd);
  output = undefined;
}

function writeAt(file: string, data: Uint8Array, offset: number): void {
  if (output?.file !== file) {
    closeOutput();
    output = { file, fd: fs.openSync(file, 'r+') };
  }
  writeAllSync(output.fd, data, offset);
}

function handle(message: ThreadMessage): { result: unknown; transfer?: ArrayBuffer[] } {
  switch (message.op) {
    case 'open':
      return { result: keep(open(message.file, message.access, message.busyTimeoutMs)) };
    case 'query':
      return {
        result: connection(message.handle)
          .prepare(message.sql)
          .all(...bindable(message.params)),
      };
    case 'run':
      return {
        result: connection(message.handle)
          .prepare(message.sql)
          .run(...bindable(message.params)).changes,
      };
    case 'exec':
      connection(message.handle).exec(message.sql);
      return { result: undefined };
    case 'pragma':
      return { result: connection(message.handle).pragma(message.pragma, { simple: true }) };
    case 'introspect':
      return { result: introspectSqlite(connection(message.handle)) };
    case 'inTransaction':
      return { result: connection(message.handle).inTransaction };
    case 'close': {
      const db = connections.get(message.handle);
      connections.delete(message.handle);
      if (db?.open) {
        if (db.inTransaction) db.exec('ROLLBACK');
        db.close();
      }
      return { result: undefined };
    }
    case 'readLock': {
      const db = open(message.file, 'read-only', message.busyTimeoutMs);
      try {
        const journalMode = String(db.pragma('journal_mode', { simple: true })).toLowerCase();
        db.exec('BEGIN');
        // The first read takes the SHARED lock (rollback mode) or pins the snapshot (WAL mode).
        db.prepare('SELECT COUNT(*) FROM sqlite_master').get();
        return { result: { handle: keep(db), journalMode } };
      } catch (err) {
        db.close();
        throw err;
      }
    }
    case 'foldWal': {
      const db = new Database(message.file);
      try {
        // No fsync inside SQLite here: the caller fsyncs the whole file when it needs it durable.
        db.pragma('synchronous = OFF');
        db.pragma('wal_checkpoint(TRUNCATE)');
        db.pragma('journal_mode = DELETE');
      } finally {
        db.close();
      }
      return { result: undefined };
    }
    case 'tryExclusive':
      return { result: tryExclusive(message.file) };
    case 'integrity':
      return { result: integrity(message.file, message.level, message.maxErrors) };
    case 'hashRange':
      return { result: hashRange(message.file, message.start, message.end) };
    case 'compressRange': {
      // One frame per thread, single-threaded in zstd: the codec threads together are zstd -T0.
      const frame = compressRange(message.file, message.start, message.length, message.level);
      return { result: frame, transfer: [frame.buffer as ArrayBuffer] };
    }
    case 'closeOutput':
      closeOutput(message.file);
      return { result: undefined };
    case 'decompressRange':
      decompressRange(message.file, message.start, message.compressedBytes, message.contentBytes, message.into, message.intoOffset);
      return { result: undefined };
  }
}

parentPort?.on('message', (message: ThreadMessage) => {
  let reply: ThreadReply;
  let transfer: ArrayBuffer[] | undefined;
  try {
    const done = handle(message);
    reply = { id: message.id, ok: true, result: done.result };
    transfer = done.transfer;
  } catch (err) {
    const e = err as Error & { code?: string };
    reply = { id: message.id, ok: false, error: { name: e.name, message: e.message, code: e.code } };
  }
  parentPort!.postMessage(reply, transfer ?? []);
});
