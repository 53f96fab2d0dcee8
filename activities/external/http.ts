import * as fs from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';

/**
 * One HTTP(S) request to an endpoint the catalog names (a version source, an application
 * service, the sign-in check). The bearer token comes from the environment variable the
 * catalog names and is never logged; `caFile` adds the certificate authorities of an internal
 * PKI; a time limit bounds the whole request.
 */
export interface HttpCall {
  url: string;
  method?: 'GET' | 'POST' | 'PUT';
  token?: string;
  caFile?: string;
  timeoutMs: number;
  body?: unknown;
  signal?: AbortSignal;
}

export interface HttpAnswer {
  status: number;
  text: string;
  json(): unknown;
}

const MAX_BODY = 1024 * 1024;

export function httpRequest(call: HttpCall): Promise<HttpAnswer> {
  const url = new URL(call.url);
  const client = url.protocol === 'https:' ? https : http;
  const payload = call.body === undefined ? undefined : Buffer.from(JSON.stringify(call.body));
  return new Promise((resolve, reject) => {
    const request = client.request(
      url,
      {
        method: call.method ?? 'GET',
        headers: {
          accept: 'application/json',
          ...(payload ? { 'content-type': 'application/json', 'content-length': String(payload.length) } : {}),
          ...(call.token ? { authorization: `Bearer ${call.token}` } : {}),
        },
        ...(url.protocol === 'https:' && call.caFile ? { ca: fs.readFileSync(call.caFile) } : {}),
        timeout: call.timeoutMs,
        signal: call.signal,
      },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          if (text.length < MAX_BODY) text += chunk;
        });
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            text,
            json: () => {
              try {
                return JSON.parse(text);
              } catch {
                throw new Error(`${describeUrl(call.url)} answered ${response.statusCode} with a body that is not JSON: ${text.slice(0, 200)}`);
              }
            },
          }),
        );
        response.on('error', reject);
      },
    );
    const deadline = setTimeout(
      () => request.destroy(new Error(`no answer from ${describeUrl(call.url)} within ${Math.round(call.timeoutMs / 1000)} s`)),
      call.timeoutMs,
    );
    request.on('timeout', () => request.destroy(new Error(`no answer from ${describeUrl(call.url)} within ${Math.round(call.timeoutMs / 1000)} s`)));
    request.on('error', (err) => {
      clearTimeout(deadline);
      reject(err);
    });
    request.on('close', () => clearTimeout(deadline));
    if (payload) request.write(payload);
    request.end();
  });
}

/** The URL without its query string and credentials, for messages (a query may carry a key). */
export function describeUrl(raw: string): string {
  try {
    const url = new URL(raw);
    return `${url.protocol}//${url.host}${url.pathname}`;
  } catch {
    return '(an invalid URL)';
  }
}
