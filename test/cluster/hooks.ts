import { isClusterRunning, startCluster, stopCluster } from '../../server/cluster/cluster';
import { closeClusterClient, setCluster } from './support';

/**
 * Root hooks of `npm run test:cluster` (test/cluster/mocharc.json): the production-like cluster
 * (server/cluster/) for the whole suite, started exactly as `npm run cluster:start` starts it.
 * A cluster that was already running is reused and left running; one started here is stopped
 * at the end unless DBMOVE_CLUSTER_KEEP=1.
 */
let startedHere = false;
const log = (line: string) => process.stderr.write(`  [cluster] ${line}\n`);

export const mochaHooks = {
  async beforeAll(this: Mocha.Context) {
    this.timeout(30 * 60_000); // building Temporal Server on a machine with empty Go caches takes minutes
    startedHere = !(await isClusterRunning());
    try {
      setCluster(await startCluster(log));
    } catch (err) {
      // Half a cluster (PostgreSQL up, a service refused) must not outlive a failed run.
      if (startedHere) await stopCluster(log);
      throw err;
    }
  },
  async afterAll(this: Mocha.Context) {
    this.timeout(120_000);
    await closeClusterClient();
    if (startedHere && process.env.DBMOVE_CLUSTER_KEEP !== '1') await stopCluster(log);
  },
};
