import type { ServiceAction } from '../../config/catalog';
import { parseDuration } from '../../config/durations';
import { describeCommand, howItEnded, runCommand } from '../external/command';
import { describeUrl, httpRequest } from '../external/http';

/**
 * Runs one action of an application service (drain, stop, start, health, sign-in): the
 * program the catalog names, or the HTTP(S) request. Success is exit code 0, or an HTTP
 * status from 200 to 299. Never throws for a failed action: the caller decides what a
 * failure means (a health check that fails is an answer, not an error).
 */
export interface ActionContext {
  /** The catalog's folder: the working directory of commands. */
  cwd: string;
  secret: (name: string) => string | undefined;
  signal?: AbortSignal;
  /** DBMOVE_* variables for commands (environment, operation, service, sign-in name...). */
  env: Record<string, string>;
  onLine?: (line: string) => void;
}

export interface ActionResult {
  ok: boolean;
  /** False when the action could not be performed at all (nothing listening, a program that does not start). */
  reached: boolean;
  /** What happened, in a few words, for logs and errors. */
  detail: string;
  /** The HTTP answer's body as JSON, when there was one. */
  json?: unknown;
}

export function describeAction(action: ServiceAction): string {
  return 'command' in action ? describeCommand(action.command) : `${action.method} ${describeUrl(action.url)}`;
}

export async function runAction(action: ServiceAction, context: ActionContext, body?: unknown): Promise<ActionResult> {
  const timeoutMs = parseDuration(action.timeout);
  if ('command' in action) {
    try {
      const result = await runCommand(action.command, { cwd: context.cwd, env: context.env, timeoutMs, signal: context.signal, onLine: context.onLine });
      const last = result.tail
        .filter((l) => l.trim())
        .slice(-3)
        .join(' | ');
      return result.exitCode === 0
        ? { ok: true, reached: true, detail: `${describeCommand(action.command)} exited with 0` }
        : { ok: false, reached: true, detail: `${describeCommand(action.command)} ${howItEnded(result, timeoutMs)}${last ? `: ${last}` : ''}` };
    } catch (err) {
      return { ok: false, reached: false, detail: `${describeCommand(action.command)} could not be started: ${(err as Error).message}` };
    }
  }
  let token: string | undefined;
  if (action.tokenEnv) {
    token = context.secret(action.tokenEnv);
    if (token === undefined)
      return {
        ok: false,
        reached: false,
        detail: `${describeAction(action)} needs the token in ${action.tokenEnv}, which is not set in the worker's environment`,
      };
  }
  try {
    const answer = await httpRequest({ url: action.url, method: action.method, token, caFile: action.caFile, timeoutMs, body, signal: context.signal });
    let json: unknown;
    try {
      json = answer.text ? answer.json() : undefined;
    } catch {
      json = undefined;
    }
    const ok = answer.status >= 200 && answer.status < 300;
    return { ok, reached: true, detail: `${describeAction(action)} answered HTTP ${answer.status}${ok ? '' : `: ${answer.text.slice(0, 200)}`}`, json };
  } catch (err) {
    return { ok: false, reached: false, detail: `${describeAction(action)} failed: ${(err as Error).message}` };
  }
}
