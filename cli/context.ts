import * as fs from 'node:fs';
import * as os from 'node:os';
import type { Client } from '@temporalio/client';
import type { LoadedCatalog } from '../config/catalog';
import type { EngineRegistry } from '../engines/registry';
import type { OperationReader } from '../client/reader';
import { DbmoveHome, homeCatalog, homeTemporalConfig, resolveHome } from '../config/home';
import type { TemporalConfig } from '../config/temporal-config';
import { DbmoveError, UsageError } from '../common/errors';

/**
 * Exit codes of the `dbmove` command line, one rule for every command (derived from the error
 * registry, common/errors.ts): 0 success; 1 the operation failed or was refused (a refusal is
 * a rule that declined a well-formed request); 2 bad usage (the command line itself is wrong:
 * an unknown option or name, a malformed value; nothing was started or changed).
 */
export { EXIT } from '../common/errors';

export class TemporalUnreachableError extends DbmoveError {
  constructor(config: TemporalConfig, cause: unknown) {
    super(
      'TemporalUnreachable',
      `Cannot reach Temporal at ${config.address} (namespace ${config.namespace}): ${(cause as Error)?.message ?? cause}. ` +
        'Start the local stack with `npm start` (or `dbmove server` and `dbmove worker`), or point TEMPORAL_ADDRESS at your Temporal service.',
    );
  }
}

/**
 * What every command may need, each loaded on first use, so that a command pays only for
 * what it uses: `dbmove --help` loads nothing, `dbmove status` a light reader (client/wire),
 * and only the commands that start, decide or touch databases load the Temporal client
 * library, the engines (better-sqlite3, and the Azure SDK or mssql when a catalog names them)
 * or the worker runtime.
 */
export class CliContext {
  readonly home: DbmoveHome;
  private clientPromise: Promise<Client> | undefined;
  private config: TemporalConfig | undefined;
  private registry: EngineRegistry | undefined;
  private wire: OperationReader | undefined;

  constructor(env: NodeJS.ProcessEnv = process.env) {
    this.home = resolveHome(env);
  }

  temporal(): TemporalConfig {
    return (this.config ??= homeTemporalConfig(this.home));
  }

  catalog(): LoadedCatalog {
    return homeCatalog(this.home);
  }

  /**
   * The names in the catalog, read without validating the rest (the catalog's schema loads
   * zod): enough to tell an environment's name from an operation id. A catalog that does not
   * parse is loaded properly, so its error is the usual one.
   */
  environmentNames(): string[] | undefined {
    if (!fs.existsSync(this.home.catalogFile)) return undefined;
    try {
      const raw = JSON.parse(fs.readFileSync(this.home.catalogFile, 'utf8')) as { environments?: { name?: unknown }[] };
      if (Array.isArray(raw.environments)) return raw.environments.map((e) => String(e?.name));
    } catch {
      /* fall through to the full load and its error */
    }
    return this.catalog().environments.map((e) => e.name);
  }

  /** The engines, for commands that read a platform directly (restore points, plan, a backup's manifest). */
  async engines(): Promise<EngineRegistry> {
    if (!this.registry) {
      const { createEngineRegistry } = await import('../engines/registry');
      this.registry = createEngineRegistry({ defaultRetention: this.catalog().defaults.restorePointRetention });
    }
    return this.registry;
  }

  /** The Temporal client library, for commands that start operations, decide or manage schedules. */
  async client(): Promise<Client> {
    this.clientPromise ??= import('../config/connection')
      .then(({ connectClient }) => connectClient(this.temporal()))
      .catch((err) => {
        this.clientPromise = undefined;
        if ((err as Error)?.name === 'ConfigError') throw err; // a bad codec key is bad usage, not an unreachable server
        throw new TemporalUnreachableError(this.temporal(), err);
      });
    return this.clientPromise;
  }

  /** The light read-only reader (client/wire) for status, list, history and logs. */
  async reader(): Promise<OperationReader> {
    if (!this.wire) {
      // A malformed codec key is bad usage whether or not this command meets an encrypted payload.
      (await import('../codec/codec-keys')).codecKeysFromEnvironment(process.env);
      const { wireReader } = await import('../client/reader');
      const config = this.temporal();
      const reader = wireReader(config);
      const unreachable = (err: unknown) => {
        if ((err as Error)?.name === 'GrpcError' && (err as { code?: number }).code === 14) throw new TemporalUnreachableError(config, err);
        throw err;
      };
      this.wire = {
        describe: (id, run) => reader.describe(id, run).catch(unreachable),
        queryStatus: (id, run) => reader.queryStatus(id, run).catch(unreachable),
        list: (query, limit) => reader.list(query, limit).catch(unreachable),
        close: () => reader.close(),
      };
    }
    return this.wire;
  }

  async close(): Promise<void> {
    await this.wire?.close();
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
