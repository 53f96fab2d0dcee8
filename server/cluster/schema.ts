import type { ClusterLayout } from './layout';
import { mustRun } from './run-command';
import type { ServerBinaries } from './server-build';

/**
 * The two databases Temporal needs on PostgreSQL, and their schemas, with temporal-sql-tool
 * and the schemas embedded in it (go.temporal.io/server/schema/postgresql/v12/...). Every
 * step is idempotent: an existing database is kept, `setup-schema -v 0.0` only creates the
 * version table, and `update-schema` applies only the versions still missing, which is also
 * how a cluster is upgraded to a newer server.
 */
const DATABASES = [
  { name: 'temporal', schema: 'postgresql/v12/temporal' },
  { name: 'temporal_visibility', schema: 'postgresql/v12/visibility' },
] as const;

export async function applySchemas(layout: ClusterLayout, binaries: ServerBinaries, password: string, log: (line: string) => void): Promise<void> {
  // The password travels in SQL_PASSWORD, which the tool reads, so it never shows in `ps`.
  const env = { ...process.env, SQL_PASSWORD: password };
  const common = ['--plugin', 'postgres12', '--ep', '127.0.0.1', '-p', String(layout.postgresPort), '-u', 'temporal'];
  for (const db of DATABASES) {
    log(`Schema of ${db.name}: ${db.schema} (temporal-sql-tool)`);
    const fix = `read the message above; PostgreSQL's log is ${layout.postgresLog}`;
    await mustRun(`Creating database ${db.name}`, binaries.sqlTool, [...common, '--db', db.name, 'create-database'], fix, { env });
    await mustRun(`Setting up the schema of ${db.name}`, binaries.sqlTool, [...common, '--db', db.name, 'setup-schema', '-v', '0.0'], fix, { env });
    await mustRun(`Updating the schema of ${db.name}`, binaries.sqlTool, [...common, '--db', db.name, 'update-schema', '--schema-name', db.schema], fix, {
      env,
    });
  }
}
