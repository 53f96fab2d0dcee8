import { demoApplication } from '../../demo/app-catalog';
import { startDemoAppServers, type AppServerProcess } from '../../demo/app-servers';
import type { TestEstate } from './estate';
import { freePort } from './ports';

/**
 * The demo application servers of the estate's sandboxes, each a real `dbmove app-server`
 * process (what `npm start` runs), on free ports written into the estate's catalog, so that
 * SWAP stops, starts and health-checks real processes that keep their databases open.
 */
export async function startTestAppServers(
  estate: TestEstate,
  options: { environments?: string[]; tokenEnv?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<AppServerProcess[]> {
  const environments = options.environments ?? ['uat', 'train'];
  const ports = new Map<string, number>();
  for (const env of environments) ports.set(env, await freePort());
  estate.editCatalog((c) => {
    for (const env of c.environments) if (ports.has(env.name)) env.application = demoApplication(ports.get(env.name)!, options.tokenEnv);
  });
  return startDemoAppServers(estate.catalog(), { only: environments, tokenEnv: options.tokenEnv, env: options.env });
}

/** What the application server of `port` says it has open and cached. */
export async function appStatus(port: number): Promise<{
  fileInode: string;
  services: Record<'web' | 'batch', { state: string; inode: string | null }>;
  cachedUsers: number;
}> {
  const response = await fetch(`http://127.0.0.1:${port}/status`);
  return (await response.json()) as never;
}

/** Signs a user in through the application server, as SWAP's check does. */
export async function signIn(port: number, signInName: string, identityProvider = 'https://sts.windows.net/'): Promise<{ status: number; body: any }> {
  const response = await fetch(`http://127.0.0.1:${port}/signin`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ signInName, identityProvider }),
  });
  return { status: response.status, body: await response.json() };
}
