import { Reader, Writer } from 'protobufjs/minimal';

/**
 * The few Temporal messages the fast read path exchanges (client/wire/messages.ts), described
 * by their fields' numbers and types, so a schema lists only the fields dbmove reads; the wire
 * format itself is protobufjs's. test/wire.test.ts checks every field number and type against the
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

// ── encoding and decoding, with protobufjs's wire reader and writer ─────────────────────
// protobufjs/minimal is the runtime @temporalio/proto itself uses, without the Temporal API's
// descriptor (which takes most of the client library's start-up): the schemas above say which
// fields to read, protobufjs reads and writes the wire format.

const WIRE = { varint: 0, lengthDelimited: 2 } as const;

function writeValue(writer: Writer, field: Field, value: unknown): void {
  const type = field.type;
  if (typeof type === 'object') {
    writer.uint32((field.id << 3) | WIRE.lengthDelimited).fork();
    writeMessage(writer, type, value as Decoded);
    writer.ldelim();
    return;
  }
  switch (type) {
    case 'string':
      writer.uint32((field.id << 3) | WIRE.lengthDelimited).string(String(value));
      return;
    case 'bytes':
      writer.uint32((field.id << 3) | WIRE.lengthDelimited).bytes(value as Uint8Array);
      return;
    case 'bool':
      writer.uint32((field.id << 3) | WIRE.varint).bool(Boolean(value));
      return;
    case 'int64':
      writer.uint32((field.id << 3) | WIRE.varint).int64(Number(value));
      return;
    default:
      writer.uint32((field.id << 3) | WIRE.varint).int32(Number(value));
  }
}

function writeMessage(writer: Writer, schema: MessageSchema, value: Decoded): void {
  for (const [name, field] of Object.entries(schema.fields)) {
    const v = value[name];
    if (v === undefined || v === null) continue;
    for (const item of field.repeated ? (v as unknown[]) : [v]) writeValue(writer, field, item);
  }
}

/** Encodes the fields of `value` that the schema names (maps are not needed for requests). */
export function encode(schema: MessageSchema, value: Decoded): Buffer {
  const writer = Writer.create();
  writeMessage(writer, schema, value);
  return Buffer.from(writer.finish());
}

function readScalar(type: Scalar, reader: Reader): unknown {
  switch (type) {
    case 'string':
      return reader.string();
    case 'bytes':
      return reader.bytes();
    case 'bool':
      return reader.bool();
    case 'int64': {
      // A Long when the `long` package is installed (it is, for @temporalio/proto), else a number.
      const v = reader.int64() as unknown as number | { toNumber(): number };
      return typeof v === 'number' ? v : v.toNumber();
    }
    default:
      return reader.int32();
  }
}

function readMessage(schema: MessageSchema, reader: Reader, end: number): Decoded {
  const out: Decoded = {};
  const byId = new Map<number, [string, Field]>(Object.entries(schema.fields).map(([name, f]) => [f.id, [name, f]]));
  for (const [name, f] of byId.values()) {
    if (f.map) out[name] = {};
    else if (f.repeated) out[name] = [];
  }
  while (reader.pos < end) {
    const key = reader.uint32();
    const known = byId.get(key >>> 3);
    if (!known) {
      reader.skipType(key & 7);
      continue;
    }
    const [name, field] = known;
    if (field.map) {
      // A map entry is a message of key (1, string here) and value (2).
      const entryEnd = reader.uint32() + reader.pos;
      let k = '';
      let v: unknown;
      while (reader.pos < entryEnd) {
        const entryKey = reader.uint32();
        if (entryKey >>> 3 === 1) k = reader.string();
        else if (entryKey >>> 3 === 2)
          v = typeof field.type === 'object' ? readMessage(field.type, reader, reader.uint32() + reader.pos) : readScalar(field.type, reader);
        else reader.skipType(entryKey & 7);
      }
      (out[name] as Record<string, unknown>)[k] = v;
      continue;
    }
    const values: unknown[] = [];
    if (typeof field.type === 'object') values.push(readMessage(field.type, reader, reader.uint32() + reader.pos));
    else if ((key & 7) === WIRE.lengthDelimited && field.type !== 'string' && field.type !== 'bytes') {
      // A packed repeated scalar.
      const packedEnd = reader.uint32() + reader.pos;
      while (reader.pos < packedEnd) values.push(readScalar(field.type, reader));
    } else values.push(readScalar(field.type, reader));
    if (field.repeated) (out[name] as unknown[]).push(...values);
    else out[name] = values[values.length - 1];
  }
  return out;
}

/** Decodes a message; fields the schema does not name are skipped, as every protobuf reader does. */
export function decode(schema: MessageSchema, buf: Uint8Array): Decoded {
  const reader = Reader.create(buf);
  return readMessage(schema, reader, reader.len);
}
