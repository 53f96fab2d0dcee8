import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ClusterLayout } from './layout';
import { mustRun, runCommand } from './run-command';

/**
 * A private PostgreSQL instance for the cluster: its own data folder, port and socket under
 * the cluster's state, started with pg_ctl, so it depends on no system service and never
 * touches a PostgreSQL the machine already runs. Debian's `postgresql` package provides the
 * binaries (under /usr/lib/postgresql/<version>/bin, not on PATH).
 *
 * PostgreSQL refuses to run as root, so when we are root the instance runs as the `postgres`
 * account the package creates. It listens on 127.0.0.1 only; the `temporal` role signs in with
 * a generated password (scram-sha-256) and the superuser only through the socket folder, which
 * only the instance's owner can open.
 */
export interface PostgresBinaries {
  initdb: string;
  pgCtl: string;
  psql: string;
}

const INSTALL_FIX =
  'install PostgreSQL (Debian: apt-get update && apt-get install -y postgresql), or set DBMOVE_POSTGRES_BIN to the folder holding initdb, pg_ctl and psql';

export function postgresBinaries(env: NodeJS.ProcessEnv = process.env): PostgresBinaries {
  const candidates: string[] = [];
  if (env.DBMOVE_POSTGRES_BIN) candidates.push(env.DBMOVE_POSTGRES_BIN);
  const debian = '/usr/lib/postgresql';
  if (fs.existsSync(debian)) {
    // Newest major version first, if several are installed.
    const versions = fs
      .readdirSync(debian)
      .filter((v) => /^\d+$/.test(v))
      .sort((a, b) => Number(b) - Number(a));
    candidates.push(...versions.map((v) => path.join(debian, v, 'bin')));
  }
  candidates.push(...(env.PATH ?? '').split(path.delimiter).filter(Boolean));
  for (const dir of candidates) {
    const found = { initdb: path.join(dir, 'initdb'), pgCtl: path.join(dir, 'pg_ctl'), psql: path.join(dir, 'psql') };
    if (Object.values(found).every((f) => fs.existsSync(f))) return found;
  }
  throw new Error(
    `PostgreSQL's server programs (initdb, pg_ctl, psql) were not found in ${candidates.slice(0, 3).join(', ') || 'any folder'} or on PATH. Fix: ${INSTALL_FIX}`,
  );
}

interface Account {
  uid?: number;
  gid?: number;
  name: string;
}

/** Who the instance runs as: ourselves, or the `postgres` account when we are root. */
export function postgresAccount(): Account {
  if (process.getuid?.() !== 0) return { name: 'the current user' };
  const line = fs
    .readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('postgres:'));
  if (!line) {
    throw new Error(
      `PostgreSQL refuses to run as root and there is no "postgres" account to run it as. Fix: ${INSTALL_FIX} (the package creates the account), or start the cluster as a non-root user`,
    );
  }
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid), name: 'postgres' };
}

function asAccount(account: Account) {
  // A minimal environment: the server's messages in English whatever the machine's locale.
  return { uid: account.uid, gid: account.gid, env: { PATH: process.env.PATH, LC_ALL: 'C', LANG: 'C' } };
}

function ownedDir(dir: string, account: Account, mode: number): void {
  fs.mkdirSync(dir, { recursive: true, mode });
  fs.chmodSync(dir, mode);
  if (account.uid !== undefined) fs.chownSync(dir, account.uid, account.gid!);
}

export function isInitialized(layout: ClusterLayout): boolean {
  return fs.existsSync(path.join(layout.postgresData, 'PG_VERSION'));
}

async function initialize(layout: ClusterLayout, bin: PostgresBinaries, account: Account, log: (line: string) => void): Promise<void> {
  log(`Creating a PostgreSQL instance in ${layout.postgresData} (runs as ${account.name})`);
  ownedDir(layout.postgresDir, account, 0o700);
  await mustRun(
    'initdb',
    bin.initdb,
    ['-D', layout.postgresData, '-U', 'postgres', '--auth-local=trust', '--auth-host=scram-sha-256', '-E', 'UTF8', '--locale=C'],
    `if it says "Permission denied", the ${account.name} account cannot reach ${layout.postgresDir}: give its parent folders o+x, or set DBMOVE_CLUSTER_STATE to a folder it can reach`,
    asAccount(account),
  );
}

export async function isPostgresRunning(layout: ClusterLayout): Promise<boolean> {
  if (!isInitialized(layout)) return false;
  const bin = postgresBinaries();
  // pg_ctl status: 0 running, 3 not running, 4 no data folder.
  return (await runCommand(bin.pgCtl, ['status', '-D', layout.postgresData], asAccount(postgresAccount()))).code === 0;
}

export async function startPostgres(layout: ClusterLayout, log: (line: string) => void): Promise<void> {
  const bin = postgresBinaries();
  const account = postgresAccount();
  if (!isInitialized(layout)) await initialize(layout, bin, account, log);
  if (await isPostgresRunning(layout)) return;
  ownedDir(layout.postgresSocketDir, account, 0o700);
  log(`Starting PostgreSQL on 127.0.0.1:${layout.postgresPort}`);
  const options = `-p ${layout.postgresPort} -k ${layout.postgresSocketDir} -c listen_addresses=127.0.0.1`;
  await mustRun(
    'Starting PostgreSQL',
    bin.pgCtl,
    ['start', '-w', '-t', '60', '-D', layout.postgresData, '-l', layout.postgresLog, '-o', options],
    `read ${layout.postgresLog}; if the port is taken, set DBMOVE_CLUSTER_PORT_BASE (PostgreSQL uses base+20)`,
    asAccount(account),
  );
}

/** Fast shutdown: open transactions are rolled back and clients disconnected, as in a failover. */
export async function stopPostgres(layout: ClusterLayout): Promise<boolean> {
  if (!(await isPostgresRunning(layout))) return false;
  await mustRun(
    'Stopping PostgreSQL',
    postgresBinaries().pgCtl,
    ['stop', '-w', '-t', '60', '-m', 'fast', '-D', layout.postgresData],
    `read ${layout.postgresLog}`,
    asAccount(postgresAccount()),
  );
  return true;
}

/**
 * The `temporal` role, with the password kept in the cluster's state (0600, git-ignored).
 * Applied on every start, so a lost password file just means a new password.
 */
export async function ensureTemporalRole(layout: ClusterLayout): Promise<string> {
  let password: string;
  try {
    password = fs.readFileSync(layout.sqlPasswordFile, 'utf8').trim();
  } catch {
    password = crypto.randomBytes(24).toString('hex');
    fs.mkdirSync(path.dirname(layout.sqlPasswordFile), { recursive: true, mode: 0o700 });
    fs.writeFileSync(layout.sqlPasswordFile, `${password}\n`, { mode: 0o600 });
  }
  // Hex only, so it can sit in a SQL literal; sent on standard input, never on a command line.
  if (!/^[0-9a-f]{16,}$/.test(password))
    throw new Error(`${layout.sqlPasswordFile} does not hold a generated password. Fix: delete it and start the cluster again`);
  const sql = `DO $$ BEGIN
  IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'temporal') THEN ALTER ROLE temporal WITH LOGIN CREATEDB PASSWORD '${password}';
  ELSE CREATE ROLE temporal WITH LOGIN CREATEDB PASSWORD '${password}'; END IF;
END $$;`;
  await mustRun(
    'Creating the temporal database role',
    postgresBinaries().psql,
    ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-h', layout.postgresSocketDir, '-p', String(layout.postgresPort), '-U', 'postgres', '-d', 'postgres'],
    `read ${layout.postgresLog}`,
    { ...asAccount(postgresAccount()), input: sql },
  );
  return password;
}
