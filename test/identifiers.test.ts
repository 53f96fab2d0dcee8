import { expect } from 'chai';
import { sqliteDialect } from '../engines/local/sqlite-dialect';
import { openSqlite, SqliteSession } from '../engines/local/sqlite-session';
import { quoteDatabase, tsqlDialect } from '../engines/tsql/tsql-dialect';
import { renderCondition } from '../activities/policy/render-condition';
import { createTestEstate, fileSha256, tableChecksums } from './support/estate';

/**
 * Names are validated and quoted by every engine's dialect; values are always bound. The
 * T-SQL dialect is exercised as SQL text only (no SQL Server here); SQLite runs for real.
 */

const INJECTIONS = ['USERINFO; DROP TABLE USERINFO;--', 'ID" OR 1=1 --', 'ID] OR 1=1 --', "a'b", 'x y', '', 'a'.repeat(129)];

describe('identifiers are validated and quoted, values are bound', () => {
  it('every dialect refuses a malformed identifier instead of quoting it', () => {
    for (const dialect of [sqliteDialect, tsqlDialect]) {
      for (const name of INJECTIONS) expect(() => dialect.quote(name), `${dialect.name} ${name}`).to.throw(/Invalid identifier/);
      expect(dialect.quote('USERINFO')).to.equal(dialect.name === 'sqlite' ? '"USERINFO"' : '[USERINFO]');
    }
    for (const name of ['db]; DROP DATABASE x;--', "db'", 'a b']) expect(() => quoteDatabase(name)).to.throw(/Invalid database name/);
  });

  it('renders policy conditions with every value as a parameter, in both dialects', () => {
    const hostile = "x'); DROP TABLE USERINFO;--";
    for (const dialect of [sqliteDialect, tsqlDialect]) {
      const params: unknown[] = [];
      const sql = renderCondition(
        dialect,
        {
          any: [
            { column: 'ID', equals: hostile },
            { column: 'NETWORKALIAS', like: `%${hostile}%` },
            { column: 'ID', in: [hostile, 'b'] },
          ],
        },
        params,
      );
      expect(sql, dialect.name).to.not.contain('DROP');
      expect(params).to.deep.equal([hostile, `%${hostile}%`, hostile, 'b']);
      expect(() => renderCondition(dialect, { column: 'ID; DROP TABLE x', equals: 1 }, [])).to.throw(/Invalid identifier/);
    }
  });

  it('a hostile value bound against a real SQLite database matches nothing and changes nothing', async () => {
    const estate = createTestEstate(300, 'identifiers');
    const file = estate.database('uat');
    const before = { sha: fileSha256(file), tables: tableChecksums(file) };
    const session = new SqliteSession(openSqlite(file, 'read-only'), 'uat (test)');
    try {
      for (const value of ["Admin' OR '1'='1", "x'); DROP TABLE USERINFO;--"]) {
        const params: unknown[] = [];
        const where = renderCondition(sqliteDialect, { column: 'ID', equals: value }, params);
        expect(await session.query(`SELECT COUNT(*) AS n FROM ${sqliteDialect.quote('USERINFO')} WHERE ${where}`, params)).to.deep.equal([{ n: 0 }]);
      }
    } finally {
      await session.close();
    }
    expect({ sha: fileSha256(file), tables: tableChecksums(file) }).to.deep.equal(before);
  });
});
