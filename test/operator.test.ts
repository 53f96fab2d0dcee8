import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { expect } from 'chai';
import { getStatus } from '../client/operations';
import { signOffSignal, retrySignal } from '../workflows/messages';
import type { OperationStatus } from '../workflows/types';
import { CLI_ENTRY, CliResult, runCli, writeTemporalConfig } from './support/cli';
import { createTestEstate, fileSha256, TestEstate } from './support/estate';
import { startKind, startRefresh, waitForPhase, waitUntil } from './support/operations';
import { eventually } from './support/poll';
import { testServer } from './support/server';
import { createTestWorker, TestWorker } from './support/worker';

/**
 * The operator's seat (issue 15), as a new F&O administrator meets it: progress that moves,
 * names that address the right operation, a command line that loads only what it needs,
 * refusals before anything starts, and the history and runbook LCS users expect. Every test
 * here failed on the code before it.
 */
describe("the operator's seat", function () {
  this.timeout(180_000);
  const client = () => testServer().client;

  async function withWorker<T>(estate: TestEstate, env: NodeJS.ProcessEnv, fn: (worker: TestWorker) => Promise<T>): Promise<T> {
    const worker = await createTestWorker(estate, env);
    writeTemporalConfig(estate, worker.taskQueue);
    return worker.run(() => fn(worker));
  }

  const ok = (run: CliResult, what: string) => expect(run.code, `${what}: ${run.stderr}${run.stdout}`).to.equal(0);

  describe('1. live progress', () => {
    it('progress reaches the status about every second, with elapsed time, percent and time left', async () => {
      const estate = createTestEstate(1000, 'progress');
      await withWorker(estate, { DBMOVE_FAULTS: 'SCRUB=slow' }, async (worker) => {
        // The default heartbeat timeout (2 minutes): the SDK's throttle would hold progress for a minute.
        const handle = await startRefresh(worker);
        await waitForPhase(handle, ['SCRUB']);
        const seen = new Set<number>();
        let withEstimate: OperationStatus | undefined;
        await eventually(
          async () => {
            const status = await getStatus(client(), handle);
            if (status.phase !== 'SCRUB') return true;
            if (status.progress?.step === 'SCRUB') seen.add(Math.floor(status.progress.percent));
            if (status.progress?.remainingMs !== undefined) withEstimate = status;
            return undefined;
          },
          { timeoutMs: 30_000, intervalMs: 250, what: 'SCRUB ending' },
        );
        expect(seen.size, `distinct percentages seen during a 6 s step: ${[...seen].join(', ')}`).to.be.at.least(3);
        expect(withEstimate?.progress).to.include({ step: 'SCRUB', attempt: 1 });
        expect(withEstimate!.progress!.detail).to.match(/slowed down by DBMOVE_FAULTS/);
        expect(withEstimate!.progress!.quietMs).to.be.below(5_000);
        await waitForPhase(handle, ['AWAITING_SIGNOFF']);
      });
    });

    it('the command line shows the running step with its percent and time left, and says when it stops moving', async () => {
      const estate = createTestEstate(1000, 'quiet');
      await withWorker(estate, { DBMOVE_FAULTS: 'SCRUB=slow,SYNC=hang' }, async (worker) => {
        // A cancel waits for the running step to stop: a silent one, until its heartbeat timeout.
        const handle = await startRefresh(worker, { tuning: { initialInterval: '100ms', heartbeatTimeout: '25s' } });
        await waitUntil(handle, (s) => s.phase === 'SCRUB' && (s.progress?.percent ?? 0) >= 40);
        const scrub = await runCli(estate, ['status', handle.workflowId]);
        ok(scrub, 'status during SCRUB');
        expect(scrub.stdout).to.match(/▶ SCRUB +\d+\.\d s +\d+% · slowed down by DBMOVE_FAULTS .* · about \d+ s left/);

        // SYNC never heartbeats: after 10 s the status says so, in words.
        await waitForPhase(handle, ['SYNC']);
        await new Promise((r) => setTimeout(r, 11_000));
        const sync = await runCli(estate, ['status', 'uat', '--json']);
        ok(sync, 'status during a silent SYNC');
        expect(JSON.parse(sync.stdout).progress.quietMs).to.be.at.least(10_000);
        const text = await runCli(estate, ['status', 'uat']);
        expect(text.stdout).to.match(/▶ SYNC .*no heartbeat for 1\d s/);
        await handle.cancel();
        await waitForPhase(handle, ['CANCELLED'], 90_000);
      });
    });
  });

  describe('3. addressing by environment name', () => {
    it('a name resolves only to operations that target it (exports by source), newest first even when cancelled; decisions need exactly one open operation', async () => {
      const estate = createTestEstate(1000, 'addressing');
      await withWorker(estate, { DBMOVE_FAULTS: 'SCRUB=slow' }, async (worker) => {
        // train's refresh from prod does not belong to prod.
        const train = await startRefresh(worker, { target: 'train' });
        await waitForPhase(train, ['AWAITING_SIGNOFF'], 90_000);
        const prod = await runCli(estate, ['status', 'prod']);
        expect(prod.code).to.equal(2);
        expect(prod.stderr).to.match(new RegExp(`no operation targets prod; prod was only the source of 1 \\(newest: ${train.workflowId} → train\\)`));
        const rollbackProd = await runCli(estate, ['rollback', 'prod', '--by', 'alice']);
        expect(rollbackProd.code).to.equal(2);
        expect((await getStatus(client(), train)).phase, 'the rollback reached nothing').to.equal('AWAITING_SIGNOFF');
        ok(await runCli(estate, ['sign-off', 'train', '--by', 'alice']), 'sign-off train');

        // uat: a refresh signed off, then a newer one cancelled: the cancelled one is the newest.
        const first = await startRefresh(worker);
        await waitForPhase(first, ['AWAITING_SIGNOFF'], 90_000);
        ok(await runCli(estate, ['sign-off', 'uat', '--by', 'alice']), 'sign-off uat');
        const second = await startRefresh(worker);
        await waitForPhase(second, ['SCRUB']);
        ok(await runCli(estate, ['cancel', 'uat']), 'cancel uat');
        const uat = await runCli(estate, ['status', 'uat', '--json']);
        ok(uat, 'status uat');
        expect(JSON.parse(uat.stdout)).to.include({ operationId: second.workflowId, phase: 'CANCELLED', matchedBy: 'target' });

        // Exports belong to their source, marked as such; two open exports of prod make "prod" ambiguous.
        const e1 = await startKind(worker, 'export', { source: 'prod', output: path.join(estate.home, 'one.dbmove') });
        const e2 = await startKind(worker, 'export', { source: 'prod', output: path.join(estate.home, 'two.dbmove') });
        await waitForPhase(e1, ['AWAITING_SIGNOFF'], 90_000);
        await waitForPhase(e2, ['AWAITING_SIGNOFF'], 90_000);
        const exported = await runCli(estate, ['status', 'prod']);
        ok(exported, 'status prod');
        expect(exported.stdout).to.contain("(prod is this export's source: exports belong to the environment they read)");
        expect(exported.stdout).to.contain(e2.workflowId);
        const ambiguous = await runCli(estate, ['sign-off', 'prod', '--by', 'alice']);
        expect(ambiguous.code).to.equal(2);
        expect(ambiguous.stderr).to.contain('prod has 2 open operations').and.contain(e1.workflowId).and.contain(e2.workflowId);
        for (const e of [e1, e2]) expect((await getStatus(client(), e)).phase).to.equal('AWAITING_SIGNOFF');
        ok(await runCli(estate, ['sign-off', e1.workflowId, '--by', 'alice']), 'sign-off by id');
        ok(await runCli(estate, ['sign-off', 'prod', '--by', 'alice']), 'sign-off prod, now the only open export');
        expect((await getStatus(client(), e2)).phase).to.equal('COMPLETED');
      });
    });

    it('the runs of a schedule created with --id are addressable by their workflow id', async () => {
      const estate = createTestEstate(1000, 'schedule-id');
      await withWorker(estate, {}, async () => {
        const id = `nightly-train-${Date.now().toString(36)}`;
        ok(await runCli(estate, ['schedule', 'create', '--source', 'prod', '--target', 'train', '--every', '1h', '--id', id]), 'schedule create');
        const schedule = client().schedule.getHandle(id);
        try {
          await schedule.trigger();
          const runId = await eventually(async () => (await schedule.describe()).info.recentActions[0]?.action.workflow.workflowId, {
            timeoutMs: 20_000,
            what: 'the triggered run',
          });
          expect(runId).to.match(new RegExp(`^${id}-\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}Z$`));
          await waitForPhase(client().workflow.getHandle(runId), ['AWAITING_SIGNOFF'], 90_000);
          const status = await runCli(estate, ['status', runId, '--json']);
          ok(status, `status ${runId}`);
          expect(JSON.parse(status.stdout)).to.include({ operationId: runId, phase: 'AWAITING_SIGNOFF' });
          ok(await runCli(estate, ['sign-off', runId, '--by', 'alice']), `sign-off ${runId}`);
        } finally {
          await schedule.delete().catch(() => undefined);
        }
      });
    });
  });

  describe('4. a fast command line', () => {
    it('dbmove status loads none of the heavy modules (Temporal client and worker, Azure SDK, mssql, SQLite, zod, cli-progress)', async () => {
      const estate = createTestEstate(1000, 'modules');
      await withWorker(estate, {}, async (worker) => {
        const handle = await startRefresh(worker);
        await waitForPhase(handle, ['AWAITING_SIGNOFF']);
        const record = path.join(estate.home, 'modules.txt');
        const hook = path.join(estate.home, 'record-modules.js');
        fs.writeFileSync(hook, `process.on('exit', () => require('fs').writeFileSync(${JSON.stringify(record)}, Object.keys(require.cache).join('\\n')));\n`);
        for (const ref of [handle.workflowId, 'uat']) {
          const run = await runCli(estate, ['status', ref], { NODE_OPTIONS: `--require ${hook}` });
          ok(run, `status ${ref}`);
          const loaded = fs.readFileSync(record, 'utf8');
          for (const heavy of [
            '@temporalio/client',
            '@temporalio/worker',
            '@temporalio/proto',
            '@azure',
            'mssql',
            'better-sqlite3',
            'zod',
            'cli-progress',
            'dist/engines/',
          ]) {
            expect(loaded, `status ${ref} loaded ${heavy}`).to.not.contain(heavy);
          }
        }
      });
    });

    it('dbmove status --watch re-attaches to an operation started without --wait and follows it to its resting phase', async () => {
      const estate = createTestEstate(1000, 'watch');
      await withWorker(estate, { DBMOVE_FAULTS: 'SCRUB=slow' }, async () => {
        const started = await runCli(estate, ['refresh', '--source', 'prod', '--target', 'uat']);
        ok(started, 'refresh without --wait');
        const id = /Started (\S+)\./.exec(started.stdout)![1];
        const watched = await runCli(estate, ['status', 'uat', '--watch']);
        ok(watched, 'status --watch');
        expect(watched.stdout).to.match(/… SCRUB .*% · slowed down by DBMOVE_FAULTS/);
        expect(watched.stdout).to.contain('✔ SWAP').and.contain(`${id}  refresh prod → uat  AWAITING_SIGNOFF`);
      });
    });
  });

  describe('5. refusals up front and one exit-code rule', () => {
    it('refuses the same environment, a production target and an open operation on the target before starting anything (exit 1)', async () => {
      const estate = createTestEstate(1000, 'refusals');
      const before = ['prod', 'uat', 'train'].map((e) => fileSha256(estate.database(e)));
      await withWorker(estate, {}, async (worker) => {
        const count = async () => (await client().workflow.count(`TaskQueue = '${worker.taskQueue}'`)).count;
        for (const [source, target, reason] of [
          ['prod', 'prod', /prod is a production environment; a refresh never overwrites production/],
          ['uat', 'uat', /The source and the target are both uat/],
        ] as const) {
          const run = await runCli(estate, ['refresh', '--source', source, '--target', target]);
          expect(run.code, run.stdout + run.stderr).to.equal(1);
          expect(run.stdout)
            .to.match(reason)
            .and.not.match(/Started/);
          expect(run.stderr).to.match(/Nothing was started/);
        }
        expect(await count(), 'no workflow was started').to.equal(0);
        ok(await runCli(estate, ['refresh', '--source', 'prod', '--target', 'uat', '--wait']), 'first refresh');
        const second = await runCli(estate, ['refresh', '--source', 'train', '--target', 'uat']);
        expect(second.code).to.equal(1);
        expect(second.stdout).to.match(/uat has an operation that is not signed off: refresh-uat-/);
        expect(await count(), 'only the first refresh and its lease').to.equal(2);
      });
      expect(fileSha256(estate.database('prod'))).to.equal(before[0]);
      expect(fileSha256(estate.database('train'))).to.equal(before[2]);
    });

    it('--wait says a failed operation waits for a decision, status shows a refused signal, and a closed pipe is no crash', async () => {
      const estate = createTestEstate(1000, 'wait-failed');
      await withWorker(estate, { DBMOVE_FAULTS: 'SYNC=fail' }, async () => {
        const run = await runCli(estate, ['refresh', '--source', 'prod', '--target', 'uat', '--wait']);
        expect(run.code).to.equal(1);
        expect(run.stderr).to.match(/failed in SYNC and waits for a decision: .*dbmove retry refresh-uat-.*dbmove rollback refresh-uat-/);
        expect(run.stderr).to.not.match(/ended in FAILED/);

        const id = JSON.parse((await runCli(estate, ['status', 'uat', '--json'])).stdout).operationId as string;
        const handle = client().workflow.getHandle(id);
        await handle.signal(signOffSignal, { by: 'bob' });
        await handle.signal(retrySignal, { by: 'x'.repeat(200) });
        const status = await eventually(
          async () => {
            const s = await runCli(estate, ['status', 'uat']);
            return /refused sign-off signal from bob/.test(s.stdout) ? s : undefined;
          },
          { timeoutMs: 10_000, what: 'the refused signal in dbmove status' },
        );
        expect(status.stdout).to.match(/refused sign-off signal from bob at .*: the operation failed in SYNC; retry it/);
        expect(status.stdout).to.match(/refused retry signal from x{128} at .*: "by" is longer than 128 characters/);

        for (const args of [
          ['list', '--json'],
          ['logs', 'uat'],
        ]) {
          const closed = await new Promise<CliResult>((resolve) => {
            const child = spawn(process.execPath, [CLI_ENTRY, ...args], {
              cwd: estate.home,
              env: { ...process.env, DBMOVE_HOME: estate.home, NO_COLOR: '1' },
              stdio: ['ignore', 'pipe', 'pipe'],
            });
            child.stdout.destroy(); // the reader went away, as `| head -1` does
            let stderr = '';
            child.stderr.on('data', (c) => (stderr += c));
            child.on('close', (code) => resolve({ code, stdout: '', stderr }));
          });
          expect(closed.stderr, `dbmove ${args.join(' ')} | (closed)`).to.not.match(/EPIPE|\n\s+at /);
          expect(closed.code, `dbmove ${args.join(' ')} | (closed)`).to.equal(0);
        }
      });
    });
  });

  describe('6. what LCS and d365fo.tools users expect', () => {
    it('dbmove history shows the LCS table (operation, type, requested by, start, end, duration, outcome), and --json', async () => {
      const estate = createTestEstate(1000, 'history');
      await withWorker(estate, {}, async () => {
        ok(await runCli(estate, ['refresh', '--source', 'prod', '--target', 'uat', '--wait', '--by', 'alice']), 'refresh');
        ok(await runCli(estate, ['sign-off', 'uat', '--by', 'alice']), 'sign-off');
        ok(await runCli(estate, ['refresh', '--source', 'train', '--target', 'uat', '--wait', '--by', 'bob']), 'second refresh');
        const table = await runCli(estate, ['history', 'uat']);
        ok(table, 'history');
        const lines = table.stdout.trim().split('\n');
        expect(lines[0]).to.match(/^History of uat \(2 operations, newest first\)/);
        expect(lines[1]).to.match(/^operation +type +requested by +start +end +duration +outcome$/);
        expect(lines[2]).to.match(/^refresh-uat-\S+ +refresh from train +bob +\d{4}-\d\d-\d\d \S+ +- +\(open \d+ s\) +waits for sign-off$/);
        expect(lines[3]).to.match(/^refresh-uat-\S+ +refresh from prod +alice +\d{4}-\d\d-\d\d \S+ +\d{4}-\d\d-\d\d \S+ +\d+ s +signed off$/);
        const json = await runCli(estate, ['history', 'uat', '--json']);
        const rows = JSON.parse(json.stdout) as { requestedBy: string; outcome: string; durationMs: number | null; endedAt: string | null }[];
        expect(rows.map((r) => [r.requestedBy, r.outcome])).to.deep.equal([
          ['bob', 'waits for sign-off'],
          ['alice', 'signed off'],
        ]);
        expect(rows[1].durationMs).to.be.a('number');
        expect(rows[0].endedAt).to.equal(null);
      });
    });

    it('dbmove logs --format text is a readable runbook with every step, its messages and timings', async () => {
      const estate = createTestEstate(1000, 'runbook');
      await withWorker(estate, {}, async () => {
        ok(await runCli(estate, ['refresh', '--source', 'prod', '--target', 'uat', '--wait']), 'refresh');
        const file = path.join(estate.home, 'runbook.txt');
        ok(await runCli(estate, ['logs', 'uat', '--format', 'text', '--output', file]), 'logs --format text');
        const text = fs.readFileSync(file, 'utf8');
        expect(text).to.match(/^Runbook of refresh-uat-\S+\n {2}operation +refresh prod -> uat\n {2}requested by +cli-tester/);
        for (const step of ['PRECHECK', 'MARKER', 'COPY', 'SCRUB', 'SYNC', 'POSTCONFIG', 'VERIFY', 'NOTIFY', 'SWAP']) {
          expect(text).to.match(new RegExp(`\\n  ${step} +completed +\\d{4}-\\S+ +\\d{4}-\\S+ +\\d+(\\.\\d)? m?s +1  \\S`), step);
          expect(text).to.match(new RegExp(`\\n  \\S+Z  INFO  ${step} +${step}: `), `${step}'s log line`);
        }
        expect(text)
          .to.match(/\nPRECHECK\n {2}ok {4}/)
          .and.match(/\nLog\n/);
      });
    });
  });
});
