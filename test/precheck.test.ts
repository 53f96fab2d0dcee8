import { expect } from 'chai';
import { WorkflowFailedError } from '@temporalio/client';
import { decide, getStatus } from '../client/operations';
import type { OperationStatus } from '../workflows/types';
import { fileSha256, mutate, TestEstate } from './support/estate';
import { testServer } from './support/server';
import { estateWithWorker } from './support/fixture';
import { TestWorker } from './support/worker';
import { startRefresh, waitForPhase } from './support/operations';
import { leaseWorkflowId } from '../workflows/lease-id';

interface RefusalCase {
  title: string;
  source?: string;
  target?: string;
  /** Breaks the estate before the refresh starts. */
  arrange?: (estate: TestEstate) => void;
  check: string;
  message: RegExp;
  fix: RegExp;
}

const CASES: RefusalCase[] = [
  {
    title: 'the target is production',
    source: 'uat',
    target: 'prod',
    check: 'target-not-production',
    message: /prod is a production environment; a refresh never overwrites production/,
    fix: /choose a sandbox/,
  },
  {
    title: 'the source is the target',
    source: 'uat',
    target: 'uat',
    check: 'source-is-not-target',
    message: /source and the target are both uat/,
    fix: /choose a different source/,
  },
  {
    title: "the environment administrator is a new sign-in whose SID only Microsoft's SidGenerator can give",
    arrange: (e) =>
      e.editCatalog((c) => {
        c.environments.find((env: { name: string }) => env.name === 'uat').administrator.networkAlias = 'new-admin@contoso.test';
      }),
    check: 'administrator-sid',
    message: /uat's environment administrator new-admin@contoso\.test is not the Admin its database holds now \(uat-admin@contoso\.test\)/,
    fix: /set uat\.administrator\.sid in the catalog/,
  },
  {
    title: 'the application releases differ (declared in the catalog)',
    arrange: (e) => declareVersions(e, 'uat', { applicationRelease: '10.0.40' }),
    check: 'application-release',
    message: /prod runs 10\.0\.41 \(declared in environments\.json\), uat runs 10\.0\.40 \(declared in environments\.json\)/,
    fix: /update uat to 10\.0\.41/,
  },
  {
    title: 'the target runs platform update 12 or earlier',
    arrange: (e) => declareVersions(e, 'uat', { platformUpdate: 12 }),
    check: 'platform-update-uat',
    message: /uat runs platform update 12 \(declared in environments\.json\); database movement needs platform update 13 or later/,
    fix: /update uat's platform/,
  },
  {
    title: 'the source runs platform update 12 or earlier',
    arrange: (e) => declareVersions(e, 'prod', { platformUpdate: 7 }),
    check: 'platform-update-prod',
    message: /prod runs platform update 7/,
    fix: /update prod's platform/,
  },
  {
    title: "the target's financial reporting is older than the source's",
    arrange: (e) => declareVersions(e, 'uat', { financialReporting: '10.0.41.19000' }),
    check: 'financial-reporting',
    message: /uat runs Financial Reporting 10\.0\.41\.19000 \(declared in environments\.json\), older than 10\.0\.41\.20017 on prod/,
    fix: /update Financial Reporting on uat/,
  },
  {
    title: "the target's versions come from a command that reports another release, naming the command",
    arrange: (e) =>
      e.editCatalog((c) => {
        c.environments.find((x: any) => x.name === 'uat').versions = {
          from: 'command',
          command: [
            process.execPath,
            '-e',
            'console.log(JSON.stringify({applicationRelease:"10.0.42",platformUpdate:"Update66",financialReporting:"10.0.42.1"}))',
          ],
        };
      }),
    check: 'application-release',
    message: /uat runs 10\.0\.42 \(the command .*node.* -e .*\)/,
    fix: /update uat to 10\.0\.41/,
  },
  {
    title: "the target's version command fails, naming the command and what it printed",
    arrange: (e) =>
      e.editCatalog((c) => {
        c.environments.find((x: any) => x.name === 'uat').versions = {
          from: 'command',
          command: [process.execPath, '-e', 'console.error("LCS API: 401 Unauthorized"); process.exit(3)'],
        };
      }),
    check: 'application-release',
    message: /The application release of uat is unknown: the command .* exited with 3: LCS API: 401 Unauthorized/,
    fix: /name where uat's versions come from/,
  },
  {
    title: 'an environment names no version source',
    arrange: (e) => e.editCatalog((c) => delete c.environments.find((x: any) => x.name === 'prod').versions),
    check: 'application-release',
    message: /The application release of prod is unknown: prod names no version source in environments\.json/,
    fix: /name where prod's versions come from in the catalog/,
  },
  {
    title: 'recurring data import/export jobs are still running on the target',
    arrange: (e) => mutate(e.database('uat'), "UPDATE BATCHJOB SET STATUS = 2 WHERE CAPTION = 'DMF recurring import: Customers'"),
    check: 'recurring-data-jobs',
    message: /uat has recurring data import\/export jobs still running: DMF recurring import: Customers \(Executing\)/,
    fix: /let them finish, then stop them/,
  },
];

/** Changes what an environment's deployment declares (its `versions` in the catalog). */
function declareVersions(estate: TestEstate, environment: string, versions: Record<string, unknown>): void {
  estate.editCatalog((c) => Object.assign(c.environments.find((e: any) => e.name === environment).versions, versions));
}

async function expectRefused(handle: Awaited<ReturnType<typeof startRefresh>>): Promise<OperationStatus> {
  const err = await handle.result().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).to.be.instanceOf(WorkflowFailedError);
  expect((err as WorkflowFailedError).cause?.name).to.equal('ApplicationFailure');
  expect(((err as WorkflowFailedError).cause as { type?: string }).type).to.equal('OperationRefused');
  return getStatus(testServer().client, handle);
}

async function leaseHeld(environment: string, taskQueue: string): Promise<boolean> {
  const description = await testServer()
    .client.workflow.getHandle(leaseWorkflowId(environment, taskQueue))
    .describe()
    .catch(() => undefined);
  return description?.status.name === 'RUNNING';
}

describe('PRECHECK refuses, naming the fix, and touches nothing', function () {
  this.timeout(60_000);
  let estate: TestEstate;
  let worker: TestWorker;

  beforeEach(async () => {
    ({ estate, worker } = await estateWithWorker(2000, 'precheck'));
  });

  for (const c of CASES) {
    it(`when ${c.title}`, async () => {
      c.arrange?.(estate);
      const before = { prod: fileSha256(estate.database('prod')), uat: fileSha256(estate.database('uat')) };
      const status = await worker.run(async () => expectRefused(await startRefresh(worker, { source: c.source ?? 'prod', target: c.target ?? 'uat' })));
      expect(status.phase).to.equal('REFUSED');
      const check = status.checks.find((k) => k.name === c.check);
      expect(check, `check ${c.check} in ${JSON.stringify(status.checks.map((k) => k.name))}`).to.exist;
      expect(check!.ok).to.equal(false);
      expect(check!.message).to.match(c.message);
      expect(check!.fix).to.match(c.fix);
      expect(status.steps.find((s) => s.name === 'PRECHECK')?.status).to.equal('failed');
      expect(status.steps.filter((s) => s.name !== 'PRECHECK').every((s) => s.status === 'pending')).to.equal(true);
      // Nothing was touched, and the environment is free again.
      expect({ prod: fileSha256(estate.database('prod')), uat: fileSha256(estate.database('uat')) }).to.deep.equal(before);
      expect(await leaseHeld(c.target ?? 'uat', worker.taskQueue)).to.equal(false);
    });
  }

  it('when another operation on the target is not signed off, naming it; the first one is unaffected', async () => {
    await worker.run(async () => {
      const first = await startRefresh(worker);
      await waitForPhase(first, ['AWAITING_SIGNOFF']);
      const second = await startRefresh(worker, { source: 'train' });
      const status = await expectRefused(second);
      const check = status.checks.find((k) => k.name === 'no-open-operation')!;
      expect(check.ok).to.equal(false);
      expect(check.message).to.contain(first.workflowId).and.to.contain('AWAITING_SIGNOFF');
      expect(check.fix).to.contain(`dbmove sign-off ${first.workflowId}`);
      expect((await getStatus(testServer().client, first)).phase).to.equal('AWAITING_SIGNOFF');
      expect(await leaseHeld('uat', worker.taskQueue)).to.equal(true);
      // Once the first is signed off, uat is free again.
      await decide(first, 'sign-off', { by: 'tester' });
      await first.result();
      expect(await leaseHeld('uat', worker.taskQueue)).to.equal(false);
      const third = await startRefresh(worker, { source: 'train' });
      expect((await waitForPhase(third, ['AWAITING_SIGNOFF', 'REFUSED', 'FAILED'])).phase).to.equal('AWAITING_SIGNOFF');
    });
  });

  it('reports every failing check at once', async () => {
    declareVersions(estate, 'uat', { applicationRelease: '10.0.40' });
    mutate(estate.database('uat'), "UPDATE BATCHJOB SET STATUS = 1 WHERE CAPTION = 'DMF recurring export: Sales invoices'");
    const status = await worker.run(async () => expectRefused(await startRefresh(worker)));
    expect(
      status.checks
        .filter((k) => !k.ok && k.severity !== 'warning')
        .map((k) => k.name)
        .sort(),
    ).to.deep.equal(['application-release', 'recurring-data-jobs']);
  });
});
