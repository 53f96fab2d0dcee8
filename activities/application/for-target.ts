import type { EnvironmentConfig } from '../../config/catalog';
import type { ActivityDeps, ActivityScope } from '../runtime';
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
  const engine = scope.engine(target);
  const rows = await withSession(engine.openLive(target), (s) =>
    s.query<{ alias: string; provider: string }>(
      `SELECT ${s.dialect.quote('NETWORKALIAS')} AS alias, ${s.dialect.quote('IDENTITYPROVIDER')} AS provider FROM ${s.dialect.quote('USERINFO')} WHERE ${s.dialect.equalsIgnoreCase(s.dialect.quote('ID'), s.dialect.param(0))}`,
      ['Admin'],
    ),
  ).catch(() => []);
  return rows[0]?.alias ? { signInName: rows[0].alias, identityProvider: rows[0].provider } : undefined;
}
