import * as os from 'node:os';
import { Client } from '@temporalio/client';
import type { EnvironmentConfig, LoadedCatalog } from '../config/catalog';
import { createEngineRegistry, type EngineRegistry } from '../engines/registry';
import { connectClient } from '../config/connection';
import { DbmoveHome, homeCatalog, homeTemporalConfig, resolveHome } from '../config/home';
import { TemporalConfig } from '../config/temporal-config';
import { DbmoveError, UsageError } from '../common/errors';

/** Exit codes of the `dbmove` command line. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

export class TemporalUnreachableError extends DbmoveError {
  constructor(config: TemporalConfig, cause: unknown) {
    super(
      'TemporalUnreachable',
      `Cannot reach Temporal at ${config.address} (namespace ${config.namespace}): ${(cause as Error)?.message ?? cause}. ` +
        'Start the local stack with `npm start` (or `dbmove server` and `dbmove worker`), or point TEMPORAL_ADDRESS at your Temporal service.',
    );
  }
}

/** What every command may need, loaded lazily so `dbmove --help` needs nothing. */
export class CliContext {
  readonly home: DbmoveHome;
  private clientPromise: Promise<Client> | undefined;
  private config: TemporalConfig | undefined;
  private registry: EngineRegistry | undefined;

  constructor(env: NodeJS.ProcessEnv = process.env) {
    this.home = resolveHome(env);
  }

  temporal(): TemporalConfig {
    return (this.config ??= homeTemporalConfig(this.home));
  }

  catalog(): LoadedCatalog {
    return homeCatalog(this.home);
  }

  /** The engines, for commands that read a platform directly (restore points, plan, a backup's manifest). */
  readonly engines: EngineRegistry = (env: EnvironmentConfig) => {
    this.registry ??= createEngineRegistry({ defaultRetention: this.catalog().defaults.restorePointRetention });
    return this.registry(env);
  };

  async client(): Promise<Client> {
    this.clientPromise ??= connectClient(this.temporal()).catch((err) => {
      this.clientPromise = undefined;
      if ((err as Error)?.name === 'ConfigError') throw err; // a bad codec key is bad usage, not an unreachable server
      throw new TemporalUnreachableError(this.temporal(), err);
    });
    return this.clientPromise;
  }

  async close(): Promise<void> {
    if (this.clientPromise) await (await this.clientPromise.catch(() => undefined))?.connection.close();
  }

  workflowUrl(operationId: string): string {
    const t = this.temporal();
    return `${t.webUiUrl}/namespaces/${encodeURIComponent(t.namespace)}/workflows/${encodeURIComponent(operationId)}`;
  }
}

/** Who is acting, recorded in the history: --by, else DBMOVE_USER, else the OS account. */
export function actor(explicit: string | undefined): string {
  if (explicit !== undefined) {
    if (!/^[\w.@+\- ]{1,128}$/u.test(explicit))
      throw new UsageError(`--by "${explicit.slice(0, 40)}" is not a valid name: use letters, digits, spaces and . @ + - _ (at most 128)`);
    return explicit;
  }
  const fromEnv = process.env.DBMOVE_USER;
  if (fromEnv && /^[\w.@+\- ]{1,128}$/u.test(fromEnv)) return fromEnv;
  try {
    return os.userInfo().username || 'unknown';
  } catch {
    return 'unknown';
  }
}
