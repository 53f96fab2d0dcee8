import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import type { LoadedCatalog } from '../config/catalog';
import { packageRoot } from '../config/package-root';
import { demoApplicationPort } from './app-catalog';

/**
 * Starts the demo application server of every environment whose catalog entry names one
 * (an application block on 127.0.0.1), each in its own `dbmove app-server` process, and
 * waits until each answers. `npm start`, the benchmark and the tests use it, so all three
 * run SWAP against real processes that keep their databases open.
 */
export interface AppServerProcess {
  environment: string;
  port: number;
  /** Undefined when a server already answered on the port and was left as it is. */
  child?: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

export interface StartAppServersOptions {
  /** Extra environment for the processes (a token they require). */
  env?: NodeJS.ProcessEnv;
  /** --token-env for each process. */
  tokenEnv?: string;
  /** Appends each process's output to <logDir>/app-<environment>.log. */
  logDir?: string;
  /** Only these environments. */
  only?: string[];
}

function healthy(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const request = http.get({ host: '127.0.0.1', port, path: '/status', timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    request.on('error', () => resolve(false));
    request.on('timeout', () => request.destroy());
  });
}

export async function startDemoAppServers(catalog: LoadedCatalog, options: StartAppServersOptions = {}): Promise<AppServerProcess[]> {
  const cli = path.join(packageRoot(), 'dist', 'cli', 'cli.js');
  const started: AppServerProcess[] = [];
  for (const env of catalog.environments) {
    if (env.engine !== 'local' || (options.only && !options.only.includes(env.name))) continue;
    const port = demoApplicationPort(env.application);
    if (port === undefined) continue;
    if (await healthy(port)) {
      started.push({ environment: env.name, port, output: () => '', stop: async () => {} });
      continue;
    }
    let output = '';
    const log = options.logDir ? fs.createWriteStream(path.join(options.logDir, `app-${env.name}.log`), { flags: 'a' }) : undefined;
    const child = spawn(process.execPath, [cli, 'app-server', '--environment', env.name, ...(options.tokenEnv ? ['--token-env', options.tokenEnv] : [])], {
      cwd: catalog.directory,
      env: { ...process.env, DBMOVE_CATALOG: catalog.file, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const take = (c: Buffer) => {
      output += c.toString();
      log?.write(c);
    };
    child.stdout!.on('data', take);
    child.stderr!.on('data', take);
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const stop = async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      }
      log?.end();
    };
    const deadline = Date.now() + 20_000;
    while (!(await healthy(port))) {
      if (child.exitCode !== null || Date.now() > deadline) {
        await stop();
        for (const s of started) await s.stop();
        throw new Error(`The application server of ${env.name} did not start on port ${port}: ${output.trim() || 'no output'}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    started.push({ environment: env.name, port, child, output: () => output, stop });
  }
  return started;
}
