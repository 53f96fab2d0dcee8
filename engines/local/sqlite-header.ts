import * as fs from 'node:fs';

/**
 * The 100-byte header of a SQLite database file (https://sqlite.org/fileformat2.html, 1.3):
 * enough to refuse a file that is not a database or has been cut short, in microseconds and
 * before anything opens it.
 */
export interface SqliteHeader {
  bytes: number;
  pageSize?: number;
  /** Pages the header says the file has (when its "version-valid-for" matches). */
  pageCount?: number;
  /** Incremented on every commit in rollback-journal mode. */
  changeCounter?: number;
  wal?: boolean;
  /** Why the file cannot be a complete database, when it cannot. */
  problem?: string;
}

export async function readSqliteHeader(file: string): Promise<SqliteHeader> {
  let handle: fs.promises.FileHandle;
  try {
    handle = await fs.promises.open(file, 'r');
  } catch (err) {
    return { bytes: 0, problem: `${file} cannot be opened (${(err as NodeJS.ErrnoException).code})` };
  }
  try {
    const { size } = await handle.stat();
    const head = Buffer.alloc(100);
    const { bytesRead } = await handle.read(head, 0, 100, 0);
    if (bytesRead < 100 || head.toString('latin1', 0, 16) !== 'SQLite format 3\0') {
      return { bytes: size, problem: `${file} is not a SQLite database (its header is ${bytesRead < 100 ? 'missing' : 'not SQLite’s'})` };
    }
    const raw = head.readUInt16BE(16);
    const pageSize = raw === 1 ? 65536 : raw;
    const changeCounter = head.readUInt32BE(24);
    const validFor = head.readUInt32BE(92);
    const pageCount = validFor === changeCounter ? head.readUInt32BE(28) : undefined;
    const wal = head[18] === 2 && head[19] === 2;
    const header: SqliteHeader = { bytes: size, pageSize, pageCount, changeCounter, wal };
    if (pageCount !== undefined && size < pageCount * pageSize) {
      header.problem = `${file} is cut short: its header says ${pageCount} pages of ${pageSize} bytes (${pageCount * pageSize} bytes), but the file has ${size} bytes`;
    } else if (size % pageSize !== 0) {
      header.problem = `${file} is damaged: its size (${size} bytes) is not a whole number of ${pageSize}-byte pages`;
    }
    return header;
  } finally {
    await handle.close();
  }
}
