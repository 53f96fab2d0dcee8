import { findEnvironment, type EnvironmentConfig, type LoadedCatalog } from '../config/catalog';
import { assertName, ENVIRONMENT_NAME } from '../config/names';
import { loadScrubPolicy } from '../activities/policy/scrub-policy';

/**
 * An environment a person named, checked as far as can be without starting anything: a
 * well-formed name, in the catalog, and the scrub policy files it adds load (their tables and
 * columns are strict identifiers). Throws InvalidName, UnknownEnvironment or ConfigError.
 */
export function checkEnvironment(catalog: LoadedCatalog, name: string): EnvironmentConfig {
  assertName('environment name', name, ENVIRONMENT_NAME);
  const env = findEnvironment(catalog, name);
  if (env.scrubPolicies.length) loadScrubPolicy(env.scrubPolicies);
  return env;
}
