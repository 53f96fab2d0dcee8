import { spawn, ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Connection } from '@temporalio/client';
import { ALL_SEARCH_ATTRIBUTES } from '../workflows/search-attributes';
import { ensureSearchAttributes } from './search-attributes';
import { locateTemporalCli } from './temporal-cli';
import { freeLoopbackPort } from './loopback-port';
import { startUiProxy } from './ui-proxy';

/**
 * The local Temporal: `temporal server start-dev` with a persistent database file, so that
 * operations waiting days for sign-off survive restarts of the server, and with the Web UI.
 */
export interface DevServerOptions {
  dbFile: string;
  port: number;
  uiPort: number;
  namespace: string;
  log: (line: string) => void;
  /** Where the server's own output goes (a file), so it never interleaves with dbmove's. */
  logFile?: string;
}

export interface RunningServer {
  address: string;
  uiUrl: string;
  how: string;
  /** SIGTERM (then SIGKILL after 10 s); or `SIGKILL` at once, as a crash would. */
  stop(signal?: 'SIGTERM' | 'SIGKILL'): Promise<void>;
  exited: Promise<number | null>;
}

export async function isReachable(address: string, timeoutMs = 1500): Promise<boolean> {
  try {
    const connection = await Connection.connect({ address, connectTimeout: timeoutMs });
    try {
      await connection.workflowService.getSystemInfo({});
      return true;
    } finally {
      await connection.close();
    }
  } catch {
    return false;
  }
}

async function waitUntilReachable(address: string, child: ChildProcess | undefined, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child && child.exitCode !== null) throw new Error(`The Temporal dev server exited during start-up (exit code ${child.exitCode})`);
    if (await isReachable(address, 1000)) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`The Temporal dev server did not answer on ${address} within ${timeoutMs / 1000} s`);
}

export async function registerSearchAttributes(address: string, namespace: string): Promise<string[]> {
  const connection = await Connection.connect({ address });
  try {
    return await ensureSearchAttributes(connection.operatorService, namespace);
  } finally {
    await connection.close();
  }
}

export async function startDevServer(options: DevServerOptions): Promise<RunningServer> {
  const address = `localhost:${options.port}`;
  const uiUrl = `http://localhost:${options.uiPort}`;
  fs.mkdirSync(path.dirname(options.dbFile), { recursive: true });
  // The UI itself listens on a loopback port of its own; people reach it through the proxy
  // (server/ui-proxy.ts) on uiPort, which shows dbmove's phase in the workflow list.
  const innerUiPort = await freeLoopbackPort();
  const namespaces = [...new Set(['default', options.namespace])];
  const cli = await locateTemporalCli({ build: true, log: options.log });
  if (!cli) {
    // Machines with internet and no Go: the SDK downloads a dev server of its own.
    options.log("No Temporal CLI on PATH and no Go toolchain to build one: using the Temporal SDK's download");
    const { TestWorkflowEnvironment } = await import('@temporalio/testing');
    const env = await TestWorkflowEnvironment.createLocal({
      server: {
        dbFilename: options.dbFile,
        port: options.port,
        ui: true,
        uiPort: innerUiPort,
        namespace: options.namespace,
        searchAttributes: ALL_SEARCH_ATTRIBUTES,
      },
    });
    await registerSearchAttributes(address, options.namespace);
    const proxy = await startUiProxy({ port: options.uiPort, upstreamPort: innerUiPort, namespaces });
    let resolveExit: (code: number | null) => void = () => {};
    const exited = new Promise<number | null>((r) => (resolveExit = r));
    return {
      address,
      uiUrl,
      how: 'Temporal SDK download',
      exited,
      stop: async () => {
        await proxy.close();
        await env.teardown();
        resolveExit(0);
      },
    };
  }
  const args = [
    'server',
    'start-dev',
    '--db-filename',
    options.dbFile,
    '--port',
    String(options.port),
    '--ui-port',
    String(innerUiPort),
    '--ui-ip',
    '127.0.0.1',
    '--log-level',
    'warn',
    ...(options.namespace !== 'default' ? ['--namespace', options.namespace] : []),
    ...ALL_SEARCH_ATTRIBUTES.flatMap((key) => ['--search-attribute', `${key.name}=Keyword`]),
  ];
  const out = options.logFile ? fs.openSync(options.logFile, 'a') : 'ignore';
  // Its own process group: Ctrl-C in the terminal reaches dbmove alone, which drains the
  // worker first and only then stops the server. Killing the server first would leave the
  // worker retrying a dead address. The exit hook still stops it if dbmove dies abruptly.
  const child = spawn(cli.path, args, { stdio: ['ignore', out, out], detached: true });
  const killOnExit = () => child.kill('SIGTERM');
  process.once('exit', killOnExit);
  const exited = new Promise<number | null>((resolve) =>
    child.on('exit', (code) => {
      process.removeListener('exit', killOnExit);
      resolve(code);
    }),
  );
  let proxy: Awaited<ReturnType<typeof startUiProxy>>;
  try {
    await waitUntilReachable(address, child, 60_000);
    await registerSearchAttributes(address, options.namespace);
    proxy = await startUiProxy({ port: options.uiPort, upstreamPort: innerUiPort, namespaces });
  } catch (err) {
    child.kill('SIGTERM');
    throw err;
  }
  void exited.then(() => proxy.close());
  return {
    address,
    uiUrl,
    how: `${cli.path} (${cli.source})`,
    exited,
    stop: async (signal = 'SIGTERM') => {
      await proxy.close();
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
