/**
 * Just enough of the protobuf wire format for the few Temporal messages the fast read path
 * exchanges (client/wire/messages.ts): a message is described by its fields' numbers and
 * types, unknown fields are skipped, as every protobuf reader does, so a schema lists only
 * the fields dbmove reads. test/wire.test.ts checks every field number and type against the
 * Temporal API's own descriptor (@temporalio/proto).
 */
export type Scalar = 'string' | 'bytes' | 'int32' | 'int64' | 'bool' | 'enum';

export interface Field {
  id: number;
  type: Scalar | MessageSchema;
  repeated?: boolean;
  /** A map<string, value> field (its value is `type`). */
  map?: boolean;
}

export interface MessageSchema {
  /** The full protobuf name, for the descriptor test. */
  name: string;
  fields: Record<string, Field>;
}

export type Decoded = { [field: string]: unknown };

export function message(name: string, fields: Record<string, Field>): MessageSchema {
  return { name, fields };
}

// ── encoding (requests) ───────────────────────────────────────────────────────────

function varint(value: number): number[] {
  const out: number[] = [];
  let v = value;
  while (v > 0x7f) {
    out.push((v % 128) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return out;
}

function tag(id: number, wireType: number): number[] {
  return varint(id * 8 + wireType);
}

function encodeValue(field: Field, value: unknown): Buffer {
  const type = field.type;
  if (typeof type === 'object') {
    const body = encode(type, value as Decoded);
    return Buffer.concat([Buffer.from([...tag(field.id, 2), ...varint(body.length)]), body]);
  }
  switch (type) {
    case 'string':
    case 'bytes': {
      const body = type === 'string' ? Buffer.from(String(value), 'utf8') : Buffer.from(value as Uint8Array);
      return Buffer.concat([Buffer.from([...tag(field.id, 2), ...varint(body.length)]), body]);
    }
    default:
      return Buffer.from([...tag(field.id, 0), ...varint(type === 'bool' ? (value ? 1 : 0) : Number(value))]);
  }
}

/** Encodes the fields of `value` that the schema names (maps are not needed for requests). */
export function encode(schema: MessageSchema, value: Decoded): Buffer {
  const parts: Buffer[] = [];
  for (const [name, field] of Object.entries(schema.fields)) {
    const v = value[name];
    if (v === undefined || v === null) continue;
    for (const item of field.repeated ? (v as unknown[]) : [v]) parts.push(encodeValue(field, item));
  }
  return Buffer.concat(parts);
}

// ── decoding (responses) ──────────────────────────────────────────────────────────

class Reader {
  pos = 0;
  constructor(readonly buf: Buffer) {}

  varint(): number {
    let result = 0;
    let scale = 1;
    for (;;) {
      if (this.pos >= this.buf.length) throw new Error('truncated protobuf varint');
      const byte = this.buf[this.pos++];
      result += (byte & 0x7f) * scale;
      if (byte < 0x80) return result;
      scale *= 128;
    }
  }

  bytes(): Buffer {
    const length = this.varint();
    const end = this.pos + length;
    if (end > this.buf.length) throw new Error('truncated protobuf field');
    const slice = this.buf.subarray(this.pos, end);
    this.pos = end;
    return slice;
  }

  skip(wireType: number): void {
    if (wireType === 0) this.varint();
    else if (wireType === 1) this.pos += 8;
    else if (wireType === 2) this.bytes();
    else if (wireType === 5) this.pos += 4;
    else throw new Error(`unsupported protobuf wire type ${wireType}`);
  }
}

function signed32(n: number): number {
  return n > 0x7fffffff ? n - 0x100000000 : n;
}

function decodeScalar(type: Scalar, reader: Reader): unknown {
  switch (type) {
    case 'string':
      return reader.bytes().toString('utf8');
    case 'bytes':
      return new Uint8Array(reader.bytes());
    case 'bool':
      return reader.varint() !== 0;
    case 'int32':
    case 'enum':
      return signed32(reader.varint());
    case 'int64':
      return reader.varint();
  }
}

/** Decodes a message; fields the schema does not name are skipped. */
export function decode(schema: MessageSchema, buf: Buffer): Decoded {
  const reader = new Reader(buf);
  const out: Decoded = {};
  const byId = new Map<number, [string, Field]>(Object.entries(schema.fields).map(([name, f]) => [f.id, [name, f]]));
  for (const [name, f] of byId.values()) {
    if (f.map) out[name] = {};
    else if (f.repeated) out[name] = [];
  }
  while (reader.pos < buf.length) {
    const key = reader.varint();
    const id = Math.floor(key / 8);
    const wireType = key % 8;
    const known = byId.get(id);
    if (!known) {
      reader.skip(wireType);
      continue;
    }
    const [name, field] = known;
    if (field.map) {
      const entry = new Reader(reader.bytes());
      let k = '';
      let v: unknown;
      while (entry.pos < entry.buf.length) {
        const entryKey = entry.varint();
        if (entryKey === 0x0a) k = entry.bytes().toString('utf8');
        else if (entryKey >> 3 === 2) v = typeof field.type === 'object' ? decode(field.type, entry.bytes()) : decodeScalar(field.type, entry);
        else entry.skip(entryKey % 8);
      }
      (out[name] as Record<string, unknown>)[k] = v;
      continue;
    }
    let values: unknown[];
    if (typeof field.type === 'object') values = [decode(field.type, reader.bytes())];
    else if (wireType === 2 && field.type !== 'string' && field.type !== 'bytes') {
      // A packed repeated scalar.
      const packed = new Reader(reader.bytes());
      values = [];
      while (packed.pos < packed.buf.length) values.push(decodeScalar(field.type, packed));
    } else values = [decodeScalar(field.type, reader)];
    if (field.repeated) (out[name] as unknown[]).push(...values);
    else out[name] = values[values.length - 1];
  }
  return out;
}
