import { ConfigError } from '../config/config-error';

/**
 * The payload codec's keys, read from the environment only (never from a file, never into
 * history): the active key encrypts, and every key, old ones included, decrypts by its id.
 *
 *   DBMOVE_CODEC_KEY=<base64 of 32 random bytes>     the key new payloads are encrypted with
 *   DBMOVE_CODEC_KEY_ID=2026-11                      its id, written beside each payload
 *   DBMOVE_CODEC_OLD_KEYS=2026-05=<base64>,...       retired keys, kept to read older histories
 *
 * Rotation: make a new key, move the current one into DBMOVE_CODEC_OLD_KEYS under its id,
 * set the new key and id, restart workers and clients. Histories written under the old key
 * still decode; drop the old key once no history that needs it is retained.
 */

export const CODEC_KEY = 'DBMOVE_CODEC_KEY';
export const CODEC_KEY_ID = 'DBMOVE_CODEC_KEY_ID';
export const CODEC_OLD_KEYS = 'DBMOVE_CODEC_OLD_KEYS';

const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;

export interface CodecKeys {
  /** Id of the key new payloads are encrypted with. */
  activeKeyId: string;
  /** Every key this process can decrypt with, by id (the active one included). */
  keys: Map<string, Buffer>;
}

function decodeKey(variable: string, value: string): Buffer {
  const trimmed = value.trim();
  const key = /^[A-Za-z0-9+/]+={0,2}$/.test(trimmed) ? Buffer.from(trimmed, 'base64') : Buffer.alloc(0);
  // The message never repeats the value: it is a secret even when malformed.
  if (key.length !== 32) {
    throw new ConfigError(
      `environment variable ${variable}`,
      '',
      `must be 32 bytes encoded in base64 (AES-256), got ${key.length ? `${key.length} bytes` : 'something that is not base64'}`,
      `generate one with: node -e "console.log(require('crypto').randomBytes(32).toString('base64'))"`,
    );
  }
  return key;
}

function checkKeyId(variable: string, id: string): string {
  if (!KEY_ID.test(id))
    throw new ConfigError(
      `environment variable ${variable}`,
      '',
      `key id "${id.slice(0, 70)}" must be 1 to 64 letters, digits, ".", "_" or "-"`,
      'use a short name such as 2026-11',
    );
  return id;
}

/** The codec's keys, or undefined when DBMOVE_CODEC_KEY is not set (the codec is off). */
export function codecKeysFromEnvironment(env: NodeJS.ProcessEnv): CodecKeys | undefined {
  const active = env[CODEC_KEY];
  if (!active) {
    if (env[CODEC_OLD_KEYS] || env[CODEC_KEY_ID]) {
      throw new ConfigError(
        `environment variable ${CODEC_KEY}`,
        '',
        `is not set, but ${env[CODEC_KEY_ID] ? CODEC_KEY_ID : CODEC_OLD_KEYS} is`,
        `set ${CODEC_KEY} (the active key), or unset the codec variables to run without the codec`,
      );
    }
    return undefined;
  }
  const idValue = env[CODEC_KEY_ID];
  if (!idValue)
    throw new ConfigError(
      `environment variable ${CODEC_KEY_ID}`,
      '',
      `is not set, but ${CODEC_KEY} is`,
      `name the active key, for example ${CODEC_KEY_ID}=2026-11; the id is stored beside every payload so the key can be rotated`,
    );
  const activeKeyId = checkKeyId(CODEC_KEY_ID, idValue);
  const keys = new Map<string, Buffer>([[activeKeyId, decodeKey(CODEC_KEY, active)]]);
  const entries = (env[CODEC_OLD_KEYS] ?? '')
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean);
  for (const [index, entry] of entries.entries()) {
    // Never echo the entry: a malformed one may be a bare key.
    const pair = /^([A-Za-z0-9._-]{1,64})=(.*)$/s.exec(entry);
    if (!pair || !pair[2])
      throw new ConfigError(
        `environment variable ${CODEC_OLD_KEYS}`,
        '',
        'must list id=<base64 key> pairs separated by commas (ids: letters, digits, ".", "_", "-")',
        `write ${CODEC_OLD_KEYS}=2026-05=<base64>,2025-11=<base64>`,
      );
    const [, id, value] = pair;
    if (keys.has(id))
      throw new ConfigError(
        `environment variable ${CODEC_OLD_KEYS}`,
        '',
        `key id "${id}" is listed twice (or is also the active key id)`,
        'give every key its own id',
      );
    keys.set(id, decodeKey(`${CODEC_OLD_KEYS} (entry ${index + 1})`, value));
  }
  return { activeKeyId, keys };
}
