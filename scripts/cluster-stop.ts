import { stopCluster } from '../server/cluster/cluster';

/** `npm run cluster:stop`: stops the cluster's services and its PostgreSQL; its state stays in state/cluster. */
const log = (line: string) => process.stderr.write(`${line}\n`);

stopCluster(log)
  .then(() => log('The cluster is stopped (its data stays in state/cluster; delete that folder to start from nothing)'))
  .catch((err: Error) => {
    log(`dbmove cluster: ${err.message}`);
    process.exit(1);
  });
