import type { EnvironmentConfig } from '../../config/catalog';
import type { ActivityDeps, ActivityScope } from '../runtime';
import { readAdmin } from '../fo/target-settings';
import { withSession } from '../sessions';
import { Application } from './application';

/** The application around `target`, for an activity. */
export function applicationOf(deps: ActivityDeps, scope: ActivityScope, target: EnvironmentConfig): Application {
  return new Application(scope, target, scope.operationId, deps.catalog().directory, deps.secret, scope.engineContext().signal);
}

/**
 * Who signs in as Admin after the swap: the environment administrator the catalog names, or,
 * without one, the account Admin has in the data now live.
 */
export async function adminSignIn(scope: ActivityScope, target: EnvironmentConfig): Promise<{ signInName: string; identityProvider: string } | undefined> {
  if (target.administrator) return { signInName: target.administrator.networkAlias, identityProvider: target.administrator.identityProvider };
  const admin = await withSession(scope.engine(target).openLive(target), readAdmin).catch(() => undefined);
  return admin?.networkAlias ? { signInName: admin.networkAlias, identityProvider: admin.identityProvider } : undefined;
}
