import type { InjectedSinks } from '@temporalio/worker';
import type { LoadedCatalog } from '../../config/catalog';
import type { DbmoveSinks, OperationEvent } from '../../workflows/sinks';

/**
 * The worker side of the notifications sink: POSTs each phase change as JSON to the webhooks
 * the catalog lists for the operation's environments, retrying with backoff. Runs outside the
 * workflow, never during replay; a failure is logged and never affects the operation.
 */
export interface WebhookOptions {
  catalog: () => LoadedCatalog;
  secret: (name: string) => string | undefined;
  log?: (message: string) => void;
  attempts?: number;
  fetchImpl?: typeof fetch;
}

export function webhookTargets(catalog: LoadedCatalog, event: OperationEvent) {
  const names = new Set([event.target, event.source].filter(Boolean) as string[]);
  return catalog.environments.filter((e) => names.has(e.name)).flatMap((e) => e.notifications?.webhooks ?? []);
}

export async function deliver(url: string, body: string, headers: Record<string, string>, options: WebhookOptions): Promise<void> {
  const attempts = options.attempts ?? 5;
  const doFetch = options.fetchImpl ?? fetch;
  for (let attempt = 1; ; attempt++) {
    try {
      const response = await doFetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body,
        signal: AbortSignal.timeout(10_000),
      });
      if (response.ok) return;
      throw new Error(`HTTP ${response.status}`);
    } catch (err) {
      if (attempt >= attempts) {
        options.log?.(`Webhook ${new URL(url).host} failed after ${attempts} attempts: ${(err as Error).message}`);
        return;
      }
      await new Promise((r) => setTimeout(r, Math.min(30_000, 250 * 2 ** attempt)));
    }
  }
}

export function notificationSinks(options: WebhookOptions): InjectedSinks<DbmoveSinks> {
  return {
    notifications: {
      phaseChanged: {
        callDuringReplay: false,
        fn: (_info, event) => {
          let targets: ReturnType<typeof webhookTargets>;
          try {
            targets = webhookTargets(options.catalog(), event);
          } catch {
            return;
          }
          const body = JSON.stringify({ type: 'dbmove.phase', ...event });
          for (const hook of targets) {
            const token = hook.secretEnv ? options.secret(hook.secretEnv) : undefined;
            void deliver(hook.url, body, token ? { authorization: `Bearer ${token}` } : {}, options);
          }
        },
      },
    },
  };
}
