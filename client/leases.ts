import { Client, WorkflowNotFoundError } from '@temporalio/client';
import { leaseWorkflowId } from '../workflows/lease-id';
import { leaseHolderQuery, statusQuery, type LeaseHolder } from '../workflows/messages';

/**
 * Who holds an environment: the one place that reads an environment's lease (the child
 * workflow every replacing operation holds from PRECHECK to sign-off). PRECHECK's refusal, `dbmove
 * plan` and `dbmove list --environments` all ask here.
 */
export interface HeldBy extends LeaseHolder {
  /** Where the holding operation stands now, when it answers. */
  phase?: string;
}

/**
 * `describe` needs only the Temporal service; `ask` also queries the lease and its operation
 * (kind, phase), which needs a worker to answer, so only callers inside a worker ask.
 */
export async function leaseHolder(client: Client, environment: string, taskQueue: string, options: { ask: boolean }): Promise<HeldBy | undefined> {
  const lease = client.workflow.getHandle(leaseWorkflowId(environment, taskQueue));
  let holder: HeldBy;
  try {
    const description = await lease.describe();
    if (description.status.name !== 'RUNNING') return undefined;
    holder = {
      environment,
      operationId: description.parentExecution?.workflowId ?? 'another operation',
      kind: 'operation',
      since: description.startTime.toISOString(),
    };
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return undefined;
    throw err;
  }
  if (!options.ask) return holder;
  try {
    holder = await lease.query(leaseHolderQuery);
    return { ...holder, phase: (await client.workflow.getHandle(holder.operationId).query(statusQuery)).phase };
  } catch {
    return holder;
  }
}
