import { ApplicationUnavailable } from '../../common/errors';
import type { EnvironmentConfig } from '../../config/catalog';
import { parseDuration } from '../../config/durations';
import type { ActivityScope } from '../runtime';
import { ActionContext, describeAction, runAction } from './service-action';

/**
 * The application around a target's database: the services the catalog names (F&O: the AOS
 * web service, the batch service, Management Reporter), which Microsoft's procedure stops
 * before it switches databases and starts after. A service that kept running would keep the
 * replaced database open and serve what it cached from it.
 *
 * `stopAll` drains (when the catalog says how) and stops every service in order; `startAll`
 * starts them in order; `waitHealthy` polls every health action until all succeed or the
 * environment's healthTimeout passes; `signIn` asks the application to sign the environment
 * administrator in. Each reports progress as a heartbeat.
 */
export class Application {
  constructor(
    private readonly scope: ActivityScope,
    private readonly env: EnvironmentConfig,
    private readonly operationId: string,
    private readonly cwd: string,
    private readonly secret: (name: string) => string | undefined,
    private readonly signal?: AbortSignal,
  ) {}

  get configured(): boolean {
    return Boolean(this.env.application);
  }

  get services() {
    return this.env.application?.services ?? [];
  }

  private context(service: string, extra: Record<string, string> = {}): ActionContext {
    return {
      cwd: this.cwd,
      secret: this.secret,
      signal: this.signal,
      env: { DBMOVE_ENVIRONMENT: this.env.name, DBMOVE_OPERATION: this.operationId, DBMOVE_SERVICE: service, ...extra },
      onLine: (line) => this.scope.heartbeat(0, `${service}: ${line.slice(0, 200)}`),
    };
  }

  /** Drains and stops every service, in order. On a failure, starts again what it stopped, then throws. */
  async stopAll(notes: string[], why: string): Promise<void> {
    const stopped: string[] = [];
    for (const service of this.services) {
      for (const [label, action] of [
        ['drain', service.drain],
        ['stop', service.stop],
      ] as const) {
        if (!action) continue;
        this.scope.heartbeat(0, `${label === 'drain' ? 'draining' : 'stopping'} ${service.name}`);
        const result = await runAction(action, this.context(service.name));
        if (!result.ok) {
          const restarted = await this.restartQuietly(stopped);
          throw new ApplicationUnavailable(
            `${why} did not happen: ${label === 'drain' ? 'draining' : 'stopping'} ${service.name} on ${this.env.name} failed (${result.detail}).` +
              `${restarted.length ? ` Started again: ${restarted.join(', ')}.` : ''} Make the service's ${label} action work (the catalog's application.services), then retry, or roll back`,
          );
        }
      }
      stopped.push(service.name);
      notes.push(`Stopped ${service.name} (${describeAction(service.stop)})`);
    }
  }

  private async restartQuietly(names: string[]): Promise<string[]> {
    const restarted: string[] = [];
    for (const service of this.services.filter((s) => names.includes(s.name))) {
      if ((await runAction(service.start, this.context(service.name))).ok) restarted.push(service.name);
    }
    return restarted;
  }

  /** Starts every service in order; throws on the first that does not start. */
  async startAll(notes: string[], situation: string): Promise<void> {
    for (const service of this.services) {
      this.scope.heartbeat(0, `starting ${service.name}`);
      const result = await runAction(service.start, this.context(service.name));
      if (!result.ok)
        throw new ApplicationUnavailable(`${situation}, but starting ${service.name} failed (${result.detail}). Fix the service, then retry, or roll back`);
      notes.push(`Started ${service.name} (${describeAction(service.start)})`);
    }
  }

  /** Polls every health action until all succeed; throws when the environment's healthTimeout passes. */
  async waitHealthy(notes: string[], situation: string): Promise<void> {
    const app = this.env.application;
    if (!app) return;
    const deadline = performance.now() + parseDuration(app.healthTimeout);
    const interval = parseDuration(app.healthInterval);
    const pending = new Map(app.services.map((s) => [s.name, s]));
    for (;;) {
      const last = new Map<string, string>();
      for (const [name, service] of pending) {
        const result = await runAction(service.health, this.context(name));
        if (result.ok) pending.delete(name);
        else last.set(name, result.detail);
      }
      const healthy = app.services.length - pending.size;
      this.scope.heartbeat((100 * healthy) / app.services.length, `${healthy} of ${app.services.length} services healthy`);
      if (pending.size === 0) {
        notes.push(`All ${app.services.length} services of ${this.env.name} answer their health checks`);
        return;
      }
      if (performance.now() >= deadline)
        throw new ApplicationUnavailable(
          `${situation}, but ${[...last.entries()].map(([n, d]) => `${n} is not healthy (${d})`).join('; ')} after ${app.healthTimeout}. Fix the service, then retry, or roll back`,
        );
      await new Promise((resolve) => setTimeout(resolve, interval));
    }
  }

  /** Services whose health check fails are started, then all are awaited (rollback before SWAP, after a failed stop). */
  async ensureRunning(notes: string[], situation: string): Promise<void> {
    for (const service of this.services) {
      const health = await runAction(service.health, this.context(service.name));
      if (health.ok) continue;
      const result = await runAction(service.start, this.context(service.name));
      if (!result.ok) throw new ApplicationUnavailable(`${situation}, but starting ${service.name} failed (${result.detail}). Start it by hand, then retry`);
      notes.push(`Started ${service.name} again (it was not healthy)`);
    }
    await this.waitHealthy(notes, situation);
  }

  /**
   * The environment administrator signs in through the application. HTTP: POST
   * {"signInName", "identityProvider"}, answered 2xx with {"userId": "Admin"}. Command: exit 0,
   * with DBMOVE_SIGN_IN_NAME and DBMOVE_IDENTITY_PROVIDER in its environment.
   */
  async signIn(signInName: string, identityProvider: string, notes: string[], situation: string): Promise<string | undefined> {
    const check = this.env.application?.signIn;
    if (!check) {
      notes.push(`${this.env.name} names no sign-in check (application.signIn); Admin's sign-in was not tried`);
      return undefined;
    }
    this.scope.heartbeat(100, `signing ${signInName} in`);
    const result = await runAction(check, this.context('sign-in', { DBMOVE_SIGN_IN_NAME: signInName, DBMOVE_IDENTITY_PROVIDER: identityProvider }), {
      signInName,
      identityProvider,
    });
    const userId = 'command' in check ? 'Admin' : (result.json as { userId?: unknown } | undefined)?.userId;
    if (!result.ok || typeof userId !== 'string' || userId.toLowerCase() !== 'admin')
      throw new ApplicationUnavailable(
        `${situation}, but ${signInName} could not sign in as Admin through ${this.env.name}'s application (${result.detail}${
          result.ok ? `, signed in as ${JSON.stringify(userId)}` : ''
        }). Check Admin in USERINFO (NETWORKALIAS, SID, ENABLE), then retry, or roll back`,
      );
    notes.push(`${signInName} signed in as Admin through ${this.env.name}'s application (${describeAction(check)})`);
    return userId;
  }
}
