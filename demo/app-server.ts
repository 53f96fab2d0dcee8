import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import Database from 'better-sqlite3';
import { demoUserSid } from '../demo/demo-sid';
import { DEMO_SERVICES, type DemoService } from './app-catalog';
import { DEMO_VERSIONS } from './estate';

/**
 * The demo estate's application server: one per sandbox, in its own process, standing in for
 * F&O's AOS so that a local refresh exercises the same path as a real one. Like an AOS it
 * keeps its database open while it runs and answers from what it read at start: the web
 * service caches USERINFO (sign-in maps the caller's sign-in name and provider to a SID, then
 * to the enabled user with that SID), the batch service keeps its own connection and watches
 * the Waiting batch jobs. A database swapped under a running server is not seen: its open
 * handle still reads the replaced file, and its cache still holds the old users. Only a stop
 * and a start (what SWAP does) makes it read the new database.
 *
 *   POST /services/{web|batch}/drain|stop|start   GET /services/{web|batch}/health
 *   POST /signin {"signInName", "identityProvider"}  →  200 {"userId": "Admin", ...} | 403 | 503
 *   GET  /versions   the deployment's versions, in dbmove's shape
 *   GET  /status     what each service has open (file, inode) and caches
 *
 * With a token, every /services/ request needs "Authorization: Bearer <token>". It never
 * writes its database.
 */
export interface AppServerOptions {
  environment: string;
  /** The live database file of the environment. */
  database: string;
  port: number;
  host?: string;
  token?: string;
  log?: (line: string) => void;
}

interface CachedUser {
  id: string;
  name: string;
  alias: string;
  sid: string;
  enable: number;
}

interface ServiceState {
  state: 'stopped' | 'running' | 'draining';
  db?: Database.Database;
  inode?: string;
  startedAt?: string;
}

export interface RunningAppServer {
  port: number;
  close(): Promise<void>;
}

export async function startAppServer(options: AppServerOptions): Promise<RunningAppServer> {
  const log = options.log ?? (() => {});
  const services: Record<DemoService, ServiceState> = { web: { state: 'stopped' }, batch: { state: 'stopped' } };
  let users = new Map<string, CachedUser>();
  let waitingJobs = 0;
  let inFlight = 0;
  let batchTimer: NodeJS.Timeout | undefined;

  const inode = () => String(fs.statSync(options.database, { bigint: true }).ino);
  const open = (s: DemoService) => {
    const state = services[s];
    if (state.state === 'running') return;
    state.db?.close();
    state.db = new Database(options.database, { readonly: true, fileMustExist: true });
    state.inode = inode();
    state.startedAt = new Date().toISOString();
    state.state = 'running';
    if (s === 'web') {
      const rows = state.db.prepare('SELECT ID AS id, NAME AS name, NETWORKALIAS AS alias, SID AS sid, ENABLE AS enable FROM USERINFO').all() as CachedUser[];
      users = new Map(rows.map((u) => [u.sid, u]));
    }
    if (s === 'batch') {
      const count = () => {
        const db = services.batch.db;
        if (db?.open) waitingJobs = (db.prepare('SELECT COUNT(*) AS n FROM BATCHJOB WHERE STATUS = 1').get() as { n: number }).n;
      };
      count();
      batchTimer = setInterval(count, 500);
      batchTimer.unref();
    }
    log(`${options.environment}: ${s} service started on ${options.database} (inode ${state.inode})`);
  };
  const close = (s: DemoService) => {
    const state = services[s];
    if (s === 'batch' && batchTimer) clearInterval(batchTimer);
    state.db?.close();
    state.db = undefined;
    state.state = 'stopped';
    if (s === 'web') users = new Map();
    log(`${options.environment}: ${s} service stopped`);
  };
  const drain = async () => {
    if (services.web.state === 'running') services.web.state = 'draining';
    const until = Date.now() + 30_000;
    while (inFlight > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
  };

  const send = (res: http.ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };

  const server = http.createServer((req, res) => {
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => {
      if (raw.length < 65536) raw += c;
    });
    req.on('end', () => {
      void (async () => {
        const url = new URL(req.url ?? '/', 'http://127.0.0.1');
        const m = /^\/services\/(web|batch)\/(drain|stop|start|health)$/.exec(url.pathname);
        try {
          if (m) {
            if (options.token && req.headers.authorization !== `Bearer ${options.token}`) return send(res, 401, { error: 'a bearer token is required' });
            const service = m[1] as DemoService;
            const action = m[2];
            const state = services[service];
            if (action === 'health') {
              return state.state === 'running'
                ? send(res, 200, { service, state: state.state, inode: state.inode, startedAt: state.startedAt })
                : send(res, 503, { service, state: state.state });
            }
            if (req.method !== 'POST') return send(res, 405, { error: 'use POST' });
            if (action === 'drain') {
              if (service === 'web') await drain();
              return send(res, 200, { service, state: services[service].state });
            }
            if (action === 'stop') close(service);
            else open(service);
            return send(res, 200, { service, state: services[service].state, inode: services[service].inode });
          }
          if (url.pathname === '/signin' && req.method === 'POST') {
            if (services.web.state !== 'running') return send(res, 503, { error: `the web service of ${options.environment} is ${services.web.state}` });
            inFlight++;
            try {
              const body = JSON.parse(raw || '{}') as { signInName?: string; identityProvider?: string };
              if (!body.signInName || !body.identityProvider) return send(res, 400, { error: 'signInName and identityProvider are required' });
              const sid = demoUserSid(body.signInName, body.identityProvider);
              const user = users.get(sid);
              if (!user) return send(res, 403, { error: `no user has the SID of ${body.signInName} (${sid})` });
              if (user.alias.toLowerCase() !== body.signInName.toLowerCase())
                return send(res, 403, { error: `the user with that SID is registered as ${user.alias}` });
              if (user.enable !== 1) return send(res, 403, { error: `${user.id} is disabled` });
              return send(res, 200, { userId: user.id, name: user.name, sid, database: options.database, inode: services.web.inode });
            } finally {
              inFlight--;
            }
          }
          if (url.pathname === '/versions' && req.method === 'GET') return send(res, 200, DEMO_VERSIONS);
          if (url.pathname === '/status' && req.method === 'GET')
            return send(res, 200, {
              environment: options.environment,
              database: options.database,
              fileInode: fs.existsSync(options.database) ? inode() : null,
              services: Object.fromEntries(DEMO_SERVICES.map((s) => [s, { state: services[s].state, inode: services[s].inode ?? null }])),
              cachedUsers: users.size,
              waitingJobs,
            });
          return send(res, 404, { error: `no ${req.method} ${url.pathname}` });
        } catch (err) {
          return send(res, 500, { error: (err as Error).message });
        }
      })();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', () => resolve());
  });
  for (const s of DEMO_SERVICES) open(s);
  const port = (server.address() as AddressInfo).port;
  log(`${options.environment}: application server on http://127.0.0.1:${port}`);
  return {
    port,
    close: async () => {
      for (const s of DEMO_SERVICES) if (services[s].state !== 'stopped') close(s);
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
