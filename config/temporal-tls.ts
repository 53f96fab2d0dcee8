import * as path from 'node:path';
import { ConfigError } from './config-error';

/**
 * TLS towards Temporal: `tls` in temporal.config.json, then the TEMPORAL_TLS_* variables.
 *
 * Each variable overrides only its own setting, because that is how deployments split them: the
 * file, shared by every host, names the cluster's CA and the frontend's certificate name, and
 * each worker host or operator brings its own client certificate through the environment.
 * Relative paths in the file are relative to the file, so a profile can travel with its
 * certificates; paths in variables are relative to the current directory, as in a shell.
 */
export interface TlsSettings {
  /** The name the server's certificate is checked against, when it differs from the address's host. */
  serverName?: string;
  serverRootCaCertPath?: string;
  clientCertPath?: string;
  clientKeyPath?: string;
}

export type TlsConfig = boolean | TlsSettings;

export const TLS_VARIABLES: Record<keyof TlsSettings, string> = {
  serverName: 'TEMPORAL_TLS_SERVER_NAME',
  serverRootCaCertPath: 'TEMPORAL_TLS_SERVER_CA_CERT_PATH',
  clientCertPath: 'TEMPORAL_TLS_CLIENT_CERT_PATH',
  clientKeyPath: 'TEMPORAL_TLS_CLIENT_KEY_PATH',
};

const PATH_KEYS = ['serverRootCaCertPath', 'clientCertPath', 'clientKeyPath'] as const;

export function resolveTls(fromFile: TlsConfig, file: string | undefined, env: NodeJS.ProcessEnv): TlsConfig {
  const fileDir = file ? path.dirname(file) : process.cwd();
  const settings: TlsSettings = {};
  const origin: Partial<Record<keyof TlsSettings, string>> = {};
  if (typeof fromFile === 'object') {
    for (const [key, value] of Object.entries(fromFile) as [keyof TlsSettings, string | undefined][]) {
      if (!value) continue;
      settings[key] = (PATH_KEYS as readonly string[]).includes(key) ? path.resolve(fileDir, value) : value;
      origin[key] = `${file ?? 'temporal.config.json'}: tls.${key}`;
    }
  }
  for (const [key, variable] of Object.entries(TLS_VARIABLES) as [keyof TlsSettings, string][]) {
    const value = env[variable];
    if (!value) continue;
    settings[key] = (PATH_KEYS as readonly string[]).includes(key) ? path.resolve(value) : value;
    origin[key] = `environment variable ${variable}`;
  }
  checkClientPair(settings, origin);

  const explicit = env.TEMPORAL_TLS === undefined || env.TEMPORAL_TLS === '' ? undefined : /^(1|true|yes)$/i.test(env.TEMPORAL_TLS);
  // An explicit TEMPORAL_TLS=false turns TLS off whatever else is set; anything set turns it on.
  if (explicit === false) return false;
  if (Object.keys(settings).length) return settings;
  return explicit ?? fromFile === true;
}

/** A client certificate without its key (or the reverse) would be dropped silently and fail as a bare handshake error. */
function checkClientPair(settings: TlsSettings, origin: Partial<Record<keyof TlsSettings, string>>): void {
  const [present, missing] =
    settings.clientCertPath && !settings.clientKeyPath
      ? (['clientCertPath', 'clientKeyPath'] as const)
      : settings.clientKeyPath && !settings.clientCertPath
        ? (['clientKeyPath', 'clientCertPath'] as const)
        : [undefined, undefined];
  if (!present || !missing) return;
  throw new ConfigError(
    origin[present]!,
    '',
    `${present} is set but ${missing} is not: a client certificate needs both the certificate and its private key`,
    `set tls.${missing} in temporal.config.json or ${TLS_VARIABLES[missing]}, or remove ${present}`,
  );
}
