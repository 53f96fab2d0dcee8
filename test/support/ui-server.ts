import * as fs from 'node:fs';
import * as path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { RunningServer, startDevServer } from '../../server/dev-server';
import { freePort } from './ports';

/**
 * A second dev server, with the Web UI, for the browser test. The shared test server runs
 * without a UI (it starts faster and most tests need none); this one is what `dbmove server`
 * starts for people, so the test sees the UI they see.
 */
export interface UiServer {
  server: RunningServer;
  client: Client;
  workerConnection: NativeConnection;
  stop(): Promise<void>;
}

export async function startUiServer(dir: string): Promise<UiServer> {
  fs.mkdirSync(dir, { recursive: true });
  const server = await startDevServer({
    dbFile: path.join(dir, 'ui-dev-server.sqlite'),
    port: await freePort(),
    uiPort: await freePort(),
    namespace: 'default',
    log: () => undefined,
    logFile: path.join(dir, 'ui-dev-server.log'),
  });
  const connection = await Connection.connect({ address: server.address });
  const workerConnection = await NativeConnection.connect({ address: server.address });
  return {
    server,
    client: new Client({ connection }),
    workerConnection,
    async stop() {
      await connection.close();
      await workerConnection.close();
      await server.stop();
    },
  };
}

/**
 * Debian's chromium (CI installs it with apt-get). Never downloaded: playwright-core only
 * drives a browser that is already there.
 */
export function findChromium(env: NodeJS.ProcessEnv = process.env): string {
  const candidates = [env.DBMOVE_CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].filter(Boolean) as string[];
  const found = candidates.find((file) => fs.existsSync(file));
  if (!found) {
    throw new Error(
      `The Web UI browser test needs Chromium and found none at ${candidates.join(', ')}. ` +
        "Install Debian's package (sudo apt-get install -y chromium) or set DBMOVE_CHROMIUM to a Chromium or Chrome executable.",
    );
  }
  return found;
}
