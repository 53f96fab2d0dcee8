import * as path from 'node:path';
import { startCluster } from '../server/cluster/cluster';
import { variables } from '../server/cluster/profile';

/**
 * `npm run cluster:start`: Temporal Server on PostgreSQL with its services in separate
 * processes and mutual TLS (server/cluster/). Idempotent: run it again and it starts only what
 * is not running. Prints how to point dbmove at it.
 */
const log = (line: string) => process.stderr.write(`${line}\n`);

startCluster(log)
  .then((cluster) => {
    const rel = path.relative(process.cwd(), cluster.profileFile) || cluster.profileFile;
    const env = variables(cluster.layout, 'dbmove-worker');
    process.stdout.write(
      [
        '',
        `dbmove's profile for this cluster: ${rel}`,
        `  DBMOVE_TEMPORAL_CONFIG=${cluster.profileFile} npx dbmove worker`,
        `  DBMOVE_TEMPORAL_CONFIG=${cluster.profileFile} npx dbmove refresh --source prod --target uat --wait`,
        "or the same with variables (here with the workers' own certificate):",
        ...Object.entries(env).map(([k, v]) => `  export ${k}=${v}`),
        `Logs: ${cluster.layout.logsDir}   Stop: npm run cluster:stop`,
        '',
      ].join('\n'),
    );
  })
  .catch((err: Error) => {
    log(`dbmove cluster: ${err.message}`);
    process.exit(1);
  });
