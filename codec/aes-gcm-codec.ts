import { DbmoveError } from '../common/errors';
import * as crypto from 'node:crypto';
import type { DataConverter, Payload, PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { CODEC_OLD_KEYS, CodecKeys, codecKeysFromEnvironment } from './codec-keys';

/**
 * An optional payload codec: every payload (workflow inputs and results, activity inputs and
 * results, signals, updates, queries, heartbeats, failures' details) is encrypted with
 * AES-256-GCM before it leaves the worker or the client, so the Temporal service and anyone
 * reading its histories without the key sees only ciphertext and the key's id.
 *
 * dbmove keeps secrets out of payloads in the first place; the codec is defence in depth for
 * what payloads do carry (environment names, people, notes, row counts).
 */

export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const KEY_ID_METADATA = 'encryption-key-id';
const CIPHER = 'aes-256-gcm';
const IV_BYTES = 12;
const TAG_BYTES = 16;

export class CodecKeyError extends DbmoveError {
  constructor(message: string) {
    super('CodecKeyError', message);
  }
}

const text = (bytes: Uint8Array | null | undefined) => (bytes ? Buffer.from(bytes).toString('utf8') : undefined);

export class AesGcmCodec implements PayloadCodec {
  constructor(private readonly keys: CodecKeys) {}

  get activeKeyId(): string {
    return this.keys.activeKeyId;
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    const id = this.keys.activeKeyId;
    const key = this.keys.keys.get(id)!;
    return payloads.map((payload) => {
      const plain = temporal.api.common.v1.Payload.encode(payload).finish();
      const iv = crypto.randomBytes(IV_BYTES);
      const cipher = crypto.createCipheriv(CIPHER, key, iv);
      // The key id is authenticated too: a payload cannot be relabelled to another key.
      cipher.setAAD(Buffer.from(id, 'utf8'));
      const sealed = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
      return {
        metadata: { encoding: Buffer.from(ENCRYPTED_ENCODING), [KEY_ID_METADATA]: Buffer.from(id) },
        data: sealed,
      };
    });
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      // Payloads written before the codec was turned on stay readable.
      if (text(payload.metadata?.encoding) !== ENCRYPTED_ENCODING) return payload;
      const id = text(payload.metadata?.[KEY_ID_METADATA]);
      if (!id) throw new CodecKeyError(`An encrypted payload carries no ${KEY_ID_METADATA}; it was not written by dbmove's codec`);
      const key = this.keys.keys.get(id);
      if (!key) {
        throw new CodecKeyError(
          `A payload is encrypted with key id "${id}", which this process does not hold (it holds ${[...this.keys.keys.keys()].map((k) => `"${k}"`).join(', ')}). ` +
            `Fix: add that key to ${CODEC_OLD_KEYS} as ${id}=<base64 key>, on the worker, the client and the codec server`,
        );
      }
      const sealed = Buffer.from(payload.data ?? new Uint8Array());
      if (sealed.length < IV_BYTES + TAG_BYTES) throw new CodecKeyError(`An encrypted payload (key id "${id}") is too short to be one: it was truncated`);
      const decipher = crypto.createDecipheriv(CIPHER, key, sealed.subarray(0, IV_BYTES));
      decipher.setAAD(Buffer.from(id, 'utf8'));
      decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
      let plain: Buffer;
      try {
        plain = Buffer.concat([decipher.update(sealed.subarray(IV_BYTES, sealed.length - TAG_BYTES)), decipher.final()]);
      } catch {
        throw new CodecKeyError(
          `A payload labelled with key id "${id}" does not decrypt with the key held under that id: the key is not the one it was written with, or the payload was altered`,
        );
      }
      return temporal.api.common.v1.Payload.decode(plain);
    });
  }
}

/** The codec when DBMOVE_CODEC_KEY is set, else undefined (payloads travel as plain JSON). */
export function codecFromEnvironment(env: NodeJS.ProcessEnv): AesGcmCodec | undefined {
  const keys = codecKeysFromEnvironment(env);
  return keys ? new AesGcmCodec(keys) : undefined;
}

/** A data converter for Client and Worker options: the codec when configured, else nothing. */
export function dataConverterFromEnvironment(env: NodeJS.ProcessEnv): DataConverter | undefined {
  const codec = codecFromEnvironment(env);
  return codec ? { payloadCodecs: [codec] } : undefined;
}
