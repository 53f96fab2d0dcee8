import type { EnvironmentConfig } from '../../config/catalog';
import { EXPORT_POLICY, loadScrubPolicy, REFRESH_POLICY, shippedPolicyFile } from './scrub-policy';

export type PolicyKind = 'refresh' | 'export';

/** The shipped policy for the operation, then the environment's own extensions. */
export function policyFor(kind: PolicyKind, env: EnvironmentConfig) {
  return loadScrubPolicy([shippedPolicyFile(kind === 'refresh' ? REFRESH_POLICY : EXPORT_POLICY), ...env.scrubPolicies]);
}
