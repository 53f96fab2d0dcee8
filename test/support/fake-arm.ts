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
 * per request), keeps the databases of a few logical servers in memory,
 * runs long-running operations the way CreateDatabaseCopyMode.json's 202 shows (a Location
 * header on .../databaseOperationResults/{id}, polled until 200), and logs every request.
 *
 * It refuses what a real server refuses (unknown source, existing name, a restore point
 * before the earliest restore date, a rename onto an existing name, a request without a
 * bearer token) and answers anything it does not know with 404, recorded in `unexpected`.
 * What it cannot show — real timings, real error bodies, real data movement — is for the
 * live suite (test/live/azure.live.test.ts).
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

export interface FakeDatabase {
  server: string;
  name: string;
  status: string;
  createdAt: string;
  earliestRestoreDate?: string;
  createMode?: string;
  /** Opaque data the data-plane mock reads: it moves with renames and is cloned by copies and restores. */
  content: any;
  /** Resource tags: set by PUT and PATCH, moved by a rename, never copied (a copy or restore is a new resource). */
  tags?: Record<string, string>;
}

interface PendingOperation {
  id: string;
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
  readonly servers = new Set<string>();
  private readonly operations = new Map<string, PendingOperation>();
  private server?: http.Server;
  port = 0;
  /** Requests answered with a failure once, to simulate an attempt that dies: key "METHOD pathSuffix". */
  readonly failOnce = new Map<string, { status: number; code: string }>();
  pollsBeforeDone: number;

  constructor(readonly options: FakeArmOptions) {
    this.pollsBeforeDone = options.pollsBeforeDone ?? 2;
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

  addDatabase(server: string, name: string, content: any, earliestRestoreDate = new Date(this.now().getTime() - 7 * 86_400_000).toISOString()): FakeDatabase {
    this.servers.add(server);
    const db: FakeDatabase = { server, name, status: 'Online', createdAt: earliestRestoreDate, earliestRestoreDate, content };
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

  /** CreateDatabaseCopyMode.json's 200 body (a Database resource) with this database's identity, state and dates. */
  private databaseBody(db: FakeDatabase): unknown {
    const b = body('CreateDatabaseCopyMode');
    b.id = this.databaseId(db.server, db.name);
    b.name = db.name;
    b.location = this.location;
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

  private operationUrl(id: string): string {
    // The shape of CreateDatabaseCopyMode.json's 202 Location header, absolute and with the api-version ARM appends.
    return `${ARM_ORIGIN}/subscriptions/${this.options.subscriptionId}/resourceGroups/${this.options.resourceGroup}/providers/Microsoft.Sql/locations/${this.location}/databaseOperationResults/${id}?api-version=${DATABASES_API}`;
  }

  private startOperation(res: http.ServerResponse, op: Omit<PendingOperation, 'id' | 'pollsLeft' | 'percent'>): void {
    const id = crypto.randomUUID();
    this.operations.set(id, { ...op, id, pollsLeft: this.pollsBeforeDone, percent: 0 });
    this.send(res, 202, undefined, { Location: this.operationUrl(id), 'Retry-After': '0' });
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

  private pollOperation(id: string, res: http.ServerResponse): void {
    const op = this.operations.get(id);
    if (!op) return this.error(res, 404, 'OperationNotFound', `No operation ${id}`);
    this.advance(op);
    if (!op.result) return this.send(res, 202, undefined, { Location: this.operationUrl(id), 'Retry-After': '0' });
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
    let m = new RegExp(`^/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft\\.Sql/locations/[^/]+/databaseOperationResults/([^/]+)$`).exec(p);
    if (m && method === 'GET') return this.pollOperation(m[1], res);

    const prefix = `^/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft\\.Sql/servers/([a-z0-9-]+)`;
    m = new RegExp(`${prefix}$`).exec(p);
    if (m && method === 'GET') {
      if (!this.servers.has(m[1])) return this.error(res, 404, 'ResourceNotFound', `Server ${m[1]} not found`);
      const server = body('ServerGet');
      Object.assign(server, { id: this.serverPath(m[1]), name: m[1], location: this.location });
      server.properties.fullyQualifiedDomainName = `${m[1]}.database.windows.net`;
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
        return db
          ? this.send(res, 200, this.databaseBody(db))
          : this.error(res, 404, 'ResourceNotFound', `The requested resource of type 'Microsoft.Sql/servers/databases' with name '${name}' was not found.`);
      }
      if (method === 'PUT') return this.createDatabase(server, name, parsed, res);
      if (method === 'PATCH') {
        // DatabaseUpdate: tags replace the resource's tags (ARM PATCH semantics); answered 200 with the resource.
        const db = this.database(server, name);
        if (!db) return this.error(res, 404, 'ResourceNotFound', `Database ${name} not found`);
        if (parsed?.tags) db.tags = { ...parsed.tags };
        return this.send(res, 200, this.databaseBody(db));
      }
      if (method === 'DELETE') {
        const db = this.database(server, name);
        if (!db) return this.send(res, 204);
        return this.startOperation(res, { database: { server, name }, finish: () => this.drop(db) });
      }
    }
    this.unexpected.push(`${method} ${p}`);
    this.error(res, 404, 'NotImplementedByFake', `${method} ${p}`);
  }

  private sourceOf(id: string | undefined): FakeDatabase | undefined {
    const m = /\/servers\/([^/]+)\/databases\/([^/]+)$/.exec(id ?? '');
    return m ? this.database(m[1], m[2]) : undefined;
  }

  private createDatabase(server: string, name: string, payload: any, res: http.ServerResponse): void {
    if (this.database(server, name)) return this.error(res, 409, 'DatabaseAlreadyExists', `Database '${name}' already exists on server '${server}'`);
    if (!payload?.location) return this.error(res, 400, 'MissingLocation', 'location is required');
    const props = payload.properties ?? {};
    let content: any;
    let status: string;
    if (props.createMode === 'Copy') {
      const source = this.sourceOf(props.sourceDatabaseId);
      if (!source) return this.error(res, 404, 'SourceDatabaseNotFound', `Source database ${props.sourceDatabaseId} not found`);
      content = structuredClone(source.content);
      status = 'Copying';
    } else if (props.createMode === 'PointInTimeRestore') {
      const source = this.sourceOf(props.sourceDatabaseId);
      if (!source) return this.error(res, 404, 'SourceDatabaseNotFound', `Source database ${props.sourceDatabaseId} not found`);
      if (!props.restorePointInTime || Date.parse(props.restorePointInTime) < Date.parse(source.earliestRestoreDate ?? '')) {
        return this.error(
          res,
          400,
          'InvalidRestorePointInTime',
          `restorePointInTime ${props.restorePointInTime} is before the earliest restore date ${source.earliestRestoreDate}`,
        );
      }
      content = structuredClone(source.content);
      status = 'Restoring';
    } else if (props.createMode === 'Restore') {
      const dropped = this.dropped.find((d) => d.id === props.restorableDroppedDatabaseId);
      if (!dropped) return this.error(res, 404, 'RestorableDroppedDatabaseNotFound', `${props.restorableDroppedDatabaseId} not found`);
      content = structuredClone(dropped.content);
      status = 'Restoring';
    } else {
      return this.error(res, 400, 'UnsupportedCreateMode', `The fake does not create databases with createMode ${props.createMode}`);
    }
    const created = this.now().toISOString();
    const db: FakeDatabase = { server, name, status, createdAt: created, createMode: props.createMode, content, tags: payload.tags };
    this.databases.set(`${server}/${name}`, db);
    this.startOperation(res, {
      database: { server, name },
      finish: () => {
        db.status = 'Online';
        db.earliestRestoreDate = created;
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

  private checkStorage(payload: any, res: http.ServerResponse): boolean {
    for (const key of ['storageKeyType', 'storageKey', 'storageUri', 'administratorLogin', 'administratorLoginPassword']) {
      if (!payload?.[key]) {
        this.error(res, 400, 'InvalidParameterValue', `${key} is required`);
        return false;
      }
    }
    return true;
  }

  private exportDatabase(server: string, name: string, payload: any, res: http.ServerResponse): void {
    if (!this.database(server, name)) return this.error(res, 404, 'ResourceNotFound', `Database ${name} not found`);
    if (!this.checkStorage(payload, res)) return;
    this.startOperation(res, {
      database: { server, name },
      finish: () => ({ status: 200, body: this.importExportBody(server, name, 'Export', payload.storageUri) }),
    });
  }

  private importDatabase(server: string, payload: any, res: http.ServerResponse): void {
    if (!this.checkStorage(payload, res)) return;
    const name = payload.databaseName;
    if (this.database(server, name)) return this.error(res, 409, 'DatabaseAlreadyExists', `Database '${name}' already exists`);
    this.startOperation(res, {
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
          content: { importedFrom: payload.storageUri },
        });
        return { status: 200, body: this.importExportBody(server, name, 'Import', payload.storageUri) };
      },
    });
  }
}
