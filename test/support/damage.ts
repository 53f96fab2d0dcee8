import * as fs from 'node:fs';
import Database from 'better-sqlite3';

/**
 * Damage as it happens to real database files, for the reliability tests: a page of a table
 * overwritten with zeros (a failed write, a bad sector), and a file cut short (a copy that
 * stopped, a full disk).
 */
export function zeroLeafPage(file: string, table: string, nth = 1): number {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  let page: number;
  let pageSize: number;
  try {
    const leaf = db.prepare("SELECT pageno FROM dbstat WHERE name = ? AND pagetype = 'leaf' ORDER BY pageno LIMIT 1 OFFSET ?").get(table, nth) as
      { pageno: number } | undefined;
    if (!leaf) throw new Error(`${table} has fewer than ${nth + 1} leaf pages in ${file}`);
    page = leaf.pageno;
    pageSize = Number(db.pragma('page_size', { simple: true }));
  } finally {
    db.close();
  }
  const fd = fs.openSync(file, 'r+');
  try {
    fs.writeSync(fd, Buffer.alloc(pageSize), 0, pageSize, (page - 1) * pageSize);
  } finally {
    fs.closeSync(fd);
  }
  return page;
}

export function cutShort(file: string, keepFraction = 0.6): void {
  const size = fs.statSync(file).size;
  fs.truncateSync(file, Math.floor((size * keepFraction) / 4096) * 4096);
}
