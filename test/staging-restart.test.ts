import { expect } from 'chai';
import * as fs from 'node:fs';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { createActivities } from '../activities';
import { createEngineRegistry } from '../engines/registry';
import { FaultPlan } from '../activities/faults';
import { LocalEngine } from '../engines/local/local-engine';
import type { SqliteSession } from '../engines/local/sqlite-session';
import { createTestEstate, tableChecksums } from './support/estate';

/**
 * Staging is scratch until VERIFY seals it: its commits are not flushed to disk (SQLite
 * `synchronous = OFF`), and the seal fsyncs the file SWAP installs. So a machine restart between
 * COPY and the seal can lose some of SCRUB's writes, and staging from an earlier boot must never
 * be scrubbed further, sealed or swapped in. A restart is simulated by the staging manifest
 * naming another boot than /proc/sys/kernel/random/boot_id. Real activities, real SQLite files.
 */
const OP = 'refresh-uat-20260101t000000z-5afe';

function setup(name: string) {
  const estate = createTestEstate(500, name);
  const activities = createActivities({
    catalog: () => estate.catalog(),
    engineFor: createEngineRegistry({ defaultRetention: estate.catalog().defaults.restorePointRetention }),
    faults: new FaultPlan(new Map(), estate.stateDir),
    secret: () => undefined,
    stateDir: estate.stateDir,
  });
  const env = new MockActivityEnvironment({ workflowExecution: { workflowId: OP, runId: 'r' }, heartbeatTimeoutMs: 60_000 } as never, {
    logger: new DefaultLogger('ERROR', () => undefined),
  });
  const engine = new LocalEngine();
  const uat = estate.environment('uat');
  const staging = engine.stagingFile(uat, OP);
  const manifest = staging.replace(/\.sqlite$/, '.json');
  const restart = () => {
    const record = JSON.parse(fs.readFileSync(manifest, 'utf8'));
    fs.writeFileSync(manifest, JSON.stringify({ ...record, bootId: 'a-boot-before-the-restart' }));
  };
  return { estate, activities, env, engine, uat, staging, restart, op: { operationId: OP, source: 'prod', target: 'uat' } };
}

async function failureOf(run: Promise<unknown>): Promise<{ type?: string; nonRetryable?: boolean; message: string }> {
  try {
    await run;
  } catch (err) {
    return err as { type?: string; nonRetryable?: boolean; message: string };
  }
  throw new Error('expected the step to fail');
}

describe('staging written before a machine restart is never trusted before it is sealed', function () {
  this.timeout(60_000);

  it('SCRUB and VERIFY refuse it as StagingLost (no retry), naming the operation and the way out, and leave it as it was', async () => {
    const { activities, env, staging, restart, op } = setup('staging-restart');
    await env.run(() => activities.markPointInTime(op));
    await env.run(() => activities.copyToStaging(op));
    restart();
    const before = tableChecksums(staging);

    const scrub = await failureOf(env.run(() => activities.scrubStaging({ ...op, policy: 'refresh' })));
    expect(scrub.type).to.equal('StagingLost');
    expect(scrub.nonRetryable).to.equal(true);
    expect(scrub.message).to.include(OP).and.include('restarted').and.include(`dbmove rollback ${OP}`);

    const verify = await failureOf(env.run(() => activities.verifyStaging({ ...op, policy: 'refresh', postConfigured: true })));
    expect(verify.type).to.equal('StagingLost');
    expect(tableChecksums(staging)).to.deep.equal(before);
    expect(fs.existsSync(`${staging}.sealing`), 'no seal was started').to.equal(false);
  });

  it('in the same boot staging commits skip the fsync, and once sealed it is durable and trusted after a restart', async () => {
    const { activities, env, engine, uat, staging, restart, op } = setup('staging-sealed');
    await env.run(() => activities.markPointInTime(op));
    await env.run(() => activities.copyToStaging(op));
    const session = (await engine.openStaging(uat, OP)) as SqliteSession;
    try {
      expect(Number(await session.pragma('synchronous')), 'synchronous = OFF on staging').to.equal(0);
    } finally {
      await session.close();
    }
    await env.run(() => activities.scrubStaging({ ...op, policy: 'refresh' }));
    await env.run(() => activities.syncSchema(op));
    await env.run(() => activities.postConfigure(op));
    await env.run(() => activities.verifyStaging({ ...op, policy: 'refresh', postConfigured: true }));
    restart();
    const sealed = await engine.openStaging(uat, OP);
    await sealed.close();
    // A sealed file changed since (here: rewritten by hand) is no longer the sealed one: refused again.
    fs.utimesSync(staging, new Date(), new Date(Date.now() + 5_000));
    const changed = await failureOf(engine.openStaging(uat, OP));
    expect(changed.type).to.equal('StagingLost');
  });
});
