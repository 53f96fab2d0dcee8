import * as http from 'node:http';
import type { Payload } from '@temporalio/common';
import type { AesGcmCodec } from './aes-gcm-codec';

/**
 * The Temporal codec server protocol, so the Web UI (and `temporal workflow show
 * --codec-endpoint`) can show decoded payloads to whoever can reach this endpoint:
 *
 *   POST /decode  {"payloads": [{"metadata": {"encoding": "<base64>"}, "data": "<base64>"}]}
 *   POST /encode  the same shape the other way
 *
 * It holds the key, so it listens on loopback by default and answers cross-origin requests
 * only from the Web UI origins it was given.
 */

export interface CodecServerOptions {
  codec: AesGcmCodec;
  port: number;
  host?: string;
  /** Web UI origins allowed to call from a browser, e.g. http://localhost:8233. */
  allowedOrigins: string[];
  /** Largest request body accepted, in bytes. */
  maxBodyBytes?: number;
}

interface JsonPayload {
  metadata?: Record<string, string>;
  data?: string;
}

class BadRequest extends Error {}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function fromJson(p: unknown, i: number): Payload {
  if (typeof p !== 'object' || p === null || Array.isArray(p)) throw new BadRequest(`payloads[${i}] must be an object with "metadata" and "data"`);
  const { metadata = {}, data = '' } = p as JsonPayload;
  if (typeof metadata !== 'object' || metadata === null) throw new BadRequest(`payloads[${i}].metadata must be an object of base64 strings`);
  if (typeof data !== 'string' || !BASE64.test(data)) throw new BadRequest(`payloads[${i}].data must be a base64 string`);
  const decoded: Record<string, Uint8Array> = {};
  for (const [key, value] of Object.entries(metadata)) {
    if (typeof value !== 'string' || !BASE64.test(value)) throw new BadRequest(`payloads[${i}].metadata.${key} must be a base64 string`);
    decoded[key] = Buffer.from(value, 'base64');
  }
  return { metadata: decoded, data: Buffer.from(data, 'base64') };
}

function toJson(p: Payload): JsonPayload {
  const metadata: Record<string, string> = {};
  for (const [key, value] of Object.entries(p.metadata ?? {})) metadata[key] = Buffer.from(value ?? new Uint8Array()).toString('base64');
  return { metadata, data: Buffer.from(p.data ?? new Uint8Array()).toString('base64') };
}

function readBody(req: http.IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new BadRequest(`the request body is larger than ${limit} bytes`));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export function createCodecServer(options: CodecServerOptions): http.Server {
  const limit = options.maxBodyBytes ?? 8 * 1024 * 1024;
  const allowed = new Set(options.allowedOrigins.map((o) => o.replace(/\/$/, '')));
  return http.createServer(async (req, res) => {
    const origin = req.headers.origin;
    if (origin && allowed.has(origin)) {
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Access-Control-Allow-Credentials', 'true');
      res.setHeader('Access-Control-Allow-Methods', 'POST, OPTIONS');
      res.setHeader('Access-Control-Allow-Headers', 'Content-Type, X-Namespace, Authorization');
      res.setHeader('Vary', 'Origin');
    }
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (origin && !allowed.has(origin)) return send(403, { error: `origin ${origin} is not allowed; start the codec server with --ui-origin ${origin}` });
    if (req.method === 'OPTIONS') {
      res.writeHead(204);
      return res.end();
    }
    const route = (req.url ?? '').split('?')[0].replace(/\/+$/, '');
    if (route !== '/encode' && route !== '/decode') return send(404, { error: 'use POST /encode or POST /decode' });
    if (req.method !== 'POST') return send(405, { error: `${route} takes POST` });
    try {
      const body = await readBody(req, limit);
      let parsed: unknown;
      try {
        parsed = JSON.parse(body);
      } catch {
        throw new BadRequest('the body is not JSON; send {"payloads": [...]}');
      }
      const list = (parsed as { payloads?: unknown })?.payloads;
      if (!Array.isArray(list)) throw new BadRequest('the body must be {"payloads": [...]}');
      const payloads = list.map(fromJson);
      const out = route === '/encode' ? await options.codec.encode(payloads) : await options.codec.decode(payloads);
      send(200, { payloads: out.map(toJson) });
    } catch (err) {
      const status = err instanceof BadRequest ? 400 : (err as Error).name === 'CodecKeyError' ? 422 : 500;
      send(status, { error: (err as Error).message });
    }
  });
}

export function listen(server: http.Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve((server.address() as { port: number }).port));
  });
}
