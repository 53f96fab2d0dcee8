import { expect } from 'chai';
import { WorkflowHandle, WorkflowUpdateFailedError } from '@temporalio/client';
import { decide, DecisionKind, getStatus } from '../client/operations';
import type { OperationStatus } from '../workflows/types';
import { reason } from '../cli/commands/shared';
import { createTestEstate, fileSha256, TestEstate } from './support/estate';
import { exportHistory } from './support/history';
import { startRefresh, waitForPhase, waitUntil } from './support/operations';
import { testServer } from './support/server';
import { createTestWorker } from './support/worker';

/**
 * Approvers: an environment's catalog entry lists who may sign off, retry and roll back.
 * The identity travels in the decision's payload and is recorded in the history; anyone
 * else is refused with the reason: an update is rejected (and never written to history), a
 * signal is recorded as refused and ignored. Authentication of the caller is Temporal's
 * (mTLS or API keys on the namespace); this is authorisation on top of it.
 */

const APPROVER = 'alice@contoso.com';
const INTRUDER = 'mallory@contoso.com';
const SIGNALS: Record<DecisionKind, string> = { 'sign-off': 'signOff', rollback: 'rollback', retry: 'retry' };

async function refusedUpdate(handle: WorkflowHandle, kind: DecisionKind, by: string): Promise<string> {
  const err = await decide(handle, kind, { by }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, `${kind} by ${by} must be refused`).to.be.instanceOf(WorkflowUpdateFailedError);
  return reason(err);
}

async function ignoredSignal(handle: WorkflowHandle, kind: DecisionKind, by: string): Promise<OperationStatus> {
  const before = (await getStatus(testServer().client, handle)).decisions.length;
  await handle.signal(SIGNALS[kind], { by, note: 'let me in' });
  return waitUntil(handle, (s) => s.decisions.length > before);
}

describe("only the environment's approvers may sign off, retry and roll back", function () {
  this.timeout(120_000);
  let estate: TestEstate;

  beforeEach(() => {
    estate = createTestEstate(1500, 'approvers');
    estate.editCatalog((c) => (c.environments.find((e: any) => e.name === 'uat').approvers = [APPROVER, 'bob@contoso.com']));
  });

  it('refuses retry, rollback and sign-off from anyone else, by update (rejected with the reason) and by signal (recorded, ignored); accepts the approver and records who', async () => {
    const worker = await createTestWorker(estate, { DBMOVE_FAULTS: 'SCRUB=fail-once' });
    const files = () => ['prod', 'uat', 'train'].map((e) => fileSha256(estate.database(e)));
    await worker.run(async () => {
      const handle = await startRefresh(worker);
      expect((await waitForPhase(handle, ['FAILED', 'AWAITING_SIGNOFF'])).phase).to.equal('FAILED');
      const before = files();

      // FAILED: retry and rollback are the choices, for approvers only.
      for (const kind of ['retry', 'rollback'] as const) {
        expect(await refusedUpdate(handle, kind, INTRUDER)).to.match(
          new RegExp(`${INTRUDER} is not an approver of uat; approvers: ${APPROVER}, bob@contoso.com`),
        );
        const status = await ignoredSignal(handle, kind, INTRUDER);
        expect(status.phase, `${kind} signal from ${INTRUDER} is ignored`).to.equal('FAILED');
        expect(status.decisions.at(-1)).to.deep.include({ kind, by: INTRUDER, via: 'signal', accepted: false });
        expect(status.decisions.at(-1)!.reason).to.match(/is not an approver of uat/);
      }
      expect(files(), 'refused decisions change nothing').to.deep.equal(before);

      await decide(handle, 'retry', { by: APPROVER, note: 'transient' });
      expect((await waitForPhase(handle, ['AWAITING_SIGNOFF', 'FAILED'])).phase).to.equal('AWAITING_SIGNOFF');

      // AWAITING_SIGNOFF: sign-off and rollback, for approvers only.
      for (const kind of ['sign-off', 'rollback'] as const) {
        expect(await refusedUpdate(handle, kind, INTRUDER)).to.match(/is not an approver of uat/);
        const status = await ignoredSignal(handle, kind, INTRUDER);
        expect(status.phase).to.equal('AWAITING_SIGNOFF');
        expect(status.decisions.at(-1)).to.deep.include({ kind, by: INTRUDER, accepted: false });
      }
      // An approver's signal is accepted like an update.
      await handle.signal('signOff', { by: APPROVER, note: 'checked the data' });
      const result = (await handle.result()) as { signedOffBy: string; phase: string };
      expect(result).to.include({ signedOffBy: APPROVER, phase: 'COMPLETED' });

      const status = await getStatus(testServer().client, handle);
      expect(status.decisions.filter((d) => d.accepted).map((d) => [d.kind, d.by, d.via])).to.deep.equal([
        ['retry', APPROVER, 'update'],
        ['sign-off', APPROVER, 'signal'],
      ]);
      expect(status.decisions.filter((d) => !d.accepted).map((d) => [d.kind, d.by])).to.deep.equal([
        ['retry', INTRUDER],
        ['rollback', INTRUDER],
        ['sign-off', INTRUDER],
        ['rollback', INTRUDER],
      ]);

      // The history records who decided: accepted updates and every signal carry the identity;
      // a rejected update is not written at all.
      const { history } = await exportHistory(handle);
      const decode = (p: { data?: Uint8Array | null }) => JSON.parse(Buffer.from(p.data ?? new Uint8Array()).toString('utf8'));
      const events = history.events ?? [];
      const accepted = events
        .filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes)
        .map((e) => decode(e.workflowExecutionUpdateAcceptedEventAttributes!.acceptedRequest!.input!.args!.payloads![0]).by);
      const signals = events
        .filter((e) => e.workflowExecutionSignaledEventAttributes)
        .map((e) => [e.workflowExecutionSignaledEventAttributes!.signalName, decode(e.workflowExecutionSignaledEventAttributes!.input!.payloads![0]).by]);
      const rejected = events.filter((e) => e.workflowExecutionUpdateRejectedEventAttributes);
      expect(accepted).to.deep.equal([APPROVER]);
      expect(signals).to.deep.equal([
        ['retry', INTRUDER],
        ['rollback', INTRUDER],
        ['signOff', INTRUDER],
        ['rollback', INTRUDER],
        ['signOff', APPROVER],
      ]);
      expect(rejected).to.have.length(0);
    });
  });
});
