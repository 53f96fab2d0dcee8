import { DEFAULT_TIMEOUTS, type EnvironmentConfig, type LoadedCatalog } from '../config/catalog';
import type { Duration } from '@temporalio/common';
import type { Tuning } from '../workflows/types';

/**
 * An environment's runtime settings with the catalog's defaults filled in: timeouts (heartbeat,
 * step, SWAP's wait for a busy target), the integrity check level, and what SWAP does about
 * writes made to the target since MARKER.
 */
export function withSettings<E extends EnvironmentConfig>(catalog: LoadedCatalog, env: E): E {
  const defaults = catalog.defaults;
  return {
    ...env,
    timeouts: { ...DEFAULT_TIMEOUTS, ...defaults.timeouts, ...env.timeouts },
    integrityCheck: env.integrityCheck ?? defaults.integrityCheck ?? 'quick',
    onTargetWrites: env.onTargetWrites ?? defaults.onTargetWrites ?? 'warn',
  };
}

/** What the workflow needs of them (durations only, never a secret): the steps' timeouts. */
export function tuningOf(catalog: LoadedCatalog, env: EnvironmentConfig): Tuning {
  const timeouts = withSettings(catalog, env).timeouts!;
  // Catalog durations ("2m", "24h") are valid Temporal durations: the schema allows ms, s, m, h.
  return { heartbeatTimeout: timeouts.heartbeat as Duration, stepTimeout: timeouts.step as Duration };
}
