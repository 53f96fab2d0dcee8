import { expect } from 'chai';
import { runCli, writeTemporalConfig } from './support/cli';
import { createTestEstate, tableChecksums } from './support/estate';
import { createTestWorker } from './support/worker';

/**
 * What an administrator sees from the command line when a step fails: which step, why, and
 * what retry and rollback will each do; then the rollback itself, and the unattended
 * `--on-failure rollback`.
 */
describe('the command line on a failed operation', function () {
  this.timeout(120_000);

  it('status and logs name the failed step, the cause and each choice; rollback returns the target', async () => {
    const estate = createTestEstate(1000, 'cli-failure');
    const before = tableChecksums(estate.database('uat'));
    const worker = await createTestWorker(estate, { DBMOVE_FAULTS: 'SYNC=fail' });
    writeTemporalConfig(estate, worker.taskQueue);
    await worker.run(async () => {
      const refresh = await runCli(estate, ['refresh', '--source', 'prod', '--target', 'uat', '--wait', '--json']);
      expect(refresh.code, refresh.stderr).to.equal(1);
      const started = JSON.parse(refresh.stdout);
      expect(started.phase).to.equal('FAILED');
      const id: string = started.operationId;

      const status = await runCli(estate, ['status', 'uat']);
      expect(status.code, status.stderr).to.equal(0);
      expect(status.stdout).to.match(/FAILED/);
      expect(status.stdout).to.match(/✘ SYNC .*Injected fault: SYNC=fail \(DBMOVE_FAULTS\)/);
      expect(status.stdout).to.contain('SYNC failed: Injected fault: SYNC=fail (DBMOVE_FAULTS). Restart the worker without it, then retry');
      expect(status.stdout).to.contain(`retry:    Run SYNC again once the cause is fixed: dbmove retry ${id}`);
      expect(status.stdout).to.contain(`rollback: Drop the staging copy; uat was never touched and stays as it is. dbmove rollback ${id}`);
      expect(status.stdout).to.match(/holds on disk: .*staging .*restore-point/);

      const logs = await runCli(estate, ['logs', 'uat']);
      expect(logs.code, logs.stderr).to.equal(0);
      const lines = logs.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      expect(lines[0]).to.include({ type: 'operation', operationId: id, phase: 'FAILED' });
      expect(lines[0].failure).to.include({ step: 'SYNC', type: 'InjectedFault' });
      expect(lines[0].failure.choices.retry).to.contain(`dbmove retry ${id}`);
      expect(lines[0].failure.choices.rollback).to.match(/^Drop the staging copy; uat was never touched/);
      expect(lines.find((l) => l.type === 'step' && l.name === 'SYNC')).to.include({ status: 'failed' });
      expect(lines.some((l) => l.type === 'log' && l.level === 'error' && l.step === 'SYNC' && /SYNC failed: Injected fault/.test(l.message))).to.equal(true);

      // Sign-off is refused while FAILED (exit 1, as every refused decision), with the two ways on.
      const signOff = await runCli(estate, ['sign-off', 'uat', '--by', 'alice']);
      expect(signOff.code).to.equal(1);
      expect(signOff.stderr).to.contain(`retry it (dbmove retry ${id}) or roll it back (dbmove rollback ${id})`);

      const rollback = await runCli(estate, ['rollback', 'uat', '--by', 'alice', '--json']);
      expect(rollback.code, rollback.stderr).to.equal(0);
      const rolledBack = JSON.parse(rollback.stdout);
      expect(rolledBack.phase).to.equal('ROLLED_BACK');
      expect(rolledBack.rolledBack.durationMs).to.be.a('number');
      expect(tableChecksums(estate.database('uat'))).to.deep.equal(before);
      const closed = await runCli(estate, ['sign-off', 'uat', '--by', 'alice', '--json']);
      expect(closed.code, closed.stderr).to.equal(0);
      expect(JSON.parse(closed.stdout).holdings).to.deep.equal([]);
    });
  });

  it('--on-failure rollback rolls back without waiting for a decision', async () => {
    const estate = createTestEstate(1000, 'cli-on-failure');
    const before = tableChecksums(estate.database('uat'));
    const worker = await createTestWorker(estate, { DBMOVE_FAULTS: 'VERIFY=fail' });
    writeTemporalConfig(estate, worker.taskQueue);
    await worker.run(async () => {
      const refresh = await runCli(estate, ['refresh', '--source', 'prod', '--target', 'uat', '--on-failure', 'rollback', '--wait', '--json']);
      const result = JSON.parse(refresh.stdout);
      expect(result.phase, refresh.stderr).to.equal('ROLLED_BACK');
      expect(refresh.code).to.equal(1);
      expect(result.decisions.filter((d: { kind: string }) => d.kind !== 'cancel')).to.deep.equal([]);
      const status = JSON.parse((await runCli(estate, ['status', 'uat', '--json'])).stdout);
      expect(status.failure).to.equal(null);
      expect(status.steps.find((s: { name: string }) => s.name === 'VERIFY').status).to.equal('failed');
      expect(status.logs.some((l: { message: string }) => /without waiting for a decision \(--on-failure rollback\)/.test(l.message))).to.equal(true);
      expect(tableChecksums(estate.database('uat'))).to.deep.equal(before);
    });
  });
});
