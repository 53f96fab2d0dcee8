import * as path from 'node:path';
import { z } from 'zod';
import type { EnvironmentConfig, LoadedCatalog } from '../../config/catalog';
import { parseDuration } from '../../config/durations';
import { describeCommand, howItEnded, runCommand } from '../external/command';
import { describeUrl, httpRequest } from '../external/http';

/**
 * The versions deployed on an environment: application release, platform update and
 * Financial Reporting (MRApplicationService). They are facts of the deployment, which
 * Lifecycle Services shows under the environment's "View detailed version information"; an
 * F&O database holds no row for them. Each environment names where dbmove reads them in the
 * catalog (`versions`), and every reading says where each value came from, so that PRECHECK
 * can name the source of a mismatch.
 */
export interface DeploymentVersions {
  applicationRelease?: string;
  platformUpdate?: number;
  financialReporting?: string;
}

export type VersionField = keyof DeploymentVersions;

export interface VersionReading {
  environment: string;
  versions: DeploymentVersions;
  /** Where each value came from, in words ("declared in environments.json", "https://host/path"). */
  sources: Partial<Record<VersionField, string>>;
  /** Why the source could not be read, when it could not. */
  error?: string;
}

const dotted = z.string().regex(/^\d+(\.\d+){1,4}$/);
const platformUpdate = z.union([
  z.number().int().min(0),
  z
    .string()
    .regex(/^(?:Update|PU|Platform update\s*)?\s*\d+$/i)
    .transform((s) => Number(/(\d+)$/.exec(s)![1])),
]);

/** dbmove's own shape, which a version command prints and an application server can answer. */
const dbmoveShape = z.object({ applicationRelease: dotted, platformUpdate, financialReporting: dotted });

/** Lifecycle Services' environment metadata API (GET /environmentinfo/v1/detail/project/{id}/?environmentId=...). */
const lcsShape = z.object({
  IsSuccess: z.boolean().optional(),
  ErrorMessage: z.string().nullable().optional(),
  Data: z
    .array(
      z.object({
        EnvironmentName: z.string().optional(),
        CurrentApplicationReleaseName: dotted,
        CurrentPlatformReleaseName: platformUpdate,
      }),
    )
    .optional(),
});

function issues(err: z.ZodError): string {
  return err.issues
    .slice(0, 4)
    .map((i) => `${i.path.join('.') || '(the answer)'}: ${i.message}`)
    .join('; ');
}

export async function readDeploymentVersions(
  catalog: LoadedCatalog,
  env: EnvironmentConfig,
  secret: (name: string) => string | undefined,
  signal?: AbortSignal,
): Promise<VersionReading> {
  const source = env.versions;
  const reading: VersionReading = { environment: env.name, versions: {}, sources: {} };
  const all = (where: string) => ({ applicationRelease: where, platformUpdate: where, financialReporting: where });
  if (!source) {
    reading.error = `${env.name} names no version source in ${path.basename(catalog.file)}`;
    return reading;
  }
  if (source.from === 'declared') {
    reading.versions = { applicationRelease: source.applicationRelease, platformUpdate: source.platformUpdate, financialReporting: source.financialReporting };
    reading.sources = all(`declared in ${path.basename(catalog.file)}`);
    return reading;
  }
  if (source.from === 'command') {
    const what = `the command ${describeCommand(source.command)}`;
    const timeoutMs = parseDuration(source.timeout);
    try {
      const result = await runCommand(source.command, {
        cwd: catalog.directory,
        env: { DBMOVE_ENVIRONMENT: env.name },
        timeoutMs,
        signal,
        maxStdoutBytes: 64 * 1024,
      });
      if (result.exitCode !== 0) {
        reading.error = `${what} ${howItEnded(result, timeoutMs)}: ${result.tail.slice(-5).join(' | ') || '(no output)'}`;
        return reading;
      }
      let answer: unknown;
      try {
        answer = JSON.parse(result.stdout);
      } catch {
        reading.error = `${what} printed something that is not JSON: ${result.stdout.slice(0, 200)}`;
        return reading;
      }
      const parsed = dbmoveShape.safeParse(answer);
      if (!parsed.success) {
        reading.error = `${what} printed JSON without usable versions (${issues(parsed.error)}); print {"applicationRelease": "10.0.41", "platformUpdate": 65, "financialReporting": "10.0.41.20017"}`;
        return reading;
      }
      reading.versions = parsed.data;
      reading.sources = all(what);
    } catch (err) {
      reading.error = `${what} could not be started: ${(err as Error).message}`;
    }
    return reading;
  }
  const where = describeUrl(source.url);
  let token: string | undefined;
  if (source.tokenEnv) {
    token = secret(source.tokenEnv);
    if (token === undefined) {
      reading.error = `the version endpoint ${where} needs the token in ${source.tokenEnv}, which is not set in the worker's environment`;
      return reading;
    }
  }
  try {
    const answer = await httpRequest({ url: source.url, method: 'GET', token, caFile: source.caFile, timeoutMs: parseDuration(source.timeout), signal });
    if (answer.status !== 200) {
      reading.error = `the version endpoint ${where} answered HTTP ${answer.status}: ${answer.text.slice(0, 200)}`;
      return reading;
    }
    const body = answer.json();
    if (source.format === 'dbmove') {
      const parsed = dbmoveShape.safeParse(body);
      if (!parsed.success) {
        reading.error = `the version endpoint ${where} answered without usable versions (${issues(parsed.error)})`;
        return reading;
      }
      reading.versions = parsed.data;
      reading.sources = all(where);
      return reading;
    }
    const parsed = lcsShape.safeParse(body);
    if (!parsed.success) {
      reading.error = `${where} did not answer like Lifecycle Services' environment metadata API (${issues(parsed.error)})`;
      return reading;
    }
    if (parsed.data.IsSuccess === false || !parsed.data.Data?.length) {
      reading.error = `Lifecycle Services at ${where} answered without the environment: ${parsed.data.ErrorMessage ?? 'no Data'}`;
      return reading;
    }
    if (parsed.data.Data.length > 1) {
      reading.error = `Lifecycle Services at ${where} answered ${parsed.data.Data.length} environments; ask for one (?environmentId=...)`;
      return reading;
    }
    const [data] = parsed.data.Data;
    reading.versions = { applicationRelease: data.CurrentApplicationReleaseName, platformUpdate: data.CurrentPlatformReleaseName };
    reading.sources = { applicationRelease: `${where} (LCS environment metadata)`, platformUpdate: `${where} (LCS environment metadata)` };
    if (source.financialReporting) {
      reading.versions.financialReporting = source.financialReporting;
      reading.sources.financialReporting = `declared in ${path.basename(catalog.file)} beside the LCS endpoint`;
    }
  } catch (err) {
    reading.error = `the version endpoint ${where} could not be read: ${(err as Error).message}`;
  }
  return reading;
}

/** Compares dotted versions numerically: -1, 0 or 1. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return 0;
}
