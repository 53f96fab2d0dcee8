import type { EnvironmentConfig } from '../../config/catalog';
import type { ActivityScope } from '../deps';

export interface BroadcastWindow {
  from: Date;
  to: Date;
  operationId: string;
}

/**
 * Posts the downtime broadcast an F&O environment shows its online users. With a
 * `broadcastEndpoint` in the catalog, dbmove calls F&O's SysBroadcastMessageService (the
 * request body the seeds' tutorial shows); otherwise it writes the SysBroadcastMessage row
 * into the live target through the engine, which is what that service does.
 */
export async function postBroadcast(scope: ActivityScope, target: EnvironmentConfig, window: BroadcastWindow): Promise<string> {
  const endpoint = target.notifications?.broadcastEndpoint;
  if (endpoint) {
    const response = await fetch(new URL('api/services/SysBroadcastMessageServices/SysBroadcastMessageService/AddMessage', endpoint), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ request: { FromDateTime: window.from.toISOString(), ToDateTime: window.to.toISOString() } }),
    });
    if (!response.ok) throw new Error(`The broadcast service of ${target.name} answered ${response.status} ${response.statusText}`);
    return `broadcast service ${new URL(endpoint).host}`;
  }
  const engine = scope.engine(target);
  if (!engine.broadcast) return 'no broadcast channel for this engine';
  await engine.broadcast(target, `${target.name} will be unavailable for a database refresh (${window.operationId})`, window.from, window.to);
  return 'SysBroadcastMessage';
}
