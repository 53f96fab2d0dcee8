import * as fs from 'node:fs';
import * as http2 from 'node:http2';
import type { TemporalConfig } from '../../config/temporal-config';
import { decode, encode, type Decoded, type MessageSchema } from './protobuf';

/**
 * Unary gRPC calls to Temporal's WorkflowService over Node's own HTTP/2, for the read-only
 * commands that must start fast (`dbmove status`, `list`, `history`, `logs`): the Temporal
 * client library spends about 200 ms loading its protobuf definitions before the first call,
 * several times what the whole `temporal workflow describe` takes. Same address, TLS and API
 * key as the client library (config/connection.ts); everything that writes goes through
 * @temporalio/client.
 */
export class GrpcError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
    this.name = 'GrpcError';
  }
}

export const GRPC = { DEADLINE_EXCEEDED: 4, NOT_FOUND: 5, UNAVAILABLE: 14 } as const;

export class WorkflowServiceChannel {
  private session: http2.ClientHttp2Session | undefined;

  constructor(private readonly config: Pick<TemporalConfig, 'address' | 'tls' | 'apiKey' | 'namespace'>) {}

  private connect(): http2.ClientHttp2Session {
    if (this.session && !this.session.closed && !this.session.destroyed) return this.session;
    const tls = this.config.tls;
    const read = (file?: string) => (file ? fs.readFileSync(file) : undefined);
    const options: http2.SecureClientSessionOptions =
      typeof tls === 'object'
        ? { ca: read(tls.serverRootCaCertPath), cert: read(tls.clientCertPath), key: read(tls.clientKeyPath), servername: tls.serverName }
        : {};
    const session = http2.connect(`${tls ? 'https' : 'http'}://${this.config.address}`, options);
    session.on('error', () => undefined); // each call reports its own failure
    this.session = session;
    return session;
  }

  /** One unary call: `method` of temporal.api.workflowservice.v1.WorkflowService. */
  call(method: string, requestSchema: MessageSchema, request: Decoded, responseSchema: MessageSchema, timeoutMs = 10_000): Promise<Decoded> {
    const body = encode(requestSchema, request);
    const frame = Buffer.alloc(5 + body.length);
    frame.writeUInt32BE(body.length, 1);
    body.copy(frame, 5);
    return new Promise((resolve, reject) => {
      let session: http2.ClientHttp2Session;
      try {
        session = this.connect();
      } catch (err) {
        reject(err);
        return;
      }
      const headers: http2.OutgoingHttpHeaders = {
        ':method': 'POST',
        ':path': `/temporal.api.workflowservice.v1.WorkflowService/${method}`,
        'content-type': 'application/grpc',
        te: 'trailers',
        'grpc-timeout': `${Math.max(1, Math.round(timeoutMs))}m`,
        'temporal-namespace': this.config.namespace,
        ...(this.config.apiKey ? { authorization: `Bearer ${this.config.apiKey}` } : {}),
      };
      const stream = session.request(headers);
      const chunks: Buffer[] = [];
      let status: string | undefined;
      let statusMessage = '';
      const take = (h: http2.IncomingHttpHeaders) => {
        if (h['grpc-status'] !== undefined) status = String(h['grpc-status']);
        if (h['grpc-message'] !== undefined) statusMessage = decodeURIComponent(String(h['grpc-message']));
      };
      const timer = setTimeout(() => stream.close(http2.constants.NGHTTP2_CANCEL), timeoutMs + 2_000);
      stream.on('response', take);
      stream.on('trailers', take);
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('error', (err) => {
        clearTimeout(timer);
        reject(new GrpcError(GRPC.UNAVAILABLE, `${this.config.address}: ${err.message}`));
      });
      stream.on('close', () => {
        clearTimeout(timer);
        if (status === undefined) return reject(new GrpcError(GRPC.UNAVAILABLE, `${this.config.address} closed the call without a gRPC status`));
        if (status !== '0') return reject(new GrpcError(Number(status), statusMessage || `gRPC status ${status}`));
        const data = Buffer.concat(chunks);
        if (data.length < 5 || data[0] !== 0) return reject(new GrpcError(GRPC.UNAVAILABLE, `unexpected gRPC response framing from ${this.config.address}`));
        try {
          resolve(decode(responseSchema, data.subarray(5, 5 + data.readUInt32BE(1))));
        } catch (err) {
          reject(err);
        }
      });
      stream.end(frame);
    });
  }

  close(): void {
    this.session?.close();
    this.session = undefined;
  }
}
