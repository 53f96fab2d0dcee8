/**
 * The demo application server's place in the catalog: where each sandbox's server listens,
 * and the `application` block that names its two services (the AOS web service and the batch
 * service, as F&O runs them), their drain, stop, start and health endpoints, and the
 * "Admin signs in" check. The same shape names a real environment's services (commands such
 * as `Stop-Service W3SVC`, or Lifecycle Services' environment stop/start API).
 */
export const DEMO_APP_PORTS = { uat: 8101, train: 8102 } as const;

export const DEMO_SERVICES = ['web', 'batch'] as const;
export type DemoService = (typeof DEMO_SERVICES)[number];

const NAMES: Record<DemoService, string> = { web: 'AOS web service', batch: 'Batch service' };

export function demoApplication(port: number, tokenEnv?: string) {
  const base = `http://127.0.0.1:${port}`;
  const call = (p: string, method?: 'GET') => ({ url: `${base}${p}`, ...(method ? { method } : {}), ...(tokenEnv ? { tokenEnv } : {}), timeout: '60s' });
  return {
    services: DEMO_SERVICES.map((s) => ({
      name: NAMES[s],
      ...(s === 'web' ? { drain: call(`/services/${s}/drain`) } : {}),
      stop: call(`/services/${s}/stop`),
      start: call(`/services/${s}/start`),
      health: call(`/services/${s}/health`, 'GET'),
    })),
    healthTimeout: '60s',
    healthInterval: '100ms',
    signIn: call('/signin'),
  };
}

/** The port a demo application block listens on (from its first service's health URL). */
export function demoApplicationPort(application: { services: { health: unknown }[] } | undefined): number | undefined {
  const health = application?.services[0]?.health as { url?: string } | undefined;
  if (!health?.url) return undefined;
  const url = new URL(health.url);
  return url.hostname === '127.0.0.1' && url.pathname.startsWith('/services/') ? Number(url.port) : undefined;
}
