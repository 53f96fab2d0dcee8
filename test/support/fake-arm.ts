import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { packageRoot } from '../../config/package-root';

/**
 * MOCK of Azure Resource Manager for Microsoft.Sql — a stand-in for Azure, because no Azure
 * can be reached here. An HTTP server on 127.0.0.1 that answers the requests the Azure SQL
 * engine sends with responses shaped like Microsoft's published examples (test/fixtures/azure-sql/,
 * our own files in the examples' layout; README.md there says which fields the fake overwrites
 * per request), keeps the databases, elastic pools and servers of a subscription in memory, and
 * logs every request.
 *
 * Long-running operations (database PUT, PATCH and DELETE, export, import) answer as Azure SQL
 * does (DatabaseAzureAsyncOperation.json, in the shape of the responses Microsoft's SDK recorded from Azure):
 * 202 with an Azure-AsyncOperation header (…/databaseAzureAsyncOperation/{id}, whose status
 * body the SDK polls to Succeeded or Failed) and a Location header (…/databaseOperationResults/{id},
 * where a PATCH, an export or an import then reads its result; a PUT reads the resource itself).
 *
 * It refuses what a real server refuses (unknown source, existing name, a restore point before
 * the earliest restore date, a rename onto an existing name, a copy at a compute size of another
 * service tier, a service objective with an elastic pool on a restore, an update of a paused
 * database, a request without a bearer token) and answers anything it does not know with 404,
 * recorded in `unexpected`. What it cannot show — real timings, real error bodies, real data
 * movement — is for the live suite (test/live/azure.live.test.ts).
 */
export const ARM_ORIGIN = 'https://arm.loopback.test';
/** The api-version of every example, and of @azure/arm-sql 10.0.0's databases, servers and restorableDroppedDatabases calls. */
export const DATABASES_API = '2022-08-01-preview';
/** @azure/arm-sql 10.0.0 lists database operations with this older api-version. */
export const OPERATIONS_API = '2021-02-01-preview';

export interface RecordedRequest {
  method: string;
  path: string;
  apiVersion: string | null;
  body: any;
  authorization?: string;
}

export interface FakeSku {
  name: string;
  tier: string;
  capacity?: number;
  family?: string;
}

export interface FakeDatabase {
  server: string;
  name: string;
  status: string;
  createdAt: string;
  earliestRestoreDate?: string;
  createMode?: string;
  sku: FakeSku;
  /** currentServiceObjectiveName: S1, GP_Gen5_2, ElasticPool... */
  objective: string;
  maxSizeBytes: number;
  elasticPoolId?: string;
  autoPauseDelay?: number;
  minCapacity?: number;
  /** Opaque data the data-plane mock reads: it moves with renames and is cloned by copies and restores. */
  content: any;
  /** Resource tags: set by PUT and PATCH, moved by a rename, never copied (a copy or restore is a new resource). */
  tags?: Record<string, string>;
}

export type FakePlacement = Partial<Pick<FakeDatabase, 'sku' | 'objective' | 'maxSizeBytes' | 'elasticPoolId' | 'autoPauseDelay' | 'minCapacity'>>;

/** What Azure reports for a requested SKU: the tier and family by name, the objective with its capacity. */
export function skuFor(requested: { name: string; tier?: string; capacity?: number; family?: string }): { sku: FakeSku; objective: string } {
  const dtu = /^(Basic|S\d+|P\d+)$/i.exec(requested.name);
  if (dtu) {
    const tier = /^S/i.test(dtu[1]) ? 'Standard' : /^P/i.test(dtu[1]) ? 'Premium' : 'Basic';
    return { sku: { name: tier, tier }, objective: dtu[1].toUpperCase() === 'BASIC' ? 'Basic' : dtu[1].toUpperCase() };
  }
  const vcore = /^(GP|BC|HS)_(S_)?([A-Za-z0-9]+?)(?:_(\d+))?$/i.exec(requested.name);
  if (vcore) {
    const tier = { GP: 'GeneralPurpose', BC: 'BusinessCritical', HS: 'Hyperscale' }[vcore[1].toUpperCase() as 'GP' | 'BC' | 'HS'];
    const name = `${vcore[1].toUpperCase()}_${vcore[2] ? 'S_' : ''}${vcore[3]}`;
    const capacity = Number(vcore[4] ?? requested.capacity ?? 2);
    return { sku: { name, tier, family: vcore[3], capacity }, objective: `${name}_${capacity}` };
  }
  throw new Error(`The mock knows no SKU ${requested.name}`);
}

interface PendingOperation {
  id: string;
  /** Which polling URLs Azure gives: database operations, or import/export requests. */
  family: 'database' | 'importExport';
  /** The name Azure's initial 202 body gives the operation (CreateLogicalDatabase, ...). */
  name: string;
  startTime: string;
  pollsLeft: number;
  percent: number;
  database?: { server: string; name: string };
  finish: () => { status: number; body?: unknown };
  result?: { status: number; body?: unknown };
}

/** A fixture in the published examples' layout, parsed: { parameters, responses }. */
export function example(name: string): { parameters: any; responses: Record<string, { body?: any; headers?: Record<string, string> }> } {
  return JSON.parse(fs.readFileSync(path.join(packageRoot(), 'test', 'fixtures', 'azure-sql', `${name}.json`), 'utf8'));
}

/** A fresh copy of one response body of an example (the fake then overwrites the per-request fields). */
function body(name: string, status = '200'): any {
  const found = example(name).responses[status]?.body;
  if (!found) throw new Error(`The example ${name}.json has no ${status} body`);
  return found;
}

export interface FakeArmOptions {
  subscriptionId: string;
  resourceGroup: string;
  location?: string;
  /** Polls (or reads of the database) a long-running operation answers "still running" before it completes. */
  pollsBeforeDone?: number;
  now?: () => Date;
}

export class FakeArm {
  readonly requests: RecordedRequest[] = [];
  readonly unexpected: string[] = [];
  readonly databases = new Map<string, FakeDatabase>();
  readonly dropped: (FakeDatabase & { deletionDate: string; id: string })[] = [];
  /** Logical servers and the DNS suffix of their fullyQualifiedDomainName (another one in a sovereign cloud). */
  readonly servers = new Map<string, { dnsSuffix: string }>();
  /** Elastic pools by "server/pool", with their service tier. */
  readonly pools = new Map<string, { tier: string }>();
  private readonly operations = new Map<string, PendingOperation>();
  private server?: http.Server;
  port = 0;
  /** Requests answered with a failure once, to simulate an attempt that dies: key "METHOD pathSuffix". */
  readonly failOnce = new Map<string, { status: number; code: string }>();
  /** The next long-running operation on a database with this name ends Failed with this error (the database left Suspect). */
  readonly failOperationOn = new Map<string, { code: string; message: string }>();
  pollsBeforeDone: number;

  constructor(readonly options: FakeArmOptions) {
    this.pollsBeforeDone = options.pollsBeforeDone ?? 2;
  }

  addServer(name: string, dnsSuffix = 'database.windows.net'): void {
    this.servers.set(name, { dnsSuffix });
  }

  /** The server whose fullyQualifiedDomainName is `host` (what the data-plane mock connects to). */
  serverOfHost(host: string): string | undefined {
    return [...this.servers.entries()].find(([name, s]) => `${name}.${s.dnsSuffix}` === host)?.[0];
  }

  addPool(server: string, name: string, tier: string): string {
    this.pools.set(`${server}/${name}`, { tier });
    return `${this.serverPath(server)}/elasticPools/${name}`;
  }

  private now(): Date {
    return this.options.now?.() ?? new Date();
  }

  get location(): string {
    return this.options.location ?? 'westeurope';
  }

  serverPath(server: string): string {
    return `/subscriptions/${this.options.subscriptionId}/resourceGroups/${this.options.resourceGroup}/providers/Microsoft.Sql/servers/${server}`;
  }

  databaseId(server: string, name: string): string {
    return `${this.serverPath(server)}/databases/${name}`;
  }

  addDatabase(
    server: string,
    name: string,
    content: any,
    earliestRestoreDate = new Date(this.now().getTime() - 7 * 86_400_000).toISOString(),
    placement: FakePlacement = {},
  ): FakeDatabase {
    if (!this.servers.has(server)) this.addServer(server);
    const db: FakeDatabase = {
      server,
      name,
      status: 'Online',
      createdAt: earliestRestoreDate,
      earliestRestoreDate,
      ...skuFor({ name: 'S1' }),
      maxSizeBytes: 250 * 1024 ** 3,
      content,
      ...placement,
    };
    this.databases.set(`${server}/${name}`, db);
    return db;
  }

  database(server: string, name: string): FakeDatabase | undefined {
    return this.databases.get(`${server}/${name}`);
  }

  names(server: string): string[] {
    return [...this.databases.values()]
      .filter((d) => d.server === server)
      .map((d) => d.name)
      .sort();
  }

  /** Long-running operations started so far (completed or not). */
  get operationCount(): number {
    return this.operations.size;
  }

  async start(): Promise<void> {
    this.server = http.createServer((req, res) => {
      let raw = '';
      req.on('data', (chunk) => (raw += chunk));
      req.on('end', () => {
        try {
          this.handle(req, raw, res);
        } catch (err) {
          res.writeHead(500, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ error: { code: 'FakeArmError', message: (err as Error).message } }));
        }
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** Requests of one kind, for assertions: e.g. of('PUT'), of('POST', '/move'). */
  of(method: string, suffix = ''): RecordedRequest[] {
    return this.requests.filter((r) => r.method === method && r.path.endsWith(suffix));
  }

  private send(res: http.ServerResponse, status: number, payload?: unknown, headers: Record<string, string> = {}): void {
    res.writeHead(status, { 'content-type': 'application/json', 'x-ms-request-id': crypto.randomUUID(), ...headers });
    res.end(payload === undefined ? '' : JSON.stringify(payload));
  }

  private error(res: http.ServerResponse, status: number, code: string, message: string): void {
    this.send(res, status, { error: { code, message } });
  }

  /** CreateDatabaseCopyMode.json's 200 body (a Database resource) with this database's identity, state, placement and dates. */
  private databaseBody(db: FakeDatabase): unknown {
    const b = body('CreateDatabaseCopyMode');
    b.id = this.databaseId(db.server, db.name);
    b.name = db.name;
    b.location = this.location;
    b.sku = { ...db.sku };
    b.properties.currentSku = { ...db.sku };
    b.properties.currentServiceObjectiveName = db.objective;
    b.properties.requestedServiceObjectiveName = db.objective;
    b.properties.maxSizeBytes = db.maxSizeBytes;
    if (db.elasticPoolId) b.properties.elasticPoolId = db.elasticPoolId;
    if (db.autoPauseDelay !== undefined) b.properties.autoPauseDelay = db.autoPauseDelay;
    if (db.minCapacity !== undefined) b.properties.minCapacity = db.minCapacity;
    b.properties.status = db.status;
    b.properties.creationDate = db.createdAt;
    b.properties.databaseId = crypto
      .createHash('md5')
      .update(`${db.server}/${db.name}/${db.createdAt}`)
      .digest('hex')
      .replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, '$1-$2-$3-$4-$5');
    if (db.earliestRestoreDate) b.properties.earliestRestoreDate = db.earliestRestoreDate;
    else delete b.properties.earliestRestoreDate;
    if (db.tags) b.tags = { ...db.tags };
    else delete b.tags;
    return b;
  }

  /** DatabaseAzureAsyncOperation.json's 202 headers: where Azure says to poll the operation and where its result is. */
  private operationHeaders(op: PendingOperation): Record<string, string> {
    const base = `${ARM_ORIGIN}/subscriptions/${this.options.subscriptionId}/resourceGroups/${this.options.resourceGroup}/providers/Microsoft.Sql/locations/${this.location}`;
    const [status, result] =
      op.family === 'database'
        ? ['databaseAzureAsyncOperation', 'databaseOperationResults']
        : ['importExportAzureAsyncOperation', 'importExportOperationResults'];
    return {
      'Azure-AsyncOperation': `${base}/${status}/${op.id}?api-version=${DATABASES_API}`,
      Location: `${base}/${result}/${op.id}?api-version=${DATABASES_API}`,
      'Retry-After': '0',
    };
  }

  private startOperation(
    res: http.ServerResponse,
    op: Omit<PendingOperation, 'id' | 'pollsLeft' | 'percent' | 'startTime' | 'family' | 'name'> & { family?: PendingOperation['family']; name: string },
  ): void {
    const id = crypto.randomUUID();
    const failure = op.database && this.failOperationOn.get(op.database.name);
    if (failure && op.database) this.failOperationOn.delete(op.database.name);
    const finish = failure
      ? () => {
          const db = this.database(op.database!.server, op.database!.name);
          if (db) db.status = 'Suspect';
          return { status: 400, body: { error: failure } };
        }
      : op.finish;
    const pending: PendingOperation = {
      family: 'database',
      ...op,
      finish,
      id,
      startTime: this.now().toISOString(),
      pollsLeft: this.pollsBeforeDone,
      percent: 0,
    };
    this.operations.set(id, pending);
    this.send(
      res,
      202,
      Object.assign(body('DatabaseAzureAsyncOperation', '202'), { operation: op.name, startTime: pending.startTime }),
      this.operationHeaders(pending),
    );
  }

  /** Azure runs an operation whether or not anyone polls it: reading its database also moves it on. */
  private advance(op: PendingOperation): void {
    if (op.pollsLeft > 0) {
      op.pollsLeft--;
      op.percent = Math.round((100 * (this.pollsBeforeDone - op.pollsLeft)) / (this.pollsBeforeDone + 1));
      return;
    }
    op.result ??= op.finish();
  }

  /** The Azure-AsyncOperation URL: the operation's status, InProgress until it Succeeded or Failed (with the error). */
  private pollStatus(id: string, res: http.ServerResponse): void {
    const op = this.operations.get(id);
    if (!op) return this.error(res, 404, 'OperationNotFound', `No operation ${id}`);
    this.advance(op);
    const status = !op.result ? 'InProgress' : op.result.status >= 400 ? 'Failed' : 'Succeeded';
    const failure = op.result && op.result.status >= 400 ? { error: (op.result.body as { error: unknown }).error } : {};
    return this.send(
      res,
      200,
      Object.assign(body('DatabaseAzureAsyncOperation'), { name: op.id, status, startTime: op.startTime }, failure),
      op.result ? {} : { 'Retry-After': '0' },
    );
  }

  /** The Location URL: 202 while the operation runs, then its result (the resource, or the import/export result). */
  private pollResult(id: string, res: http.ServerResponse): void {
    const op = this.operations.get(id);
    if (!op) return this.error(res, 404, 'OperationNotFound', `No operation ${id}`);
    this.advance(op);
    if (!op.result) return this.send(res, 202, undefined, this.operationHeaders(op));
    return this.send(res, op.result.status, op.result.body);
  }

  private handle(req: http.IncomingMessage, raw: string, res: http.ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = req.method ?? 'GET';
    const parsed = raw ? JSON.parse(raw) : undefined;
    const p = url.pathname;
    this.requests.push({ method, path: p, apiVersion: url.searchParams.get('api-version'), body: parsed, authorization: req.headers.authorization });
    for (const [key, failure] of this.failOnce) {
      const [m, suffix] = key.split(' ');
      if (m === method && p.endsWith(suffix)) {
        this.failOnce.delete(key);
        return this.error(res, failure.status, failure.code, `Injected failure for ${key}`);
      }
    }
    if (!req.headers.authorization?.startsWith('Bearer ')) return this.error(res, 401, 'AuthenticationFailed', 'No bearer token');

    const sub = this.options.subscriptionId;
    const rg = this.options.resourceGroup;
    let m = new RegExp(
      `^/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft\\.Sql/locations/[^/]+/(database|importExport)(AzureAsyncOperation|OperationResults)/([^/]+)$`,
    ).exec(p);
    if (m && method === 'GET') return m[2] === 'AzureAsyncOperation' ? this.pollStatus(m[3], res) : this.pollResult(m[3], res);

    const prefix = `^/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft\\.Sql/servers/([a-z0-9-]+)`;
    m = new RegExp(`${prefix}$`).exec(p);
    if (m && method === 'GET') {
      const known = this.servers.get(m[1]);
      if (!known) return this.error(res, 404, 'ResourceNotFound', `Server ${m[1]} not found`);
      const server = body('ServerGet');
      Object.assign(server, { id: this.serverPath(m[1]), name: m[1], location: this.location });
      server.properties.fullyQualifiedDomainName = `${m[1]}.${known.dnsSuffix}`;
      return this.send(res, 200, server);
    }
    m = new RegExp(`${prefix}/restorableDroppedDatabases$`).exec(p);
    if (m && method === 'GET') {
      const template = body('ListRestorableDroppedDatabasesByServer').value[0];
      const value = this.dropped
        .filter((d) => d.server === m![1])
        .map((d) => {
          const item = structuredClone(template);
          Object.assign(item, { id: d.id, name: d.id.split('/').pop(), location: this.location });
          // earliestRestoreDate is a property the API defines; the published example leaves it out.
          Object.assign(item.properties, {
            databaseName: d.name,
            creationDate: d.createdAt,
            deletionDate: d.deletionDate,
            earliestRestoreDate: d.earliestRestoreDate,
          });
          return item;
        });
      return this.send(res, 200, { value });
    }
    m = new RegExp(`${prefix}/import$`).exec(p);
    if (m && method === 'POST') return this.importDatabase(m[1], parsed, res);
    m = new RegExp(`${prefix}/databases/([A-Za-z0-9_-]+)/operations$`).exec(p);
    if (m && method === 'GET') {
      const running = [...this.operations.values()].filter((o) => o.database?.server === m![1] && o.database.name === m![2] && !o.result);
      const template = body('ListDatabaseOperations').value.find((v: any) => v.properties.state === 'InProgress');
      const value = running.map((o) => {
        const item = structuredClone(template);
        Object.assign(item, { id: `${this.databaseId(m![1], m![2])}/operations/${o.id}`, name: o.id });
        Object.assign(item.properties, { databaseName: m![2], serverName: m![1], percentComplete: o.percent, state: 'InProgress' });
        return item;
      });
      return this.send(res, 200, { value });
    }
    m = new RegExp(`${prefix}/databases/([A-Za-z0-9_-]+)/(move|export)$`).exec(p);
    if (m && method === 'POST') return m[3] === 'move' ? this.rename(m[1], m[2], parsed, res) : this.exportDatabase(m[1], m[2], parsed, res);
    m = new RegExp(`${prefix}/databases/([A-Za-z0-9_-]+)$`).exec(p);
    if (m) {
      const [, server, name] = m;
      if (method === 'GET') {
        for (const op of this.operations.values()) if (op.database?.server === server && op.database.name === name && !op.result) this.advance(op);
        const db = this.database(server, name);
        // A serverless database resumes once a login asked for it (the data-plane mock sets Resuming).
        if (db?.status === 'Resuming') db.status = 'Online';
        return db
          ? this.send(res, 200, this.databaseBody(db))
          : this.error(res, 404, 'ResourceNotFound', `The requested resource of type 'Microsoft.Sql/servers/databases' with name '${name}' was not found.`);
      }
      if (method === 'PUT') return this.createDatabase(server, name, parsed, res);
      if (method === 'PATCH') return this.updateDatabase(server, name, parsed, res);
      if (method === 'DELETE') {
        const db = this.database(server, name);
        if (!db) return this.send(res, 204);
        return this.startOperation(res, { name: 'DropLogicalDatabase', database: { server, name }, finish: () => this.drop(db) });
      }
    }
    this.unexpected.push(`${method} ${p}`);
    this.error(res, 404, 'NotImplementedByFake', `${method} ${p}`);
  }

  private sourceOf(id: string | undefined): FakeDatabase | undefined {
    const m = /\/servers\/([^/]+)\/databases\/([^/]+)$/.exec(id ?? '');
    return m ? this.database(m[1], m[2]) : undefined;
  }

  private poolTier(id: string | undefined): string | undefined {
    const m = /\/servers\/([^/]+)\/elasticPools\/([^/]+)$/.exec(id ?? '');
    return m ? this.pools.get(`${m[1]}/${m[2]}`)?.tier : undefined;
  }

  /** The placement a create or update request asks for, checked as Azure checks it; an error string when refused. */
  private requestedPlacement(server: string, props: any, sku: any, base: FakePlacement): FakePlacement | { code: string; message: string } {
    const out: FakePlacement = { ...base };
    if (props.elasticPoolId) {
      const tier = this.poolTier(props.elasticPoolId);
      if (!tier || !props.elasticPoolId.includes(`/servers/${server}/`))
        return { code: 'ElasticPoolNotFound', message: `Elastic pool ${props.elasticPoolId} not found on server ${server}` };
      Object.assign(out, {
        elasticPoolId: props.elasticPoolId,
        sku: { name: 'ElasticPool', tier },
        objective: 'ElasticPool',
        autoPauseDelay: undefined,
        minCapacity: undefined,
      });
    } else if (sku?.name) {
      try {
        Object.assign(out, skuFor(sku), { elasticPoolId: undefined });
      } catch (err) {
        return { code: 'InvalidSku', message: (err as Error).message };
      }
    }
    if (props.maxSizeBytes) out.maxSizeBytes = props.maxSizeBytes;
    if (props.autoPauseDelay !== undefined) out.autoPauseDelay = props.autoPauseDelay;
    if (props.minCapacity !== undefined) out.minCapacity = props.minCapacity;
    return out;
  }

  private placementOf(db: FakeDatabase): FakePlacement {
    const { sku, objective, maxSizeBytes, elasticPoolId, autoPauseDelay, minCapacity } = db;
    return structuredClone({ sku, objective, maxSizeBytes, elasticPoolId, autoPauseDelay, minCapacity });
  }

  private createDatabase(server: string, name: string, payload: any, res: http.ServerResponse): void {
    if (this.database(server, name)) return this.error(res, 409, 'DatabaseAlreadyExists', `Database '${name}' already exists on server '${server}'`);
    if (!payload?.location) return this.error(res, 400, 'MissingLocation', 'location is required');
    const props = payload.properties ?? {};
    let content: any;
    let status: string;
    let from: FakePlacement;
    if (props.createMode === 'Copy') {
      const source = this.sourceOf(props.sourceDatabaseId);
      if (!source) return this.error(res, 404, 'SourceDatabaseNotFound', `Source database ${props.sourceDatabaseId} not found`);
      // A copy keeps the source's service tier; only the compute size may change within it.
      if (payload.sku?.name) {
        const tier = skuFor(payload.sku).sku.tier;
        if (tier !== source.sku.tier)
          return this.error(
            res,
            400,
            tier === 'Basic' || (source.sku.tier === 'Premium' && tier === 'Standard')
              ? 'TargetDatabaseEditionCouldNotBeDowngraded'
              : 'SourceDatabaseEditionCouldNotBeUpgraded',
            `A copy of a ${source.sku.tier} database cannot be created in ${tier} (mock: a copy changes compute size only within its tier)`,
          );
      }
      content = structuredClone(source.content);
      status = 'Copying';
      from = this.placementOf(source);
    } else if (props.createMode === 'PointInTimeRestore' || props.createMode === 'Restore') {
      const source =
        props.createMode === 'Restore' ? this.dropped.find((d) => d.id === props.restorableDroppedDatabaseId) : this.sourceOf(props.sourceDatabaseId);
      if (!source)
        return props.createMode === 'Restore'
          ? this.error(res, 404, 'RestorableDroppedDatabaseNotFound', `${props.restorableDroppedDatabaseId} not found`)
          : this.error(res, 404, 'SourceDatabaseNotFound', `Source database ${props.sourceDatabaseId} not found`);
      if (
        props.createMode === 'PointInTimeRestore' &&
        (!props.restorePointInTime || Date.parse(props.restorePointInTime) < Date.parse(source.earliestRestoreDate ?? ''))
      ) {
        return this.error(
          res,
          400,
          'InvalidRestorePointInTime',
          `restorePointInTime ${props.restorePointInTime} is before the earliest restore date ${source.earliestRestoreDate}`,
        );
      }
      if (props.elasticPoolId && payload.sku)
        return this.error(
          res,
          400,
          'CannotSpecifyEditionOrSloWhenRestoringToPool',
          'Specifying the target service level objective or edition is not supported when restoring to an elastic pool.',
        );
      if (payload.sku?.name && (skuFor(payload.sku).sku.tier === 'Hyperscale') !== (source.sku.tier === 'Hyperscale'))
        return this.error(
          res,
          400,
          'RestoreHyperscaleToNonHyperscale',
          'Restoring a Hyperscale database backup to a non-Hyperscale service tier or vice versa is not supported.',
        );
      content = structuredClone(source.content);
      status = 'Restoring';
      from = this.placementOf(source);
    } else {
      return this.error(res, 400, 'UnsupportedCreateMode', `The fake does not create databases with createMode ${props.createMode}`);
    }
    const placement = this.requestedPlacement(server, props, payload.sku, from);
    if ('code' in placement) return this.error(res, 400, placement.code, placement.message);
    const created = this.now().toISOString();
    const db = {
      server,
      name,
      status,
      createdAt: created,
      createMode: props.createMode,
      content,
      tags: payload.tags,
      ...(placement as Required<FakePlacement>),
    } as FakeDatabase;
    this.databases.set(`${server}/${name}`, db);
    this.startOperation(res, {
      name: 'CreateLogicalDatabase',
      database: { server, name },
      finish: () => {
        db.status = 'Online';
        db.earliestRestoreDate = created;
        return { status: 200, body: this.databaseBody(db) };
      },
    });
  }

  /** PATCH of a database (a scale, a move into or out of a pool, a max size): a long-running operation whose result is the database. */
  private updateDatabase(server: string, name: string, payload: any, res: http.ServerResponse): void {
    const db = this.database(server, name);
    if (!db) return this.error(res, 404, 'ResourceNotFound', `Database ${name} not found`);
    if (db.status === 'Paused' || db.status === 'AutoClosed')
      return this.error(res, 400, 'UpdateNotAllowedOnPausedDatabase', 'User attempted to perform an update on a paused database.');
    const placement = this.requestedPlacement(server, payload?.properties ?? {}, payload?.sku, this.placementOf(db));
    if ('code' in placement) return this.error(res, 400, placement.code, placement.message);
    const used = Number(db.content?.usedBytes ?? 0);
    if (placement.maxSizeBytes && used > placement.maxSizeBytes)
      return this.error(
        res,
        400,
        'CurrentDatabaseSizeExceedsDbMaxSize',
        'User attempted to reduce the max size for a database to a size smaller than the current usage.',
      );
    db.status = 'Scaling';
    this.startOperation(res, {
      name: 'UpdateLogicalDatabase',
      database: { server, name },
      finish: () => {
        // DatabaseUpdate's tags replace the resource's tags (ARM PATCH semantics).
        Object.assign(db, placement, { status: 'Online' }, payload?.tags ? { tags: { ...payload.tags } } : {});
        return { status: 200, body: this.databaseBody(db) };
      },
    });
  }

  /** RenameDatabase.json: POST .../move with { id } of the new name, answered 200 with no body. */
  private rename(server: string, name: string, payload: any, res: http.ServerResponse): void {
    const db = this.database(server, name);
    if (!db) return this.error(res, 404, 'ResourceNotFound', `Database ${name} not found`);
    const m = new RegExp(`^${this.serverPath(server).replace(/[.]/g, '\\.')}/databases/([A-Za-z0-9_-]+)$`).exec(payload?.id ?? '');
    if (!m) return this.error(res, 400, 'InvalidResourceId', `The target id ${payload?.id} is not a database of server ${server}`);
    if (this.database(server, m[1])) return this.error(res, 409, 'DatabaseAlreadyExists', `Database '${m[1]}' already exists`);
    this.databases.delete(`${server}/${name}`);
    db.name = m[1];
    this.databases.set(`${server}/${db.name}`, db);
    this.send(res, 200);
  }

  private drop(db: FakeDatabase): { status: number } {
    this.databases.delete(`${db.server}/${db.name}`);
    const ticks = BigInt(this.now().getTime()) * 10_000n + 621_355_968_000_000_000n;
    this.dropped.push({ ...db, deletionDate: this.now().toISOString(), id: `${this.serverPath(db.server)}/restorableDroppedDatabases/${db.name},${ticks}` });
    return { status: 200 };
  }

  /** ExportDatabase.json's / ImportNewDatabase.json's 200 body with this request's identity. */
  private importExportBody(server: string, database: string, type: 'Export' | 'Import', blobUri: string): unknown {
    const b = body(type === 'Export' ? 'ExportDatabase' : 'ImportNewDatabase');
    const requestId = crypto.randomUUID();
    Object.assign(b, { id: `${this.databaseId(server, database)}/importExportOperationResults/${requestId}`, name: requestId });
    Object.assign(b.properties, { requestId, blobUri, serverName: `${server}.database.windows.net`, databaseName: database });
    return b;
  }

  /** The import/export request's credentials, as the service requires them for its authentication and storage key types. */
  private checkStorage(payload: any, res: http.ServerResponse): boolean {
    const refuse = (message: string) => {
      this.error(res, 400, 'InvalidParameterValue', message);
      return false;
    };
    if (!['StorageAccessKey', 'SharedAccessKey'].includes(payload?.storageKeyType)) return refuse(`storageKeyType ${payload?.storageKeyType} is not valid`);
    if (!['Sql', 'ADPassword'].includes(payload?.authenticationType ?? 'Sql')) return refuse(`authenticationType ${payload?.authenticationType} is not valid`);
    for (const key of ['storageKey', 'storageUri', 'administratorLogin', 'administratorLoginPassword'])
      if (!payload?.[key]) return refuse(`${key} is required`);
    return true;
  }

  private exportDatabase(server: string, name: string, payload: any, res: http.ServerResponse): void {
    if (!this.database(server, name)) return this.error(res, 404, 'ResourceNotFound', `Database ${name} not found`);
    if (!this.checkStorage(payload, res)) return;
    this.startOperation(res, {
      family: 'importExport',
      name: 'ExportDatabase',
      database: { server, name },
      finish: () => ({ status: 200, body: this.importExportBody(server, name, 'Export', payload.storageUri) }),
    });
  }

  private importDatabase(server: string, payload: any, res: http.ServerResponse): void {
    if (!this.checkStorage(payload, res)) return;
    const name = payload.databaseName;
    if (this.database(server, name)) return this.error(res, 409, 'DatabaseAlreadyExists', `Database '${name}' already exists`);
    this.startOperation(res, {
      family: 'importExport',
      name: 'ImportDatabase',
      database: { server, name },
      finish: () => {
        const created = this.now().toISOString();
        this.databases.set(`${server}/${name}`, {
          server,
          name,
          status: 'Online',
          createdAt: created,
          earliestRestoreDate: created,
          createMode: 'Import',
          ...skuFor({ name: payload.serviceObjectiveName ?? 'S1' }),
          maxSizeBytes: 250 * 1024 ** 3,
          content: { importedFrom: payload.storageUri },
        });
        return { status: 200, body: this.importExportBody(server, name, 'Import', payload.storageUri) };
      },
    });
  }
}
