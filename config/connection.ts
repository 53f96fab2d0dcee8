import * as fs from 'node:fs';
import { Connection, Client, ConnectionOptions } from '@temporalio/client';
import type { NativeConnection, NativeConnectionOptions } from '@temporalio/worker';
import { dataConverterFromEnvironment } from '../codec/aes-gcm-codec';
import { TemporalConfig } from './temporal-config';

type TlsOption = ConnectionOptions['tls'];

function tlsOptions(cfg: TemporalConfig): TlsOption {
  if (cfg.tls === false) return undefined;
  if (cfg.tls === true) return true;
  const read = (p?: string) => (p ? fs.readFileSync(p) : undefined);
  const cert = read(cfg.tls.clientCertPath);
  const key = read(cfg.tls.clientKeyPath);
  return {
    serverNameOverride: cfg.tls.serverName,
    serverRootCACertificate: read(cfg.tls.serverRootCaCertPath),
    clientCertPair: cert && key ? { crt: cert, key } : undefined,
  };
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
