import { CancellationScope, condition, setHandler, startChild, ChildWorkflowHandle, ParentClosePolicy, workflowInfo } from '@temporalio/workflow';
import { leaseHolderQuery, LeaseHolder, releaseLeaseSignal } from './messages';
import { leaseWorkflowId } from './lease-id';

/**
 * One open operation per environment, enforced by Temporal itself: every operation that
 * changes an environment starts this child with the fixed id `dbmove-lease-<environment>@<task queue>`.
 * Temporal refuses a second running workflow with the same id, so two operations can never
 * both hold an environment, however they were started (CLI, script, schedule, Web UI). The
 * lease ends when its operation releases it at sign-off, or with its operation
 * (ParentClosePolicy TERMINATE) if that is terminated.
 */
export async function environmentLease(holder: LeaseHolder): Promise<LeaseHolder> {
  let released = false;
  setHandler(leaseHolderQuery, () => holder);
  setHandler(releaseLeaseSignal, ({ operationId }) => {
    if (operationId === holder.operationId) released = true;
  });
  await condition(() => released);
  return holder;
}

export { leaseWorkflowId } from './lease-id';

export type Lease = ChildWorkflowHandle<typeof environmentLease>;

export type LeaseOutcome = { acquired: true; handle: Lease } | { acquired: false };

export async function acquireLease(holder: LeaseHolder): Promise<LeaseOutcome> {
  try {
    // Outside the operation's cancellation scope: a cancel request (accepted before SWAP,
    // refused after it) must not cancel the lease too, or the environment would be free to a
    // second operation while this one still waits for sign-off. Releasing is explicit.
    const handle = await CancellationScope.nonCancellable(() =>
      startChild(environmentLease, {
        workflowId: leaseWorkflowId(holder.environment, workflowInfo().taskQueue),
        args: [holder],
        parentClosePolicy: ParentClosePolicy.TERMINATE,
      }),
    );
    return { acquired: true, handle };
  } catch (err) {
    // WorkflowExecutionAlreadyStartedError lives in @temporalio/common; its name is stable.
    if (err instanceof Error && err.name === 'WorkflowExecutionAlreadyStartedError') return { acquired: false };
    throw err;
  }
}

export async function releaseLease(handle: Lease, operationId: string): Promise<void> {
  await handle.signal(releaseLeaseSignal, { operationId });
}
