import { temporal } from '@temporalio/proto';
import type { WorkflowHandle } from '@temporalio/client';

/** A workflow's history as Temporal stores it: protobuf bytes, and JSON with bytes in base64 (what `temporal workflow show -o json` prints). */
export async function exportHistory(handle: WorkflowHandle): Promise<{ binary: Buffer; json: string; history: temporal.api.history.v1.IHistory }> {
  const history = await handle.fetchHistory();
  const message = temporal.api.history.v1.History.fromObject(history);
  const binary = Buffer.from(temporal.api.history.v1.History.encode(message).finish());
  const json = JSON.stringify(temporal.api.history.v1.History.toObject(message, { longs: String, enums: String, bytes: String }));
  return { binary, json, history };
}

/** Where a secret shows up in `text`: as is, or base64-encoded (at any of the three alignments). */
export function secretFindings(name: string, secret: string, haystacks: Record<string, string | Buffer>): string[] {
  const needles = [Buffer.from(secret, 'utf8')];
  // base64 of the secret inside a longer base64 string depends on its offset modulo 3.
  for (let pad = 0; pad < 3; pad++) {
    const encoded = Buffer.from('x'.repeat(pad) + secret, 'utf8').toString('base64');
    const stable = encoded.slice(Math.ceil((pad * 4) / 3) + 1, -4);
    needles.push(Buffer.from(stable, 'utf8'));
  }
  const found: string[] = [];
  for (const [where, hay] of Object.entries(haystacks)) {
    const buffer = Buffer.isBuffer(hay) ? hay : Buffer.from(hay, 'utf8');
    needles.forEach((needle, i) => {
      if (buffer.includes(needle)) found.push(`${name} ${i === 0 ? 'raw' : `base64 (offset ${i - 1})`} in ${where}`);
    });
  }
  return found;
}

/** Every payload in a history, outside search attributes (which Temporal indexes in clear and dbmove fills with names only). */
export function historyPayloads(history: temporal.api.history.v1.IHistory): temporal.api.common.v1.IPayload[] {
  const out: temporal.api.common.v1.IPayload[] = [];
  const visit = (value: unknown, key: string) => {
    if (!value || typeof value !== 'object' || key === 'searchAttributes') return;
    if (value instanceof Uint8Array) return;
    const v = value as Record<string, unknown>;
    if ('metadata' in v && 'data' in v && v.metadata && typeof v.metadata === 'object') {
      out.push(v as temporal.api.common.v1.IPayload);
      return;
    }
    for (const [k, child] of Object.entries(v)) visit(child, k);
  };
  visit(history, '');
  return out;
}
