import * as fs from 'node:fs';
import { Connection, Client, ConnectionOptions } from '@temporalio/client';
import type { NativeConnection, NativeConnectionOptions } from '@temporalio/worker';
import { dataConverterFromEnvironment } from '../codec/aes-gcm-codec';
import { ConfigError } from './config-error';
import { TemporalConfig } from './temporal-config';
import { TLS_VARIABLES } from './temporal-tls';

type TlsOption = ConnectionOptions['tls'];

function tlsOptions(cfg: TemporalConfig): TlsOption {
  if (cfg.tls === false) return undefined;
  if (cfg.tls === true) return true;
  const settings = cfg.tls;
  const read = (key: 'serverRootCaCertPath' | 'clientCertPath' | 'clientKeyPath') => readTlsFile(cfg, key, settings[key]);
  const cert = read('clientCertPath');
  const key = read('clientKeyPath');
  return {
    serverNameOverride: settings.serverName,
    serverRootCACertificate: read('serverRootCaCertPath'),
    clientCertPair: cert && key ? { crt: cert, key } : undefined,
  };
}

/** A certificate or key that cannot be read is a configuration problem: say which setting points at it. */
function readTlsFile(cfg: TemporalConfig, key: keyof typeof TLS_VARIABLES, file: string | undefined): Buffer | undefined {
  if (!file) return undefined;
  try {
    return fs.readFileSync(file);
  } catch (err) {
    throw new ConfigError(
      cfg.file ?? 'temporal.config.json',
      `tls.${key}`,
      `cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
      `point tls.${key} or ${TLS_VARIABLES[key]} at a readable PEM file`,
    );
  }
}

export async function connectClient(cfg: TemporalConfig): Promise<Client> {
  // The payload codec, when DBMOVE_CODEC_KEY is set: the client encrypts what it sends and decrypts what it reads.
  const dataConverter = dataConverterFromEnvironment(process.env);
  const connection = await Connection.connect({
    address: cfg.address,
    tls: tlsOptions(cfg),
    apiKey: cfg.apiKey,
    connectTimeout: '5s',
  });
  return new Client({ connection, namespace: cfg.namespace, dataConverter });
}

export async function connectWorker(cfg: TemporalConfig): Promise<NativeConnection> {
  // The worker runtime (native) loads only for the processes that run a worker.
  const { NativeConnection } = await import('@temporalio/worker');
  return NativeConnection.connect({
    address: cfg.address,
    tls: tlsOptions(cfg) as NativeConnectionOptions['tls'],
    apiKey: cfg.apiKey,
  });
}
