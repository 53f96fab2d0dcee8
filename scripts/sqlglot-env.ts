import { spawnSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { packageRoot } from '../config/package-root';

/**
 * The Python environment of the T-SQL parser check (test/tsql-sqlglot.test.ts): a virtualenv
 * in .cache/sqlglot/ (git-ignored) holding sqlglot at the version and hash pinned in
 * scripts/sqlglot/requirements.txt, installed from PyPI with --require-hashes. `npm run
 * sqlglot` (which CI runs) creates it; the test creates it too when it is missing, and fails,
 * never skips, when it cannot: no Python 3.9+, no venv module, no PyPI.
 */
export const SQLGLOT_DIR = path.join(packageRoot(), 'scripts', 'sqlglot');
const REQUIREMENTS = path.join(SQLGLOT_DIR, 'requirements.txt');
const HOME = path.join(packageRoot(), '.cache', 'sqlglot');
const VENV = path.join(HOME, 'venv');
/** What was installed: the hash of the requirements file, so that a new pin reinstalls. */
const STAMP = path.join(HOME, 'installed.sha256');

export const CHECKER = path.join(SQLGLOT_DIR, 'check_tsql.py');

function venvPython(): string {
  return process.platform === 'win32' ? path.join(VENV, 'Scripts', 'python.exe') : path.join(VENV, 'bin', 'python');
}

function run(command: string, args: string[]): { ok: boolean; output: string } {
  const result = spawnSync(command, args, { encoding: 'utf8' });
  return { ok: result.status === 0, output: `${result.error?.message ?? ''}${result.stdout ?? ''}${result.stderr ?? ''}`.trim() };
}

export class SqlglotUnavailable extends Error {}

/** The virtualenv's Python with the pinned sqlglot, created first when missing or out of date. */
export function ensureSqlglot(log: (line: string) => void = () => undefined): string {
  const wanted = crypto.createHash('sha256').update(fs.readFileSync(REQUIREMENTS)).digest('hex');
  const python = venvPython();
  if (fs.existsSync(python) && fs.existsSync(STAMP) && fs.readFileSync(STAMP, 'utf8').trim() === wanted) return python;

  const system = process.env.DBMOVE_PYTHON ?? 'python3';
  const version = run(system, ['-c', 'import sys; assert sys.version_info >= (3, 9), sys.version; print(sys.version.split()[0])']);
  if (!version.ok)
    throw new SqlglotUnavailable(
      `The T-SQL parser check needs Python 3.9 or later as \`${system}\` (or DBMOVE_PYTHON): ${version.output || 'not found'}. Install it (Debian: apt-get install python3 python3-venv), then run npm run sqlglot`,
    );
  log(`Creating ${path.relative(packageRoot(), VENV)} with Python ${version.output}`);
  fs.rmSync(VENV, { recursive: true, force: true });
  fs.mkdirSync(HOME, { recursive: true });
  const venv = run(system, ['-m', 'venv', VENV]);
  if (!venv.ok)
    throw new SqlglotUnavailable(
      `Python could not create a virtualenv in ${VENV}: ${venv.output}. Install the venv module (Debian: apt-get install python3-venv), then run npm run sqlglot`,
    );
  log(`Installing ${fs.readFileSync(REQUIREMENTS, 'utf8').match(/^sqlglot==\S+/m)?.[0]} from PyPI (hash-checked)`);
  const pip = run(python, ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '--no-deps', '--require-hashes', '-r', REQUIREMENTS]);
  if (!pip.ok) throw new SqlglotUnavailable(`pip could not install the pinned sqlglot from PyPI: ${pip.output}`);
  fs.writeFileSync(STAMP, `${wanted}\n`);
  return python;
}

if (require.main === module) {
  try {
    process.stdout.write(`${ensureSqlglot((line) => process.stderr.write(`${line}\n`))}\n`);
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    process.exit(1);
  }
}
