import { SafetyCheckFailed } from '../common/errors';
import type { EnvironmentConfig } from '../config/catalog';
import { readEnvironmentFacts } from './environment-facts';
import type { ActivityScope } from './runtime';
import { withSession } from './sessions';

/**
 * The last line of defence before a database is replaced: re-read, at the moment of use,
 * both the catalog and the live database's own identity, so that neither a catalog edited
 * mid-operation nor a wrong path can turn production into a target.
 */
export async function assertReplaceable(scope: ActivityScope, targetName: string, what: string): Promise<EnvironmentConfig> {
  const target = scope.environment(targetName);
  if (target.type === 'production') {
    throw new SafetyCheckFailed(
      `${what} refused: the catalog now lists ${target.name} as a production environment, and dbmove never replaces production. Roll back or cancel this operation`,
    );
  }
  const engine = scope.engine(target);
  const facts = await withSession(engine.openLive(target), readEnvironmentFacts);
  if (facts.environmentType === 'production') {
    throw new SafetyCheckFailed(
      `${what} refused: the database behind ${target.name} says it is the production environment "${facts.environmentName}". Correct the catalog, then roll back this operation`,
    );
  }
  if (facts.environmentName && facts.environmentName !== target.name) {
    throw new SafetyCheckFailed(
      `${what} refused: the database behind ${target.name} belongs to "${facts.environmentName}". Correct the catalog, then roll back this operation`,
    );
  }
  return target;
}
