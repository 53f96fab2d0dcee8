import type { EnvironmentConfig } from '../../config/catalog';
import type { ActivityScope } from '../runtime';

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
  await engine.broadcast(target, broadcastMessage(target, window.operationId), window.from, window.to);
  return 'SysBroadcastMessage';
}

/** The notice's text; it names the operation, so a repeat or a withdrawal finds it. */
export function broadcastMessage(target: EnvironmentConfig, operationId: string): string {
  return `${target.name} will be unavailable for a database refresh (${operationId})`;
}

/**
 * A rollback before SWAP withdraws the notice: the downtime it announces will not happen.
 * Returns where it was withdrawn from, or why it could not be.
 */
export async function withdrawBroadcast(scope: ActivityScope, target: EnvironmentConfig, operationId: string): Promise<string | undefined> {
  if (!target.notifications) return undefined;
  if (target.notifications.broadcastEndpoint)
    return `The downtime notice posted to the broadcast service of ${target.name} stays until its end time; the service offers no way to withdraw it`;
  const engine = scope.engine(target);
  if (!engine.withdrawBroadcast) return undefined;
  return (await engine.withdrawBroadcast(target, broadcastMessage(target, operationId)))
    ? `Withdrew the downtime notice from ${target.name}: the refresh will not replace it`
    : undefined;
}
