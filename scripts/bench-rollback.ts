import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { decide, startOperation } from '../client/operations';
import { followOperation } from '../client/follow';
import { createDemoEstate } from '../demo/estate';
import { startEphemeralServer } from '../server/ephemeral-server';
import { createDbmoveWorker } from '../worker/create-worker';
import type { OperationStatus, Phase, RefreshInput } from '../workflows/types';

/**
 * How long a rollback takes, on a demo estate of the given size (default 1,000,000 rows):
 *
 *   node dist/scripts/bench-rollback.js [rows]
 *
 * 1. before SWAP: DBMOVE_FAULTS=SYNC=fail, refresh, rollback (drops the staging copy);
 * 2. after SWAP: refresh, rollback from AWAITING_SIGNOFF (restores uat's restore point), on a
 *    uat that already holds the full-size data (refreshed and signed off once first).
 * Prints the rollback's own duration (status.rolledBack.durationMs) and the wall time from
 * the decision to ROLLED_BACK. Figures for people, never asserted by CI.
 */
async function main(): Promise<void> {
  const rows = Number(process.argv[2] ?? 1_000_000);
  Runtime.install({ logger: new DefaultLogger('ERROR', () => undefined) });
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'dbmove-bench-rollback-'));
  const env = await startEphemeralServer();
  try {
    createDemoEstate({ home, rows });
    const run = async (faults: string, flow: (refresh: () => ReturnType<typeof startOperation>, waitFor: WaitFor) => Promise<void>) => {
      const taskQueue = `bench-${Math.random().toString(16).slice(2)}`;
      const worker = await createDbmoveWorker({
        connection: env.nativeConnection,
        namespace: 'default',
        taskQueue,
        catalogFile: path.join(home, 'environments.json'),
        stateDir: path.join(home, 'state'),
        env: faults ? { DBMOVE_FAULTS: faults } : {},
      });
      const input: RefreshInput = { source: 'prod', target: 'uat', requestedBy: 'bench', tuning: { initialInterval: '100ms', maximumAttempts: 1 } };
      await worker.runUntil(flow(() => startOperation(env.client, 'refresh', 'refresh', input, { taskQueue }, 'rollback bench'), waitForWith(env)));
    };
    const rollback = async (label: string, handle: Awaited<ReturnType<typeof startOperation>>, waitFor: WaitFor) => {
      const started = performance.now();
      await decide(handle, 'rollback', { by: 'bench' });
      const done = await waitFor(handle, ['ROLLED_BACK', 'ROLLBACK_FAILED']);
      const wall = performance.now() - started;
      const uat = fs.statSync(path.join(home, 'state', 'estate', 'uat.sqlite')).size;
      process.stdout.write(
        `${label}: ${done.phase}; rollback ${done.rolledBack?.durationMs} ms (decision to ROLLED_BACK ${wall.toFixed(0)} ms), unavailable ${done.rolledBack?.unavailableWindowMs?.toFixed(2) ?? 0} ms, uat now ${(uat / 1048576).toFixed(1)} MiB\n`,
      );
      await decide(handle, 'sign-off', { by: 'bench' });
      await handle.result();
    };
    await run('SYNC=fail', async (refresh, waitFor) => {
      const handle = await refresh();
      await waitFor(handle, ['FAILED']);
      await rollback(`before SWAP (SYNC=fail), ${rows} rows`, handle, waitFor);
    });
    await run('', async (refresh, waitFor) => {
      const first = await refresh();
      await waitFor(first, ['AWAITING_SIGNOFF']);
      await decide(first, 'sign-off', { by: 'bench' });
      await first.result();
      const handle = await refresh();
      await waitFor(handle, ['AWAITING_SIGNOFF']);
      await rollback(`after SWAP, ${rows} rows`, handle, waitFor);
    });
  } finally {
    await env.teardown();
    fs.rmSync(home, { recursive: true, force: true });
  }
}

type WaitFor = (handle: Awaited<ReturnType<typeof startOperation>>, phases: Phase[]) => Promise<OperationStatus>;

function waitForWith(env: TestWorkflowEnvironment): WaitFor {
  return (handle, phases) => followOperation(env.client, handle, { until: phases, intervalMs: 20, timeoutMs: 600_000 });
}

main().catch((err) => {
  process.stderr.write(`${err.stack ?? err}\n`);
  process.exit(1);
});
