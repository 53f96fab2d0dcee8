import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { expect } from 'chai';
import { Client, WorkflowExecutionInfo } from '@temporalio/client';
import { decide, getStatus } from '../client/operations';
import { DbmoveOperation, DbmoveTarget } from '../workflows/search-attributes';
import type { OperationResult } from '../workflows/types';
import { runCli, writeTemporalConfig } from './support/cli';
import { TestEstate } from './support/estate';
import { waitForPhase } from './support/operations';
import { eventually } from './support/poll';
import { testServer } from './support/server';
import { estateWithWorker } from './support/fixture';
import { TestWorker } from './support/worker';

/** The first workflow a schedule started, found the way an administrator would: by query. */
async function firstRunOf(client: Client, scheduleId: string, timeoutMs = 30_000): Promise<WorkflowExecutionInfo> {
  return eventually(
    async () => {
      for await (const run of client.workflow.list({ query: `TemporalScheduledById = '${scheduleId}'` })) return run;
      return undefined;
    },
    { timeoutMs, intervalMs: 250, what: `a first run of schedule ${scheduleId}` },
  );
}

/** Workflow ids of schedule runs end in the nominal (scheduled) time Temporal appends. */
function nominalTime(workflowId: string, scheduleId: string): Date {
  const suffix = workflowId.slice(scheduleId.length + 1);
  expect(suffix, workflowId).to.match(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
  return new Date(suffix);
}

describe('dbmove schedule (Temporal Schedules)', function () {
  this.timeout(120_000);
  let estate: TestEstate;
  let worker: TestWorker;

  beforeEach(async () => {
    ({ estate, worker } = await estateWithWorker(1000, 'schedule'));
    writeTemporalConfig(estate, worker.taskQueue);
  });

  it('starts a refresh on its interval, tagged for search, and --auto-sign-off closes it only after VERIFY passed', async () => {
    const client = testServer().client;
    const id = `refresh-train-from-prod-${crypto.randomBytes(3).toString('hex')}`;
    const created = await runCli(estate, [
      'schedule',
      'create',
      '--source',
      'prod',
      '--target',
      'train',
      '--every',
      '3s',
      '--auto-sign-off',
      '--id',
      id,
      '--json',
    ]);
    expect(created.code, created.stderr).to.equal(0);
    const createdAt = Date.now();
    expect(JSON.parse(created.stdout)).to.include({ scheduleId: id, source: 'prod', target: 'train', autoSignOff: true, paused: false });

    await worker.run(async () => {
      const run = await firstRunOf(client, id);
      // No more ticks for this test; the run already started carries on.
      const paused = await runCli(estate, ['schedule', 'pause', id, '--note', 'test done']);
      expect(paused.code, paused.stderr).to.equal(0);

      // On time: its nominal time is the first 3 s tick after creation, and it started then.
      const nominal = nominalTime(run.workflowId, id);
      expect(nominal.getTime() % 3000, 'interval ticks are aligned to the epoch').to.equal(0);
      expect(nominal.getTime()).to.be.within(createdAt - 4000, createdAt + 3000);
      expect(run.startTime.getTime() - nominal.getTime(), "started at its nominal time, give or take the service's scheduling slack").to.be.within(0, 10_000);
      expect(run.typedSearchAttributes.get(DbmoveOperation)).to.equal('refresh');
      expect(run.typedSearchAttributes.get(DbmoveTarget)).to.equal('train');

      const handle = client.workflow.getHandle(run.workflowId);
      const result = (await handle.result()) as OperationResult;
      expect(result.phase).to.equal('COMPLETED');
      expect(result.signedOffBy).to.equal('auto-sign-off');
      const status = await getStatus(client, handle);
      expect(status.steps.find((s) => s.name === 'VERIFY')?.status).to.equal('completed');
      const auto = status.decisions.find((d) => d.kind === 'sign-off');
      expect(Date.parse(auto!.at)).to.be.at.least(Date.parse(status.steps.find((s) => s.name === 'SWAP')!.endedAt!));
    });

    const list = await runCli(estate, ['schedule', 'list', '--json']);
    expect(list.code, list.stderr).to.equal(0);
    const row = JSON.parse(list.stdout).find((r: { scheduleId: string }) => r.scheduleId === id);
    expect(row).to.include({ paused: true, note: 'test done', autoSignOff: true });
    expect(row.recentRuns.length, 'paused while the first run was open: SKIP let no second run start').to.equal(1);

    const deleted = await runCli(estate, ['schedule', 'delete', id]);
    expect(deleted.code, deleted.stderr).to.equal(0);
    const after = JSON.parse((await runCli(estate, ['schedule', 'list', '--json'])).stdout);
    expect(after.map((r: { scheduleId: string }) => r.scheduleId)).to.not.include(id);
  });

  it('refuses a malformed --cron or --every as bad usage before reaching Temporal, even when Temporal is down', async () => {
    // Nothing listens on port 1: the command must not need the server to judge its input.
    fs.writeFileSync(
      path.join(estate.home, 'temporal.config.json'),
      JSON.stringify({ address: '127.0.0.1:1', namespace: 'default', taskQueue: worker.taskQueue }),
    );
    for (const [args, reason] of [
      [['--cron', '0 2 *'], /"0 2 \*" is not a five-field cron expression/],
      [['--every', 'soon'], /--every/],
      [['--cron', '0 2 * * SUN', '--every', '1d'], /exactly one of --cron/],
    ] as [string[], RegExp][]) {
      const run = await runCli(estate, ['schedule', 'create', '--source', 'prod', '--target', 'train', ...args]);
      expect(run.code, `${args.join(' ')}: ${run.stderr}`).to.equal(2);
      expect(run.stderr, args.join(' ')).to.match(reason);
      expect(run.stderr, args.join(' ')).not.to.match(/Cannot reach Temporal/);
    }
  });

  it('without --auto-sign-off a scheduled refresh waits for sign-off, and ticks meanwhile are skipped, not queued', async () => {
    const client = testServer().client;
    const id = `refresh-uat-from-prod-${crypto.randomBytes(3).toString('hex')}`;
    const created = await runCli(estate, ['schedule', 'create', '--source', 'prod', '--target', 'uat', '--every', '2s', '--id', id]);
    expect(created.code, created.stderr).to.equal(0);

    await worker.run(async () => {
      const run = await firstRunOf(client, id);
      const handle = client.workflow.getHandle(run.workflowId);
      await waitForPhase(handle, ['AWAITING_SIGNOFF']);
      const schedule = client.schedule.getHandle(id);
      const deadline = Date.now() + 20_000;
      while ((await schedule.describe()).info.numActionsSkippedOverlap < 1) {
        if (Date.now() > deadline) throw new Error('no tick was skipped while the refresh waited for sign-off');
        await new Promise((r) => setTimeout(r, 500));
      }
      const description = await schedule.describe();
      expect(description.info.recentActions.length, 'only the first tick started a refresh').to.equal(1);
      expect((await getStatus(client, handle)).phase, 'still waiting: nothing signed it off').to.equal('AWAITING_SIGNOFF');
      expect((await runCli(estate, ['schedule', 'delete', id])).code).to.equal(0);
      await decide(handle, 'sign-off', { by: 'tester' });
      expect(((await handle.result()) as OperationResult).signedOffBy).to.equal('tester');
    });
  });
});
