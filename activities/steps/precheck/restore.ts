import type { CheckResult, PrecheckOutcome } from '../../../workflows/types';
import { ActivityDeps, runStepActivity } from '../../runtime';
import { precheckOutcome, replaceableTarget } from './checks';
import { checkRestoreTime } from './restore-time';

export function createPrecheckRestoreActivities(deps: ActivityDeps) {
  return {
    /** PRECHECK of a point-in-time restore: the state asked for (exactly that time, unless the nearest was accepted) can be given. */
    async precheckRestore(input: { operationId: string; target: string; to: string; nearest?: boolean; point?: string }): Promise<PrecheckOutcome> {
      return runStepActivity(deps, 'PRECHECK', input.operationId, async (scope) => {
        const started = performance.now();
        const checks: CheckResult[] = [];
        const reading = await replaceableTarget(deps, scope, input.target, 'a point-in-time restore', checks);
        if (reading) {
          checks.push(
            checkRestoreTime(
              reading.env.name,
              { to: input.to, nearest: input.nearest, point: input.point },
              await scope.engine(reading.env).restorePoints(reading.env),
            ),
          );
        }
        return precheckOutcome(checks, started, reading?.env.approvers ?? []);
      });
    },
  };
}
