import { SafetyCheckFailed } from '../common/errors';
import type { EnvironmentConfig } from '../config/catalog';
import type { ActivityScope } from './runtime';

/**
 * The last line of defence before a database is replaced: re-read, at the moment of use,
 * both the catalog and the live database's own identity (kept in the platform's metadata:
 * see DatabaseEngine.readIdentity), so that neither a catalog edited mid-operation nor a
 * wrong path can turn production into a target.
 */
export async function assertReplaceable(scope: ActivityScope, targetName: string, what: string): Promise<EnvironmentConfig> {
  const target = scope.environment(targetName);
  if (target.type === 'production') {
    throw new SafetyCheckFailed(
      `${what} refused: the catalog now lists ${target.name} as a production environment, and dbmove never replaces production. Roll back or cancel this operation`,
    );
  }
  const identity = await scope.engine(target).readIdentity(target);
  if (identity?.type === 'production') {
    throw new SafetyCheckFailed(
      `${what} refused: the database behind ${target.name} says it is the production environment "${identity.environment}". Correct the catalog, then roll back this operation`,
    );
  }
  if (identity && identity.environment !== target.name) {
    throw new SafetyCheckFailed(
      `${what} refused: the database behind ${target.name} belongs to "${identity.environment}". Correct the catalog, then roll back this operation`,
    );
  }
  return target;
}
