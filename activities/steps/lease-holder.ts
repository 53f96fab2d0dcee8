import { Context } from '@temporalio/activity';
import { leaseHolderQuery, statusQuery, type LeaseHolder } from '../../workflows/messages';
import { leaseWorkflowId } from '../../workflows/lease-id';

export function createLeaseHolderActivities() {
  return {
    /** Who holds an environment, and where that operation stands, for PRECHECK's refusal message. */
    async describeLease(input: { environment: string }): Promise<(LeaseHolder & { phase?: string }) | undefined> {
      const context = Context.current();
      const client = context.client;
      const lease = client.workflow.getHandle(leaseWorkflowId(input.environment, context.info.taskQueue));
      let holder: LeaseHolder;
      try {
        holder = await lease.query(leaseHolderQuery);
      } catch {
        try {
          const description = await lease.describe();
          const parent = description.raw.workflowExecutionInfo?.parentExecution?.workflowId;
          if (!parent) return undefined;
          holder = { environment: input.environment, operationId: parent, kind: 'operation', since: description.startTime.toISOString() };
        } catch {
          return undefined;
        }
      }
      try {
        const status = await client.workflow.getHandle(holder.operationId).query(statusQuery);
        return { ...holder, phase: status.phase };
      } catch {
        return holder;
      }
    },
  };
}
