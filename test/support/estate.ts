import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import Database from 'better-sqlite3';
import { createDemoEstate } from '../../demo/estate';
import { findEnvironment, loadCatalog, LoadedCatalog, type LocalEnvironment } from '../../config/catalog';
import { packageRoot } from '../../config/package-root';

export interface TestEstate {
  home: string;
  catalogFile: string;
  stateDir: string;
  catalog(): LoadedCatalog;
  /** A demo environment's catalog entry (all of them use the embedded engine). */
  environment(env: string): LocalEnvironment;
  database(env: string): string;
  /** Rewrites the catalog through `edit` (for tests that change settings). */
  editCatalog(edit: (catalog: any) => void): void;
}

function localEnvironment(catalog: LoadedCatalog, name: string): LocalEnvironment {
  const env = findEnvironment(catalog, name);
  if (env.engine !== 'local') throw new Error(`${name} is not an embedded (local) environment`);
  return env;
}

/**
 * A fresh demo estate in its own directory under .tmp/tests. The demo catalog names an
 * application server per sandbox; a test that does not start them (test/support/app-servers.ts)
 * gets the catalog without them, so SWAP has no services to stop and start.
 */
export function createTestEstate(rows = 3000, name = 'estate', options: { application?: boolean } = {}): TestEstate {
  const home = path.join(packageRoot(), '.tmp', 'tests', `${name}-${crypto.randomBytes(4).toString('hex')}`);
  fs.mkdirSync(home, { recursive: true });
  createDemoEstate({ home, rows });
  const catalogFile = path.join(home, 'environments.json');
  if (!options.application) {
    const raw = JSON.parse(fs.readFileSync(catalogFile, 'utf8'));
    for (const env of raw.environments) delete env.application;
    fs.writeFileSync(catalogFile, JSON.stringify(raw, null, 2));
  }
  return {
    home,
    catalogFile,
    stateDir: path.join(home, 'state'),
    catalog: () => loadCatalog(catalogFile),
    environment: (env) => localEnvironment(loadCatalog(catalogFile), env),
    database: (env) => localEnvironment(loadCatalog(catalogFile), env).database.path,
    editCatalog(edit) {
      const raw = JSON.parse(fs.readFileSync(catalogFile, 'utf8'));
      edit(raw);
      fs.writeFileSync(catalogFile, JSON.stringify(raw, null, 2));
    },
  };
}

export function fileSha256(file: string): string {
  return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

export interface TableChecksum {
  rows: number;
  sha256: string;
}

/** Content checksums per table (rows in rowid order), independent of file layout. */
export function tableChecksums(file: string, only?: string[]): Record<string, TableChecksum> {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const all = (db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`).all() as { name: string }[]).map(
      (t) => t.name,
    );
    // A table asked for by a name the database does not have would compare as equal to nothing.
    for (const name of only ?? [])
      if (!all.includes(name)) throw new Error(`${file} has no table ${name} (tables are named as in AxDB: ${all.slice(0, 5).join(', ')}, ...)`);
    const tables = all.filter((t) => !only || only.includes(t));
    const result: Record<string, TableChecksum> = {};
    for (const table of tables) {
      const hash = crypto.createHash('sha256');
      let rows = 0;
      for (const row of db.prepare(`SELECT * FROM "${table}" ORDER BY rowid`).iterate()) {
        hash.update(JSON.stringify(row, (_k, v) => (Buffer.isBuffer(v) ? v.toString('base64') : v)));
        rows++;
      }
      result[table] = { rows, sha256: hash.digest('hex') };
    }
    return result;
  } finally {
    db.close();
  }
}

/** Runs a read-only query against a demo database. */
export function query<T = Record<string, unknown>>(file: string, sql: string, ...params: unknown[]): T[] {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return db.prepare(sql).all(...params) as T[];
  } finally {
    db.close();
  }
}

/** Changes a demo database (test set-up only: making an environment fail a check). */
export function mutate(file: string, sql: string, ...params: unknown[]): void {
  const db = new Database(file, { fileMustExist: true });
  try {
    db.prepare(sql).run(...params);
  } finally {
    db.close();
  }
}
