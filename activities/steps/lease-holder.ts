import { Context } from '@temporalio/activity';
import { leaseHolder, type HeldBy } from '../../client/leases';

export function createLeaseHolderActivities() {
  return {
    /** Who holds an environment, and where that operation stands, for PRECHECK's refusal message. */
    async describeLease(input: { environment: string }): Promise<HeldBy | undefined> {
      const context = Context.current();
      return leaseHolder(context.client, input.environment, context.info.taskQueue, { ask: true });
    },
  };
}
