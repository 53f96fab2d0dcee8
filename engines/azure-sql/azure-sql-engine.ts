import { UnsupportedByEngine } from '../../common/errors';
import { ENGINE_CAPABILITIES } from '../capabilities';
import type { Database, SqlManagementClient } from '@azure/arm-sql';
import type { AzureSqlEnvironment } from '../../config/catalog';
import type {
  BackupManifest,
  CopyResult,
  DatabaseEngine,
  DatabaseFacts,
  DatabaseIdentity,
  DataSession,
  EngineCapabilities,
  EngineContext,
  ExportResult,
  Holding,
  Marker,
  RestoreResult,
  RestoreWindow,
  StagingAddress,
  SwapResult,
} from '../port';
import { tsqlPrincipals } from '../tsql/principals';
import { identityFromTags, identityTags, writeIdentityTags } from './identity-tags';
import type { ConnectionFactory } from '../tsql/tsql-connection';
import { mssqlConnectionFactory } from '../tsql/mssql-connection';
import { TsqlSession } from '../tsql/tsql-session';
import { utcIso } from '../tsql/server-time';
import { armCall, ASLEEP, BROKEN, BUILDING, droppedRestorableFrom, READY, ServerApi, ServerInfo } from './arm';
import { exportBacpac, importBacpac } from './bacpac';
import { derivedNames, DerivedNames, isAsideOf } from './names';
import { copyPlan, describePlacement, Placement, placementOf, placementUpdate, restoreBody, stagingPlacement } from './placement';
import { sleep } from '../abort';
import { ResumeJournal, runResumable } from './resumable';

/**
 * Azure SQL Database behind the engine port. The control plane (copy, point-in-time
 * restore, rename, delete, export, import) goes through ARM with @azure/arm-sql; the data
 * plane (scrub, sync, post-configuration, verification) through mssql with the T-SQL dialect.
 *
 * Every method derives its databases' names from the operation id (names.ts) and looks
 * before it acts, because Temporal runs activities at least once: the server's own list of
 * databases is the journal. Long-running ARM operations save their poller state through the
 * engine context, so that a retried activity resumes the same copy or restore and never
 * starts a second one.
 */
export interface AzureSqlEngineOptions {
  /** The ARM client for a subscription and a Resource Manager endpoint (tests point it at a loopback server). */
  managementClient?: (subscriptionId: string, endpoint: string) => SqlManagementClient;
  /** Data-plane connections (tests record statements instead of reaching a server). */
  connections?: ConnectionFactory;
  secret?: (name: string) => string | undefined;
  /** Between two polls of a long-running operation; Azure's own guidance is seconds to tens of seconds. */
  pollIntervalMs?: number;
}

export class AzureSqlEngine implements DatabaseEngine<AzureSqlEnvironment> {
  readonly kind = 'azure-sql' as const;
  readonly capabilities: EngineCapabilities = ENGINE_CAPABILITIES['azure-sql'];
  private readonly clients = new Map<string, SqlManagementClient>();
  private readonly servers = new Map<string, Promise<ServerInfo>>();
  private readonly connections: ConnectionFactory;
  private readonly secret: (name: string) => string | undefined;
  private readonly pollIntervalMs: number;
  readonly principals = tsqlPrincipals;

  constructor(private readonly options: AzureSqlEngineOptions = {}) {
    this.secret = options.secret ?? ((name) => process.env[name]);
    this.connections = options.connections ?? mssqlConnectionFactory({ secret: this.secret });
    this.pollIntervalMs = options.pollIntervalMs ?? 10_000;
  }

  private api(env: AzureSqlEnvironment): ServerApi {
    const subscription = env.database.subscriptionId;
    const endpoint = env.database.resourceManagerEndpoint ?? PUBLIC_CLOUD_ARM;
    const key = `${endpoint} ${subscription}`.toLowerCase();
    let client = this.clients.get(key);
    if (!client) {
      client = this.options.managementClient?.(subscription, endpoint) ?? defaultManagementClient(subscription, endpoint);
      this.clients.set(key, client);
    }
    return new ServerApi(client, env, this.servers);
  }

  private names(env: AzureSqlEnvironment, operationId: string): DerivedNames {
    return derivedNames(env.database.database, operationId);
  }

  /** A T-SQL session on `database` of `env`'s server, at the host name ARM gives for the server. */
  private async session(env: AzureSqlEnvironment, database: string, role: string, readOnly: boolean): Promise<DataSession> {
    const connection = this.connections({
      environment: env.name,
      host: await this.api(env).host(),
      database,
      authentication: env.database.authentication,
      requestTimeoutMs: 0,
    });
    return new TsqlSession(connection, `${env.name} (${role})`, readOnly);
  }

  async readIdentity(env: AzureSqlEnvironment): Promise<DatabaseIdentity | undefined> {
    return identityFromTags((await this.api(env).database(env.database.database))?.tags);
  }

  async stampStagingIdentity(target: AzureSqlEnvironment, operationId: string, identity: DatabaseIdentity): Promise<void> {
    await writeIdentityTags(this.api(target), this.names(target, operationId).staging, identityTags(identity), this.pollIntervalMs);
  }

  async stampLiveIdentity(env: AzureSqlEnvironment, identity: DatabaseIdentity): Promise<void> {
    await writeIdentityTags(this.api(env), env.database.database, identityTags(identity), this.pollIntervalMs);
  }

  stagingAddress(target: AzureSqlEnvironment, operationId: string): StagingAddress {
    const { staging } = this.names(target, operationId);
    return { location: `${target.database.server}/${staging}`, server: `${target.database.server}.database.windows.net`, database: staging };
  }

  async inspect(env: AzureSqlEnvironment): Promise<DatabaseFacts> {
    const api = this.api(env);
    const name = env.database.database;
    const db = await api.database(name);
    return { exists: db !== undefined, location: api.location(name) };
  }

  async openLive(env: AzureSqlEnvironment): Promise<DataSession> {
    return this.session(env, env.database.database, 'live, read-only', true);
  }

  async openStaging(target: AzureSqlEnvironment, operationId: string): Promise<DataSession> {
    const api = this.api(target);
    const { staging } = this.names(target, operationId);
    const db = await api.database(staging);
    if (!db)
      throw new Error(`The staging database of operation ${operationId} for ${target.name} does not exist (${api.location(staging)}); run the COPY step first`);
    if (!READY.has(db.status ?? '')) throw new Error(`The staging database ${api.location(staging)} is ${db.status}, not Online; wait for COPY to finish`);
    // A serverless staging database that paused while it waited is not broken: resumed first.
    if (ASLEEP.has(db.status ?? '')) await this.wake(api, target, staging, { log: () => undefined, signal: new AbortController().signal });
    return this.session(target, staging, `staging of ${operationId}`, false);
  }

  /**
   * The marker is the target server's own clock, read through the data plane, and is only
   * accepted when the database's continuous backups already reach back to it.
   */
  async markPointInTime(target: AzureSqlEnvironment, operationId: string, ctx: EngineContext): Promise<Marker> {
    const journal = new ResumeJournal(ctx);
    if (journal.marker) return journal.marker;
    const api = this.api(target);
    const name = target.database.database;
    const db = await api.database(name);
    if (!db) throw new Error(`${target.name}'s database ${api.location(name)} does not exist`);
    const session = await this.openLive(target);
    let at: string;
    try {
      const [row] = await session.query<{ utc: unknown }>('SELECT SYSUTCDATETIME() AS utc');
      at = utcIso(row?.utc);
    } finally {
      await session.close();
    }
    const earliest = db.earliestRestoreDate;
    if (!earliest) {
      throw new Error(
        `${api.location(name)} has no restore point yet (Azure reports no earliestRestoreDate until its first backup, minutes after creation); retry MARKER later`,
      );
    }
    if (Date.parse(at) < earliest.getTime()) {
      throw new Error(`${api.location(name)} cannot be restored to ${at}: its backups reach back only to ${earliest.toISOString()}`);
    }
    const marker: Marker = { environment: target.name, at, restorePoint: `${api.location(name)}@${at}` };
    journal.saveMarker(marker);
    ctx.log(`Marker ${at} on ${api.location(name)} (backups reach back to ${earliest.toISOString()})`);
    return marker;
  }

  async copyToStaging(source: AzureSqlEnvironment, target: AzureSqlEnvironment, operationId: string, ctx: EngineContext): Promise<CopyResult> {
    const src = source;
    const tgt = target;
    if (src.database.subscriptionId.toLowerCase() !== tgt.database.subscriptionId.toLowerCase()) {
      throw new UnsupportedByEngine(
        'azure-sql',
        `copy ${source.name} into ${target.name}, which is in another subscription`,
        'Azure Resource Manager copies only within a subscription: export the source to a bacpac and import it instead.',
      );
    }
    const sourceApi = this.api(source);
    const targetApi = this.api(target);
    const { staging } = this.names(target, operationId);
    const started = performance.now();
    const live = await targetApi.database(tgt.database.database);
    if (!live)
      throw new Error(
        `${target.name}'s database ${targetApi.location(tgt.database.database)} does not exist; dbmove only replaces an existing database (check the catalog)`,
      );
    const wanted = stagingPlacement(live, tgt.database.serviceObjective);
    const notes: string[] = [];
    const build = await this.buildStaging(
      targetApi,
      staging,
      ctx,
      `copy:${staging}`,
      async () => {
        const from = await sourceApi.database(src.database.database);
        if (!from) throw new Error(`${source.name}'s database ${sourceApi.location(src.database.database)} does not exist`);
        const plan = copyPlan(from, wanted);
        if ('refused' in plan)
          throw new UnsupportedByEngine(
            'azure-sql',
            `copy ${source.name} into ${target.name}: ${plan.refused}`,
            'Refresh from a source in the same service tier as the target, or move the target to Hyperscale.',
          );
        await this.checkFits(source, wanted, target);
        notes.push(`Staging ${plan.note}`);
        return {
          location: await targetApi.serverLocation(),
          createMode: 'Copy',
          sourceDatabaseId: sourceApi.databaseId(src.database.database),
          ...plan.body,
        };
      },
      `copying ${sourceApi.location(src.database.database)}`,
    );
    notes.push(...(await this.conform(targetApi, tgt, staging, wanted, ctx)));
    build.bytes = await this.usedBytes(tgt, staging);
    return {
      bytes: build.bytes,
      durationMs: performance.now() - started,
      staging: { kind: 'staging', environment: target.name, location: targetApi.location(staging), bytes: build.bytes || undefined },
      resumed: build.resumed,
      notes: [
        build.resumed
          ? `${targetApi.location(staging)} was already being built by an earlier attempt; this attempt waited for it without starting a second copy`
          : `Database copy of ${sourceApi.location(src.database.database)} onto ${targetApi.location(staging)} (transactionally consistent as of the copy's completion; the source stays online)`,
        ...notes,
      ],
    };
  }

  /**
   * Refuses a copy whose data would not fit the target's max size, before the copy is made
   * (Azure would refuse the update to that size only after the whole copy).
   */
  private async checkFits(source: AzureSqlEnvironment, wanted: Placement, target: AzureSqlEnvironment): Promise<void> {
    if (!wanted.maxSizeBytes) return;
    const used = await this.usedBytes(source, source.database.database);
    if (used > wanted.maxSizeBytes)
      throw new UnsupportedByEngine(
        'azure-sql',
        `copy ${source.name} into ${target.name}: its data takes ${gib(used)} GiB and ${target.name}'s database has a max size of ${gib(wanted.maxSizeBytes)} GiB`,
        `Raise the max size of ${target.name}'s database to at least ${gib(used)} GiB, then retry.`,
      );
  }

  /**
   * Brings a staging (or restored) database to the placement of the database it will replace:
   * its pool, compute size and max size. An update (PATCH, a long-running operation) only when
   * something differs, so a retry finds the work done; a paused serverless database is resumed
   * first (Azure refuses an update while it is paused).
   */
  private async conform(api: ServerApi, env: AzureSqlEnvironment, name: string, wanted: Placement, ctx: EngineContext): Promise<string[]> {
    let db = await api.database(name);
    if (!db) throw new Error(`${api.location(name)} disappeared before it could be scaled; retry the step`);
    const update = placementUpdate(db, wanted);
    if (!update) return [];
    if (ASLEEP.has(db.status ?? '')) db = await this.wake(api, env, name, ctx);
    await runResumable({
      ctx,
      journal: new ResumeJournal(ctx),
      key: `scale:${name}`,
      pollIntervalMs: this.pollIntervalMs,
      onPoll: async () => ctx.progress(95, `scaling ${name} to ${describePlacement(wanted)}`),
      begin: (resumeFrom) =>
        armCall(`Scaling ${api.location(name)}`, () =>
          api.client.databases.beginUpdate(api.resourceGroup, api.server, name, update, { resumeFrom, updateIntervalInMs: this.pollIntervalMs }),
        ),
    }).catch((err) => {
      throw mapError(`Scaling ${api.location(name)}`, err);
    });
    return [`Scaled ${name} to ${describePlacement(wanted)}, as the database it replaces runs (was ${describePlacement(placementOf(db))})`];
  }

  /**
   * Resumes a paused (or auto-closed) serverless database by logging in to it, which is what
   * resumes one, then waits until ARM reports it Online. The first logins may be refused while
   * it resumes.
   */
  private async wake(api: ServerApi, env: AzureSqlEnvironment, name: string, ctx: Pick<EngineContext, 'log' | 'signal'>): Promise<Database> {
    ctx.log(`${api.location(name)} is paused: logging in to resume it`);
    for (let attempt = 1; ; attempt++) {
      const db = await api.database(name);
      if (!db) throw new Error(`${api.location(name)} disappeared while it was being resumed; retry the step`);
      if (db.status === 'Online') return db;
      if (!READY.has(db.status ?? '')) throw new Error(`${api.location(name)} is ${db.status} while resuming; retry the step`);
      const session = await this.session(env, name, 'resume', true);
      await session
        .query('SELECT 1 AS resumed')
        .catch((err: Error) => ctx.log(`Login ${attempt} to resume ${api.location(name)} was refused (${err.message.split('\n')[0]}); retrying`))
        .finally(() => session.close());
      if (attempt >= 60) throw new Error(`${api.location(name)} did not resume after ${attempt} logins; retry the step`);
      await sleep(this.pollIntervalMs, ctx.signal);
    }
  }

  /**
   * Creates `name` with createOrUpdate (copy, point-in-time restore, restore of a dropped
   * database) exactly once: resumes the saved operation if there is one, waits for a database
   * that an earlier attempt started building, drops and redoes one whose build failed.
   */
  private async buildStaging(
    api: ServerApi,
    name: string,
    ctx: EngineContext,
    key: string,
    definition: () => Promise<Database>,
    what: string,
  ): Promise<{ resumed: boolean; bytes: number }> {
    const journal = new ResumeJournal(ctx);
    const progress = async () => {
      const percent = await api.percentComplete(name);
      ctx.progress(percent ?? 0, `${what} into ${name}${percent !== undefined ? `: ${percent}%` : ''}`);
    };
    if (!journal.lro(key)) {
      const existing = await api.database(name);
      if (existing && READY.has(existing.status ?? '')) {
        // Online, or a serverless database paused since: built either way, never copied again.
        ctx.progress(100, `${name} already built (${existing.status})`);
        return { resumed: true, bytes: 0 };
      }
      if (existing && BUILDING.has(existing.status ?? '')) {
        // An earlier attempt sent the request but its saved state never reached a heartbeat.
        ctx.log(`${api.location(name)} is ${existing.status}: waiting for the earlier attempt's operation instead of starting another`);
        await this.waitOnline(api, name, ctx, progress);
        return { resumed: true, bytes: 0 };
      }
      if (existing) {
        ctx.log(`${api.location(name)} is ${existing.status}: dropping it and starting again`);
        await this.deleteDatabase(api, name);
      }
    }
    const body = journal.lro(key) ? ({} as Database) : await definition();
    const { resumed } = await runResumable({
      ctx,
      journal,
      key,
      pollIntervalMs: this.pollIntervalMs,
      onPoll: progress,
      begin: (resumeFrom) =>
        armCall(`Creating ${api.location(name)} (${body.createMode ?? 'resumed'})`, () =>
          api.client.databases.beginCreateOrUpdate(api.resourceGroup, api.server, name, body, { resumeFrom, updateIntervalInMs: this.pollIntervalMs }),
        ),
    }).catch((err) => {
      throw mapError(`Creating ${api.location(name)}`, err);
    });
    ctx.progress(100, `${name} online`);
    return { resumed, bytes: 0 };
  }

  /** Space used by a database's data files, from the database itself; 0 when it cannot be read. */
  private async usedBytes(env: AzureSqlEnvironment, database: string): Promise<number> {
    try {
      const session = await this.session(env, database, 'size', true);
      try {
        const [row] = await session.query<{ bytes: unknown }>(USED_BYTES_QUERY);
        return Number(row?.bytes ?? 0) || 0;
      } finally {
        await session.close();
      }
    } catch {
      return 0;
    }
  }

  private async waitOnline(api: ServerApi, name: string, ctx: EngineContext, progress: () => Promise<void>): Promise<void> {
    for (;;) {
      const db = await api.database(name);
      if (!db) throw new Error(`${api.location(name)} disappeared while it was being built; retry the step`);
      if (READY.has(db.status ?? '')) return;
      if (BROKEN.has(db.status ?? '')) throw new Error(`${api.location(name)} is ${db.status}: the copy or restore failed; retry the step to drop and redo it`);
      await progress();
      await sleep(this.pollIntervalMs, ctx.signal);
    }
  }

  private async deleteDatabase(api: ServerApi, name: string): Promise<boolean> {
    if (!(await api.database(name))) return false;
    await armCall(`Deleting ${api.location(name)}`, async () => {
      const poller = await api.client.databases.beginDelete(api.resourceGroup, api.server, name, { updateIntervalInMs: this.pollIntervalMs });
      await poller.pollUntilDone();
    });
    return true;
  }

  /**
   * SWAP: live aside, staging into the live name (two renames; the target is unavailable
   * between them). Resumes from wherever an earlier attempt stopped: the names that exist
   * say which renames are done.
   */
  async swapIn(target: AzureSqlEnvironment, operationId: string, ctx: EngineContext): Promise<SwapResult> {
    const api = this.api(target);
    const n = this.names(target, operationId);
    const [live, staging, aside] = await Promise.all([api.database(n.live), api.database(n.staging), api.database(n.aside)]);
    if (!staging && aside && live) {
      return {
        unavailableWindowMs: 0,
        durationMs: 0,
        resumed: true,
        notes: [`${api.location(n.live)} already holds this operation's copy; ${n.aside} is the database it replaced`],
      };
    }
    if (!staging) throw new Error(`Nothing to swap in: the staging database ${api.location(n.staging)} does not exist`);
    if (!READY.has(staging.status ?? '')) throw new Error(`The staging database ${api.location(n.staging)} is ${staging.status}, not Online`);
    // A serverless staging database paused while it waited: resumed before the renames, so that
    // the target's first connection after SWAP does not wait for it.
    if (ASLEEP.has(staging.status ?? '')) await this.wake(api, target, n.staging, ctx);
    if (!live && !aside)
      throw new Error(`${target.name}'s database ${api.location(n.live)} does not exist; dbmove only replaces an existing database (check the catalog)`);
    if (live && aside)
      throw new Error(
        `${api.location(n.live)}, ${n.staging} and ${n.aside} all exist: an earlier rollback of this operation already ran; roll back or sign off instead of swapping again`,
      );
    const started = performance.now();
    const notes: string[] = [];
    if (live) {
      await api.rename(n.live, n.aside);
      notes.push(`Renamed ${n.live} to ${n.aside} (kept until sign-off, the source of any rollback)`);
    } else {
      notes.push(`${n.live} was already renamed to ${n.aside} by an earlier attempt`);
    }
    await api.rename(n.staging, n.live);
    const windowMs = performance.now() - started;
    ctx.progress(100, 'swapped');
    notes.push(
      `Renamed ${n.staging} to ${n.live}; ${target.name} was unavailable for ${windowMs.toFixed(0)} ms (between the two renames; connections to the old database were closed by the rename)`,
    );
    return { unavailableWindowMs: windowMs, durationMs: windowMs, resumed: !live, notes };
  }

  /**
   * Rollback after SWAP: a point-in-time restore of the database that SWAP set aside, to the
   * marker, into a new database (Azure never restores over an existing one); then the rename
   * swap: the rejected copy back to the staging name (dropStaging removes it), the restored
   * database into the live name. If the aside database was dropped, its restorable dropped
   * backup is used instead.
   */
  async restoreToMarker(target: AzureSqlEnvironment, marker: Marker, operationId: string, ctx: EngineContext): Promise<SwapResult> {
    const api = this.api(target);
    const n = this.names(target, operationId);
    const [live, staging, rollback] = await Promise.all([api.database(n.live), api.database(n.staging), api.database(n.rollback)]);
    if (live && staging && !rollback) {
      return {
        unavailableWindowMs: 0,
        durationMs: 0,
        resumed: true,
        notes: [`${api.location(n.live)} was already restored to ${marker.at} by an earlier attempt`],
      };
    }
    const started = performance.now();
    const notes: string[] = [];
    if (!(rollback?.status === 'Online' && (!live || !staging))) {
      const definition = await this.restoreDefinition(api, n, marker.at);
      const built = await this.buildStaging(
        api,
        n.rollback,
        ctx,
        `restore:${n.rollback}`,
        async () => definition.body,
        `restoring ${definition.from} to ${marker.at}`,
      );
      notes.push(`${built.resumed ? 'Finished the' : 'Ran a'} point-in-time restore of ${definition.from} to ${marker.at} into ${n.rollback}`);
      notes.push(...(await this.conform(api, target, n.rollback, definition.placement, ctx)));
    }
    // A restore creates a resource without tags: it takes the identity of the database it was restored from.
    const restoredFrom = (await api.database(n.aside))?.tags;
    const identity = identityFromTags(restoredFrom);
    if (identity) await writeIdentityTags(api, n.rollback, identityTags(identity), this.pollIntervalMs);
    const swapStarted = performance.now();
    if (await api.database(n.live)) await api.rename(n.live, n.staging);
    await api.rename(n.rollback, n.live);
    const windowMs = performance.now() - swapStarted;
    notes.push(
      `Renamed this operation's copy back to ${n.staging} and ${n.rollback} to ${n.live}; ${target.name} was unavailable for ${windowMs.toFixed(0)} ms`,
    );
    ctx.progress(100, 'restored');
    return { unavailableWindowMs: windowMs, durationMs: performance.now() - started, resumed: false, notes };
  }

  /**
   * The restore of the database SWAP set aside, to the marker: a point-in-time restore of it,
   * or of its restorable dropped backup if it was deleted. The restored database replaces the
   * target, so it is restored into the placement the target had (its pool, or its compute size
   * and tier, and its max size): the aside database's own, or, when it is gone, the live one's,
   * which COPY brought to that same placement.
   */
  private async restoreDefinition(api: ServerApi, n: DerivedNames, at: string): Promise<{ body: Database; from: string; placement: Placement }> {
    const location = await api.serverLocation();
    const aside = await api.database(n.aside);
    if (aside) {
      if (aside.earliestRestoreDate && Date.parse(at) < aside.earliestRestoreDate.getTime()) {
        throw new Error(`${api.location(n.aside)} can only be restored back to ${aside.earliestRestoreDate.toISOString()}, after the marker ${at}`);
      }
      const placement = placementOf(aside);
      return {
        body: {
          location,
          createMode: 'PointInTimeRestore',
          sourceDatabaseId: api.databaseId(n.aside),
          restorePointInTime: new Date(at),
          ...restoreBody(placement),
        },
        from: api.location(n.aside),
        placement,
      };
    }
    const dropped = (await api.restorableDropped())
      .filter((d) => d.databaseName === n.aside)
      .sort((a, b) => (b.deletionDate?.getTime() ?? 0) - (a.deletionDate?.getTime() ?? 0))[0];
    if (!dropped)
      throw new Error(
        `Neither ${api.location(n.aside)} nor a restorable dropped copy of it exists: ${api.env.name} cannot be returned to ${at} by this operation; use a point-in-time restore of an earlier backup`,
      );
    const live = await api.database(n.live);
    const placement = live ? placementOf(live) : {};
    return {
      body: { location, createMode: 'Restore', restorableDroppedDatabaseId: dropped.id, restorePointInTime: new Date(at), ...restoreBody(placement) },
      from: `${api.location(n.aside)} (dropped)`,
      placement,
    };
  }

  async compareWithMarker(): Promise<'identical' | 'changed' | 'unknown'> {
    // Azure keeps no content checksum; comparing would mean reading the whole database.
    return 'unknown';
  }

  /**
   * Before anything is deleted, the live name must point at a database. A crash between the
   * two renames of a swap or a rollback leaves it empty; this finishes the rollback (restored
   * database into the live name) or undoes the swap (aside database back).
   */
  private async ensureLiveName(api: ServerApi, n: DerivedNames): Promise<string[]> {
    if (await api.database(n.live)) return [];
    const rollback = await api.database(n.rollback);
    if (rollback?.status === 'Online') {
      await api.rename(n.rollback, n.live);
      return [`${n.live} was missing: renamed the restored ${n.rollback} into it`];
    }
    if (await api.database(n.aside)) {
      await api.rename(n.aside, n.live);
      return [`${n.live} was missing: renamed ${n.aside} back into it`];
    }
    return [];
  }

  async dropStaging(target: AzureSqlEnvironment, operationId: string): Promise<Holding[]> {
    const api = this.api(target);
    const n = this.names(target, operationId);
    await this.ensureLiveName(api, n);
    const removed: Holding[] = [];
    if (await this.deleteDatabase(api, n.staging)) removed.push({ kind: 'staging', environment: target.name, location: api.location(n.staging) });
    if (await this.deleteDatabase(api, n.rollback)) removed.push({ kind: 'temporary', environment: target.name, location: api.location(n.rollback) });
    return removed;
  }

  async holdings(env: AzureSqlEnvironment, operationId: string): Promise<Holding[]> {
    const api = this.api(env);
    const n = this.names(env, operationId);
    const candidates: [Holding['kind'], string][] = [
      ['staging', n.staging],
      ['aside', n.aside],
      ['temporary', n.rollback],
    ];
    const found = await Promise.all(
      candidates.map(async ([kind, name]) => ((await api.database(name)) ? { kind, environment: env.name, location: api.location(name) } : undefined)),
    );
    return found.filter((h): h is Holding => h !== undefined);
  }

  /**
   * Sign-off: delete staging, the rollback database and the aside database. Nothing is kept
   * for point-in-time restore: Azure's automatic backups already are the restore points, and
   * the deleted aside database stays restorable for the server's retention period.
   */
  async releaseHoldings(env: AzureSqlEnvironment, operationId: string): Promise<Holding[]> {
    const api = this.api(env);
    const n = this.names(env, operationId);
    await this.ensureLiveName(api, n);
    const held = await this.holdings(env, operationId);
    for (const name of [n.staging, n.rollback, n.aside]) await this.deleteDatabase(api, name);
    return held;
  }

  /**
   * The continuous window of point-in-time restore: from the database's earliest restore date
   * to its last log backup, the latest point a restore can reach (Azure takes log backups every
   * 5 to 10 minutes; "Restore points represent a period between the earliest restore point and
   * the latest log backup point"). The last log backup is read from sys.dm_database_backups,
   * which Hyperscale does not have: its window has no end but now.
   */
  async restorePoints(env: AzureSqlEnvironment): Promise<RestoreWindow> {
    const api = this.api(env);
    const name = env.database.database;
    const db = await api.database(name);
    if (!db) throw new Error(`${env.name}'s database ${api.location(name)} does not exist`);
    const window: RestoreWindow = { environment: env.name, continuous: true, earliest: db.earliestRestoreDate?.toISOString(), points: [] };
    if (db.sku?.tier === 'Hyperscale') return window;
    const session = await this.openLive(env);
    try {
      const [row] = await session.query<{ latest: unknown }>(LAST_LOG_BACKUP_QUERY);
      if (row?.latest !== null && row?.latest !== undefined) window.latest = utcIso(row.latest);
    } catch (err) {
      throw new Error(
        `Reading the last log backup of ${api.location(name)} from sys.dm_database_backups failed (${(err as Error).message.split('\n')[0]}); the identity needs VIEW DATABASE STATE on it (server admin, Entra admin or ##MS_ServerStateReader## on Basic, S0, S1 and pooled databases)`,
        { cause: err },
      );
    } finally {
      await session.close();
    }
    return window;
  }

  async restoreToStaging(target: AzureSqlEnvironment, at: string, operationId: string, ctx: EngineContext): Promise<RestoreResult> {
    const api = this.api(target);
    const n = this.names(target, operationId);
    const wanted = Date.parse(at);
    if (Number.isNaN(wanted)) throw new Error(`${at} is not a point in time (use an ISO time such as 2026-11-20T08:00:00Z)`);
    const started = performance.now();
    const location = await api.serverLocation();
    const live = await api.database(n.live);
    // Staging replaces the live database at SWAP: restored into the live database's placement.
    const placement = live ? placementOf(live) : {};
    let body: Database;
    let from: string;
    if (live?.earliestRestoreDate && wanted >= live.earliestRestoreDate.getTime()) {
      body = {
        location,
        createMode: 'PointInTimeRestore',
        sourceDatabaseId: api.databaseId(n.live),
        restorePointInTime: new Date(at),
        ...restoreBody(placement),
      };
      from = api.location(n.live);
    } else {
      // Before the live database's backups begin: an earlier refresh replaced it, and the
      // database it replaced (its aside, or an older live database) is a dropped database now.
      const dropped = (await api.restorableDropped())
        .filter((d) => d.databaseName === n.live || isAsideOf(n.live, d.databaseName))
        .filter((d) => droppedRestorableFrom(d) <= wanted && wanted <= (d.deletionDate?.getTime() ?? 0))
        .sort((a, b) => (b.deletionDate?.getTime() ?? 0) - (a.deletionDate?.getTime() ?? 0))[0];
      if (!dropped) {
        throw new Error(
          `${target.name} cannot be restored to ${at}: its backups reach back to ${live?.earliestRestoreDate?.toISOString() ?? 'nothing'}, and no dropped database of it covers that time`,
        );
      }
      body = { location, createMode: 'Restore', restorableDroppedDatabaseId: dropped.id, restorePointInTime: new Date(at), ...restoreBody(placement) };
      from = `${api.location(dropped.databaseName)} (dropped ${dropped.deletionDate?.toISOString()})`;
    }
    const built = await this.buildStaging(api, n.staging, ctx, `restore:${n.staging}`, async () => body, `restoring ${from} to ${at}`);
    const scaled = await this.conform(api, target, n.staging, placement, ctx);
    built.bytes = await this.usedBytes(target, n.staging);
    return {
      bytes: built.bytes,
      durationMs: performance.now() - started,
      staging: { kind: 'staging', environment: target.name, location: api.location(n.staging) },
      resumed: built.resumed,
      restoredTo: new Date(at).toISOString(),
      exact: true,
      notes: [`Point-in-time restore of ${from} to ${at} into ${api.location(n.staging)}`, ...scaled],
    };
  }

  async exportStaging(
    env: AzureSqlEnvironment,
    operationId: string,
    destination: string,
    manifest: Omit<BackupManifest, 'content'>,
    ctx: EngineContext,
  ): Promise<ExportResult> {
    const api = this.api(env);
    const { staging } = this.names(env, operationId);
    const usedBytes = await this.usedBytes(env, staging);
    return exportBacpac({ api, database: staging, destination, manifest, ctx, secret: this.secret, pollIntervalMs: this.pollIntervalMs, usedBytes });
  }

  async importToStaging(target: AzureSqlEnvironment, backup: string, operationId: string, ctx: EngineContext): Promise<CopyResult> {
    const api = this.api(target);
    const { staging } = this.names(target, operationId);
    const started = performance.now();
    const existing = await api.database(staging);
    if (existing?.status === 'Online' && !new ResumeJournal(ctx).lro(`import:${staging}`)) {
      return {
        bytes: 0,
        durationMs: 0,
        staging: { kind: 'staging', environment: target.name, location: api.location(staging) },
        resumed: true,
        notes: [`${api.location(staging)} was already imported by an earlier attempt`],
      };
    }
    if (existing && existing.status !== 'Online') await this.deleteDatabase(api, staging);
    const notes = await importBacpac({ api, database: staging, backup, ctx, secret: this.secret, pollIntervalMs: this.pollIntervalMs });
    return {
      bytes: 0,
      durationMs: performance.now() - started,
      staging: { kind: 'staging', environment: target.name, location: api.location(staging) },
      resumed: false,
      notes,
    };
  }
}

/** Pages in use by the data files (type 0), in bytes: what the copy actually moved. */
export const USED_BYTES_QUERY = "SELECT SUM(CAST(FILEPROPERTY(name, 'SpaceUsed') AS bigint)) * 8192 AS bytes FROM sys.database_files WHERE type = 0";

/** The end of the last log backup of the current database (Azure SQL Database's backup history, in UTC). */
export const LAST_LOG_BACKUP_QUERY = "SELECT MAX(backup_finish_date) AS latest FROM sys.dm_database_backups WHERE backup_type = 'L'";

const gib = (bytes: number) => (bytes / 1024 ** 3).toFixed(1);

/** Azure Resource Manager of Azure's public cloud, where the SDK goes unless told otherwise. */
export const PUBLIC_CLOUD_ARM = 'https://management.azure.com';

/** The SDK's options for a Resource Manager endpoint: requests go there, and tokens are asked for it. */
export function managementClientOptions(endpoint: string): { $host: string; endpoint: string; credentialScopes: string[] } {
  return { $host: endpoint, endpoint, credentialScopes: [`${endpoint}/.default`] };
}

function defaultManagementClient(subscriptionId: string, endpoint: string): SqlManagementClient {
  // Required here, not imported: a worker that never meets an azure-sql environment never loads the SDK.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { SqlManagementClient } = require('@azure/arm-sql') as typeof import('@azure/arm-sql');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { DefaultAzureCredential } = require('@azure/identity') as typeof import('@azure/identity');
  return new SqlManagementClient(new DefaultAzureCredential(), subscriptionId, managementClientOptions(endpoint));
}

function mapError(what: string, err: unknown): unknown {
  const e = err as { name?: string; message?: string };
  if (e?.name === 'AzureRequestError' || e?.name === 'AbortError') return err;
  if (e instanceof Error && /long-running operation has failed/i.test(e.message)) return new Error(`${what}: ${e.message}`);
  return err;
}
