import { expect } from 'chai';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Database from 'better-sqlite3';
import { openSqlite } from '../engines/local/sqlite-session';
import { mssqlConnectionFactory, type MssqlModule } from '../engines/tsql/mssql-connection';
import { tsqlDialect } from '../engines/tsql/tsql-dialect';

/**
 * The T-SQL data plane's own behaviour that needs no server: how the mssql adapter reports a
 * failed statement, and the masking hash both engines compute.
 */
describe('T-SQL driver adapter and masking hash', () => {
  it('reports every message of a failed statement, the cause first (mssql raises only the last, the summary)', async () => {
    // A stand-in for the mssql module: the statement fails as SQL Server fails an ALTER DATABASE that cannot lock.
    const cause = Object.assign(new Error('The database could not be exclusively locked to perform the operation.'), { number: 5030 });
    const summary = Object.assign(new Error('ALTER DATABASE statement failed.'), { name: 'RequestError', number: 5069, precedingErrors: [cause] });
    const pool = {
      connect: async () => pool,
      close: async () => undefined,
      request: () => ({ input: () => undefined, query: () => Promise.reject(summary) }),
    };
    const driver = {
      ConnectionPool: function () {
        return pool;
      },
      Transaction: function () {},
      Request: function () {},
    } as unknown as MssqlModule;
    const connect = mssqlConnectionFactory({ secret: () => 'secret', driver });
    const connection = connect({
      environment: 'sqldev',
      host: 'sql-dev01',
      database: 'master',
      authentication: { type: 'sql', userName: 'dbmove', passwordEnv: 'X' },
    });
    const failed = await connection.run('ALTER DATABASE [AxDB] MODIFY NAME = [AxDB_pre]', []).catch((e: Error & { number?: number }) => e);
    expect((failed as Error).message).to.equal(
      'The database could not be exclusively locked to perform the operation. (error 5030) ALTER DATABASE statement failed. (error 5069)',
    );
    expect((failed as { number?: number }).number, 'the number of the cause').to.equal(5030);
    expect((failed as Error).name).to.equal('RequestError');
  });

  it('masks with SHA-256 of the UTF-16LE text on both engines: nvarchar in T-SQL (no UTF-8 collation, which SQL Server 2016 lacks), the same bytes in SQLite', () => {
    const expression = tsqlDialect.hash('[NAME]');
    expect(expression).to.equal("LOWER(CONVERT(varchar(64), HASHBYTES('SHA2_256', CAST([NAME] AS nvarchar(max))), 2))");
    expect(expression).not.to.match(/COLLATE|UTF8/i);

    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'dbmove-hash-')), 'h.sqlite');
    new Database(file).close();
    const db = openSqlite(file, 'read-only');
    try {
      for (const value of ['Müller', 'Contoso Ltd', '株式会社', 'emoji 😀']) {
        const got = (db.prepare('SELECT dbmove_sha256(?) AS h').get(value) as { h: string }).h;
        // What HASHBYTES('SHA2_256', N'...') returns: nvarchar is UTF-16LE, surrogate pairs as two code units.
        expect(got, value).to.equal(crypto.createHash('sha256').update(Buffer.from(value, 'utf16le')).digest('hex'));
      }
    } finally {
      db.close();
    }
  });
});
