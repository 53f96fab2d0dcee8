import { expect } from 'chai';
import * as fs from 'node:fs';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { createActivities } from '../activities';
import { createEngineRegistry } from '../engines/registry';
import { FaultPlan } from '../activities/faults';
import { LocalEngine } from '../engines/local/local-engine';
import type { Marker } from '../workflows/types';
import { createTestEstate, query, tableChecksums, TestEstate } from './support/estate';

const tablesOf = (file: string) =>
  query<{ name: string }>(file, "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").map((t) => t.name);
import { filesOnDisk } from './support/holdings';

/**
 * Temporal runs an activity at least once: a worker that dies after the work but before
 * reporting it makes Temporal run it again. So every step, run twice in a row, must leave
 * the same state as once: the live databases, the staging copy, and the files beside them.
 * The activities run for real (real catalog, engine and SQLite files) inside
 * MockActivityEnvironment, which only provides the activity Context (heartbeats, info).
 */
const OP = 'refresh-uat-20260101t000000z-abcd';

function state(estate: TestEstate) {
  const engine = new LocalEngine();
  const uat = estate.environment('uat');
  const staging = engine.stagingFile(uat, OP);
  return {
    prod: tableChecksums(estate.database('prod')),
    // The downtime notice's window moves with a repeat (it says when SWAP starts); counted apart.
    uat: tableChecksums(
      estate.database('uat'),
      tablesOf(estate.database('uat')).filter((t) => t !== 'SYSBROADCASTMESSAGE'),
    ),
    notices: query(estate.database('uat'), 'SELECT COUNT(*) AS n FROM SYSBROADCASTMESSAGE'),
    staging: fs.existsSync(staging) ? tableChecksums(staging) : null,
    files: filesOnDisk(estate, 'uat', OP),
  };
}

describe('every step activity run twice in a row leaves the state of one run', function () {
  this.timeout(60_000);

  it('MARKER, COPY, SCRUB, SYNC, POSTCONFIG, VERIFY, NOTIFY, SWAP, ROLLBACK and HOUSEKEEPING', async () => {
    const estate = createTestEstate(1000, 'idempotence');
    // A downtime notice writes into the live target: it must not be written twice either.
    estate.editCatalog((c) => {
      c.environments.find((e: { name: string }) => e.name === 'uat').notifications = { broadcastLeadTime: '0s' };
    });
    const state0 = state(estate);
    const loaded = estate.catalog();
    const activities = createActivities({
      catalog: () => estate.catalog(),
      engineFor: createEngineRegistry({ defaultRetention: loaded.defaults.restorePointRetention }),
      faults: new FaultPlan(new Map(), estate.stateDir),
      secret: () => undefined,
      stateDir: estate.stateDir,
    });
    const op = { operationId: OP, source: 'prod', target: 'uat' };
    let marker: Marker | undefined;
    const steps: [string, () => Promise<unknown>][] = [
      ['MARKER', async () => (marker = (await activities.markPointInTime(op)).marker)],
      ['COPY', () => activities.copyToStaging(op)],
      ['SCRUB', () => activities.scrubStaging({ ...op, policy: 'refresh' })],
      ['SYNC', () => activities.syncSchema(op)],
      ['POSTCONFIG', () => activities.postConfigure(op)],
      ['VERIFY', () => activities.verifyStaging({ ...op, policy: 'refresh', postConfigured: true })],
      ['NOTIFY', () => activities.notifyUsers(op)],
      ['SWAP', () => activities.swapIn(op)],
      ['ROLLBACK', () => activities.rollBack({ ...op, marker })],
      ['HOUSEKEEPING', () => activities.releaseHoldings({ ...op, keepRestorePoint: true })],
    ];
    const env = new MockActivityEnvironment({ workflowExecution: { workflowId: OP, runId: 'r' }, heartbeatTimeoutMs: 60_000 } as never, {
      logger: new DefaultLogger('ERROR', () => undefined),
    });
    const changed: string[] = [];
    for (const [name, run] of steps) {
      await env.run(run);
      const once = state(estate);
      await env.run(run);
      const twice = state(estate);
      try {
        expect(twice, name).to.deep.equal(once);
      } catch (err) {
        changed.push(`${name}: ${(err as Error).message.slice(0, 300)}`);
      }
      if (name === 'MARKER') expect(once.files.restorePoints, 'MARKER took a restore point').to.have.length(2);
      if (name === 'COPY') expect(once.staging, 'COPY made staging').to.not.equal(null);
      if (name === 'NOTIFY') expect(once.notices, 'NOTIFY posted one notice').to.have.length(1);
      if (name === 'SWAP') expect(once.uat, 'SWAP replaced uat').to.not.deep.equal(state0.uat);
      if (name === 'ROLLBACK') expect([once.uat, once.notices], 'ROLLBACK restored uat').to.deep.equal([state0.uat, state0.notices]);
    }
    expect(changed, changed.join('\n')).to.deep.equal([]);
    // After housekeeping nothing of the operation is left but its kept history entry.
    expect(state(estate).files).to.deep.include({ staging: [], restorePoints: [], journal: [] });
  });
});
