import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { packageRoot } from '../config/package-root';
import { CHECKER, ensureSqlglot } from '../scripts/sqlglot-env';

/**
 * Every golden T-SQL file (test/golden/tsql/, the statements dbmove renders for Azure SQL and
 * SQL Server) parsed statement by statement with sqlglot's T-SQL dialect, a far stronger
 * parser than node-sql-parser's transactsql grammar (scripts/sqlglot/check_tsql.py). A
 * statement must parse, or match one of the checker's documented gaps (BACKUP and RESTORE,
 * which sqlglot has no grammar for; ALTER DATABASE, which it reads only as an opaque command;
 * DELETE TOP (n), which it misreads), each listed in docs/engines.md. The Python environment is
 * created on first use (scripts/sqlglot-env.ts); without Python this fails, it never skips.
 */
interface Checked {
  file: string;
  statement: number;
  part: number;
  sql: string;
  status: 'parsed' | 'partly parsed' | 'unparsed' | 'error';
  gap?: string;
  detail?: string;
}
interface Report {
  sqlglot: string;
  gaps: { id: string; action: string; reason: string }[];
  statements: Checked[];
}

const GOLDEN = path.join(packageRoot(), 'test', 'golden', 'tsql');

function check(files: string[], strict = false): Report {
  const python = ensureSqlglot((line) => process.stderr.write(`      ${line}\n`));
  const result = spawnSync(python, [CHECKER, ...(strict ? ['--strict'] : []), ...files], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0) throw new Error(`The sqlglot checker failed: ${result.stderr || result.error?.message}`);
  return JSON.parse(result.stdout) as Report;
}

describe("golden T-SQL parsed by sqlglot's T-SQL parser", function () {
  this.timeout(5 * 60_000);
  let report: Report;
  const files = fs
    .readdirSync(GOLDEN)
    .filter((f) => f.endsWith('.sql'))
    .map((f) => path.join(GOLDEN, f));

  before(() => {
    report = check(files);
  });

  it('parses every statement of every golden file, or the statement matches a documented gap', () => {
    expect(report.sqlglot).to.equal('30.30.0');
    expect(new Set(report.statements.map((s) => path.basename(s.file)))).to.have.property('size', files.length);
    const errors = report.statements.filter((s) => s.status === 'error').map((s) => `${path.basename(s.file)} #${s.statement}: ${s.detail} | ${s.sql}`);
    expect(errors).to.deep.equal([]);
  });

  it('parses the data plane (scrub, sync, post-configuration, verification) whole: only server-level statements have gaps', () => {
    const gaps = report.statements.filter((s) => s.status !== 'parsed');
    for (const s of gaps) {
      if (s.gap === 'delete-top') expect(s.status, s.sql).to.equal('partly parsed');
      // Change tracking is switched off and on for the database itself (ALTER DATABASE CURRENT), around the data plane.
      else if (s.gap === 'alter-database' && /^principals-(scrub|postconfig)\.sql$/.test(path.basename(s.file)))
        expect(s.sql, s.sql).to.match(/ALTER DATABASE CURRENT SET CHANGE_TRACKING = (OFF|ON \(CHANGE_RETENTION = 6 DAYS, AUTO_CLEANUP = ON\))$/);
      else expect(path.basename(s.file), `${s.gap}: ${s.sql}`).to.equal('sqlserver-admin.sql');
    }
    expect(report.statements.filter((s) => s.status === 'parsed').length).to.be.greaterThan(gaps.length * 3);
  });

  it('lists every gap, with its reason, in docs/engines.md', () => {
    const docs = fs.readFileSync(path.join(packageRoot(), 'docs', 'engines.md'), 'utf8');
    for (const gap of report.gaps) expect(docs, `docs/engines.md names the gap ${gap.id}`).to.include(`\`${gap.id}\``);
  });

  it('fails a statement sqlglot cannot parse, one it reads only as an opaque command, and one it misreads (no gap applied)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dbmove-sqlglot-'));
    const file = path.join(dir, 'broken.sql');
    const statements = [
      'SELECT [A] FROM [T] WHERE',
      'GRANT BOGUS ON [T]',
      'DELETE TOP (4000) FROM [T]',
      'BACKUP DATABASE [AxDB] TO DISK = @p0',
      'SELECT [A] FROM [T] WHERE [B] = @p0',
    ];
    fs.writeFileSync(file, ['-- broken', ...statements.map((s) => `${s};\n`)].join('\n'));
    const checked = check([file], true).statements;
    expect(checked.map((s) => s.status)).to.deep.equal(['error', 'error', 'error', 'error', 'parsed']);
    expect(checked[1].detail).to.match(/opaque command/);
    expect(checked[2].detail).to.match(/misread: the tree names \[.?'4000'/);
  });
});
