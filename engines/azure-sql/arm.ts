import { DbmoveError } from '../../common/errors';
import type { Database, SqlManagementClient } from '@azure/arm-sql';
import type { AzureSqlEnvironment } from '../../config/catalog';

/**
 * The ARM calls the engine makes on one logical server, with the two things every caller
 * needs: "does not exist" as undefined rather than an exception, and errors reduced to status,
 * code and message (the SDK's RestError also carries the request, which for export and import
 * holds a storage key and a password, and must never reach a log or a workflow failure).
 */
export class AzureRequestError extends DbmoveError {
  constructor(
    what: string,
    readonly statusCode: number | undefined,
    code: string | undefined,
    detail: string,
  ) {
    super('AzureRequestError', `${what} failed${statusCode ? ` (HTTP ${statusCode}${code ? ` ${code}` : ''})` : ''}: ${detail}`);
  }
}

export function describeAzureError(what: string, err: unknown): Error {
  if (err instanceof AzureRequestError) return err;
  const e = err as { statusCode?: number; code?: string; message?: string; name?: string };
  // Cancellation and our own errors pass through unchanged.
  if (!e || typeof e !== 'object' || (e.name !== 'RestError' && e.statusCode === undefined)) return err as Error;
  return new AzureRequestError(what, e.statusCode, e.code, (e.message ?? 'no message').split('\n')[0].slice(0, 500));
}

export async function armCall<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw describeAzureError(what, err);
  }
}

/** What ARM says of a logical server that the engine needs: its region and its SQL host name. */
export interface ServerInfo {
  location: string;
  /** The server's fullyQualifiedDomainName: <server>.database.windows.net in Azure's public cloud, another suffix in sovereign clouds. */
  host: string;
}

export class ServerApi {
  readonly resourceGroup: string;
  readonly server: string;

  constructor(
    readonly client: SqlManagementClient,
    readonly env: AzureSqlEnvironment,
    /** Server facts already read, shared by every ServerApi of one engine (they do not change). */
    private readonly known: Map<string, Promise<ServerInfo>> = new Map(),
  ) {
    this.resourceGroup = env.database.resourceGroup;
    this.server = env.database.server;
  }

  get label(): string {
    return `${this.server}`;
  }

  databaseId(name: string): string {
    const d = this.env.database;
    return `/subscriptions/${d.subscriptionId}/resourceGroups/${d.resourceGroup}/providers/Microsoft.Sql/servers/${d.server}/databases/${name}`;
  }

  location(name: string): string {
    return `${this.server}/${name}`;
  }

  async database(name: string): Promise<Database | undefined> {
    try {
      return await this.client.databases.get(this.resourceGroup, this.server, name);
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode === 404) return undefined;
      throw describeAzureError(`Reading database ${this.location(name)}`, err);
    }
  }

  /** Rename (POST .../move): synchronous, the name is taken over at once. */
  rename(from: string, to: string): Promise<void> {
    return armCall(`Renaming ${this.location(from)} to ${to}`, () =>
      this.client.databases.rename(this.resourceGroup, this.server, from, { id: this.databaseId(to) }),
    );
  }

  /** The server's region and SQL host name, from ARM (GET server), read once per engine. */
  serverInfo(): Promise<ServerInfo> {
    const key = `${this.env.database.subscriptionId}/${this.resourceGroup}/${this.server}`.toLowerCase();
    let info = this.known.get(key);
    if (!info) {
      info = armCall(`Reading server ${this.server}`, () => this.client.servers.get(this.resourceGroup, this.server)).then((server) => {
        const host = server.fullyQualifiedDomainName;
        if (!host) throw new Error(`ARM reports no fullyQualifiedDomainName for the server ${this.server}; it cannot be reached over SQL`);
        return { location: server.location, host };
      });
      info.catch(() => this.known.delete(key));
      this.known.set(key, info);
    }
    return info;
  }

  async serverLocation(): Promise<string> {
    return this.env.database.location ?? (await this.serverInfo()).location;
  }

  /** The SQL host name of the server: ARM's fullyQualifiedDomainName, so that sovereign clouds (other DNS suffixes) work. */
  async host(): Promise<string> {
    return (await this.serverInfo()).host;
  }

  /** Percent complete of the database's running operation, if Azure reports one. */
  async percentComplete(name: string): Promise<number | undefined> {
    try {
      let latest: { percent: number; started: number } | undefined;
      for await (const op of this.client.databaseOperations.listByDatabase(this.resourceGroup, this.server, name)) {
        if (op.state !== 'InProgress' && op.state !== 'Pending') continue;
        const started = op.startTime?.getTime() ?? 0;
        if (!latest || started >= latest.started) latest = { percent: op.percentComplete ?? 0, started };
      }
      return latest?.percent;
    } catch {
      return undefined; // progress is best effort; the operation's own polling decides success
    }
  }

  async restorableDropped(): Promise<DroppedDatabase[]> {
    const found: DroppedDatabase[] = [];
    await armCall(`Listing restorable dropped databases of ${this.server}`, async () => {
      for await (const db of this.client.restorableDroppedDatabases.listByServer(this.resourceGroup, this.server)) {
        if (db.id && db.databaseName)
          found.push({
            id: db.id,
            databaseName: db.databaseName,
            creationDate: db.creationDate,
            deletionDate: db.deletionDate,
            earliestRestoreDate: db.earliestRestoreDate,
          });
      }
    });
    return found;
  }
}

export interface DroppedDatabase {
  id: string;
  databaseName: string;
  creationDate?: Date;
  deletionDate?: Date;
  /** Optional in the API, and absent from Microsoft's own list example. */
  earliestRestoreDate?: Date;
}

/**
 * The earliest time a dropped database can be restored to, as far as the list tells: its
 * earliestRestoreDate, else its creation date, else nothing is known (0), and Azure judges
 * the restore request itself.
 */
export function droppedRestorableFrom(d: DroppedDatabase): number {
  return (d.earliestRestoreDate ?? d.creationDate)?.getTime() ?? 0;
}

/** Database states in which a copy or restore target is still being built. */
export const BUILDING = new Set(['Creating', 'Copying', 'Restoring', 'Recovering', 'Scaling']);
/**
 * States of a finished, healthy database. A serverless database pauses when idle and an idle
 * one may be auto-closed; a login resumes it (Azure's serverless documentation: "auto-resume").
 */
export const READY = new Set(['Online', 'Paused', 'Pausing', 'Resuming', 'AutoClosed']);
/** Ready states in which the database must be resumed before ARM changes it (UpdateNotAllowedOnPausedDatabase). */
export const ASLEEP = new Set(['Paused', 'Pausing', 'AutoClosed']);
/** States in which a copy or restore has failed and the database must be dropped and redone. */
export const BROKEN = new Set(['Suspect', 'EmergencyMode', 'RecoveryPending', 'Inaccessible', 'Offline', 'Disabled']);
