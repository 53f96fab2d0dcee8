import type { Client } from '@temporalio/client';
import type { TemporalConfig } from '../config/temporal-config';
import type { OperationStatus } from '../workflows/types';
import { GRPC, GrpcError, WorkflowServiceChannel } from './wire/grpc';
import * as messages from './wire/messages';
import type { Decoded } from './wire/protobuf';

/**
 * What dbmove reads about its workflows: a description (state, search attributes, memo, the
 * pending activity with its last heartbeat), the status query, and lists. Two readers give
 * the same answers: one over the Temporal client library (scripts and tests that hold a
 * Client), and one over client/wire (the command line's read-only commands, which must start
 * fast). Both map the same raw API messages through `executionInfo` and `pendingActivity`.
 */
export type ExecutionStatusName = 'RUNNING' | 'COMPLETED' | 'FAILED' | 'CANCELLED' | 'TERMINATED' | 'CONTINUED_AS_NEW' | 'TIMED_OUT' | 'UNKNOWN';

export interface ExecutionInfo {
  workflowId: string;
  runId: string;
  type: string;
  status: ExecutionStatusName;
  startTime: Date;
  closeTime?: Date;
  /** Who started it, when it was a parent workflow (the environment lease's operation). */
  parentWorkflowId?: string;
  searchAttributes: Record<string, unknown>;
  memo: Record<string, unknown>;
}

export type PendingActivityState = 'SCHEDULED' | 'STARTED' | 'CANCEL_REQUESTED' | 'PAUSED' | 'PAUSE_REQUESTED' | 'UNKNOWN';

export interface PendingActivity {
  activityType: string;
  state: PendingActivityState;
  attempt: number;
  /** The first heartbeat detail (dbmove's Progress), decoded. */
  heartbeat?: unknown;
  lastHeartbeatTime?: Date;
  lastStartedTime?: Date;
  scheduledTime?: Date;
  lastFailure?: string;
}

export interface ExecutionDescription extends ExecutionInfo {
  pendingActivities: PendingActivity[];
}

export interface OperationReader {
  describe(workflowId: string, runId?: string): Promise<ExecutionDescription>;
  /** The `status` query; throws StatusUnavailableError when no worker answers in time. */
  queryStatus(workflowId: string, runId?: string): Promise<OperationStatus>;
  /** Up to `limit` executions matching a visibility query, in the server's order. */
  list(query: string, limit: number): Promise<ExecutionInfo[]>;
  close(): Promise<void>;
}

/** No workflow with that id (and run) exists. */
export class ExecutionNotFoundError extends Error {
  constructor(workflowId: string) {
    super(`Temporal has no workflow ${workflowId}`);
    this.name = 'ExecutionNotFound';
  }
}

/** The workflow exists but no worker answered its status query. */
export class StatusUnavailableError extends Error {
  constructor(workflowId: string, cause: string) {
    super(`${workflowId} does not answer its status query (${cause}): is a dbmove worker running on its task queue?`);
    this.name = 'StatusUnavailable';
  }
}

// ── mapping the raw API messages (same field names from both readers) ──────────────────

const STATUS_NAMES: ExecutionStatusName[] = ['UNKNOWN', 'RUNNING', 'COMPLETED', 'FAILED', 'CANCELLED', 'TERMINATED', 'CONTINUED_AS_NEW', 'TIMED_OUT'];
const ACTIVITY_STATES: PendingActivityState[] = ['UNKNOWN', 'SCHEDULED', 'STARTED', 'CANCEL_REQUESTED', 'PAUSED', 'PAUSE_REQUESTED'];

type RawPayload = { metadata?: Record<string, Uint8Array> | null; data?: Uint8Array | null };
type Raw = Record<string, any>;

const num = (value: unknown): number =>
  value && typeof (value as { toNumber?: unknown }).toNumber === 'function' ? (value as { toNumber(): number }).toNumber() : Number(value ?? 0);

function time(ts: Raw | null | undefined): Date | undefined {
  if (!ts || (ts.seconds === undefined && ts.nanos === undefined)) return undefined;
  const ms = num(ts.seconds) * 1000 + Math.floor(num(ts.nanos) / 1e6);
  return ms > 0 ? new Date(ms) : undefined;
}

/** Plain payloads (json/plain, binary/null) decoded without the data converter; others left to `decode`. */
export function plainPayload(payload: RawPayload): unknown {
  const encoding = payload.metadata?.encoding ? Buffer.from(payload.metadata.encoding).toString('utf8') : undefined;
  if (encoding === 'binary/null') return undefined;
  if (encoding === 'json/plain') return JSON.parse(Buffer.from(payload.data ?? new Uint8Array()).toString('utf8'));
  throw new Error(`payload encoding ${encoding ?? '(none)'} needs the data converter`);
}

export type PayloadDecoder = (payloads: RawPayload[]) => Promise<unknown[]>;

async function decodeMap(fields: Record<string, RawPayload> | null | undefined, decode: PayloadDecoder): Promise<Record<string, unknown>> {
  const entries = Object.entries(fields ?? {});
  const values = await decode(entries.map(([, p]) => p));
  return Object.fromEntries(entries.map(([k], i) => [k, values[i]]));
}

export async function executionInfo(raw: Raw, decode: PayloadDecoder): Promise<ExecutionInfo> {
  return {
    workflowId: raw.execution?.workflowId ?? '',
    runId: raw.execution?.runId ?? '',
    type: raw.type?.name ?? '',
    status: STATUS_NAMES[num(raw.status)] ?? 'UNKNOWN',
    startTime: time(raw.startTime) ?? new Date(0),
    closeTime: time(raw.closeTime),
    parentWorkflowId: raw.parentExecution?.workflowId || undefined,
    // Search attributes are never encoded by a codec: plain JSON always.
    searchAttributes: await decodeMap(raw.searchAttributes?.indexedFields, async (payloads) => payloads.map(plainPayload)),
    memo: await decodeMap(raw.memo?.fields, decode).catch(() => ({})),
  };
}

export async function pendingActivity(raw: Raw, decode: PayloadDecoder): Promise<PendingActivity> {
  let heartbeat: unknown;
  const payloads = raw.heartbeatDetails?.payloads as RawPayload[] | undefined;
  if (payloads?.length)
    heartbeat = await decode(payloads.slice(0, 1)).then(
      (v) => v[0],
      () => undefined,
    );
  return {
    activityType: raw.activityType?.name ?? '',
    state: ACTIVITY_STATES[num(raw.state)] ?? 'UNKNOWN',
    attempt: num(raw.attempt) || 1,
    heartbeat,
    lastHeartbeatTime: time(raw.lastHeartbeatTime),
    lastStartedTime: time(raw.lastStartedTime),
    scheduledTime: time(raw.scheduledTime),
    lastFailure: raw.lastFailure?.message || undefined,
  };
}

// ── over @temporalio/client ────────────────────────────────────────────────────────────

/** A reader over a Temporal Client (its data converter decodes the payloads). */
export function clientReader(client: Client): OperationReader {
  const { loadedDataConverter } = client.options;
  const decode: PayloadDecoder = async (payloads) => {
    let decoded = payloads as RawPayload[];
    for (const codec of [...loadedDataConverter.payloadCodecs].reverse()) decoded = (await codec.decode(decoded as never)) as RawPayload[];
    return decoded.map((p) => loadedDataConverter.payloadConverter.fromPayload(p as never));
  };
  const namespace = client.options.namespace;
  return {
    async describe(workflowId, runId) {
      let raw: Raw;
      try {
        raw = await client.workflowService.describeWorkflowExecution({ namespace, execution: { workflowId, runId } });
      } catch (err) {
        if ((err as { code?: number }).code === GRPC.NOT_FOUND) throw new ExecutionNotFoundError(workflowId);
        throw err;
      }
      return {
        ...(await executionInfo(raw.workflowExecutionInfo, decode)),
        pendingActivities: await Promise.all((raw.pendingActivities ?? []).map((a: Raw) => pendingActivity(a, decode))),
      };
    },
    async queryStatus(workflowId, runId) {
      const { statusQuery } = await import('../workflows/messages');
      try {
        return await client.workflow.getHandle(workflowId, runId).query(statusQuery);
      } catch (err) {
        if ((err as Error).name === 'WorkflowNotFoundError') throw new ExecutionNotFoundError(workflowId);
        throw new StatusUnavailableError(workflowId, (err as Error).message);
      }
    },
    async list(query, limit) {
      const out: ExecutionInfo[] = [];
      let nextPageToken: Uint8Array | undefined;
      do {
        const page: Raw = await client.workflowService.listWorkflowExecutions({ namespace, query, pageSize: Math.min(limit, 1000), nextPageToken });
        for (const raw of page.executions ?? []) {
          out.push(await executionInfo(raw, decode));
          if (out.length >= limit) return out;
        }
        nextPageToken = page.nextPageToken?.length ? page.nextPageToken : undefined;
      } while (nextPageToken);
      return out;
    },
    async close() {},
  };
}

// ── over client/wire ───────────────────────────────────────────────────────────────────

/** The command line's reader: Node's HTTP/2 and a few message schemas, nothing heavy loaded. */
export function wireReader(config: Pick<TemporalConfig, 'address' | 'tls' | 'apiKey' | 'namespace'>, env: NodeJS.ProcessEnv = process.env): OperationReader {
  const channel = new WorkflowServiceChannel(config);
  const namespace = config.namespace;
  // The payload codec (and the protobuf runtime it needs) only when payloads are encrypted.
  let codec: { decode(payloads: never[]): Promise<RawPayload[]> } | undefined | null = null;
  const decode: PayloadDecoder = async (payloads) => {
    if (payloads.some((p) => Buffer.from(p.metadata?.encoding ?? new Uint8Array()).toString('utf8') === 'binary/encrypted')) {
      if (codec === null) codec = (await import('../codec/aes-gcm-codec')).codecFromEnvironment(env);
      if (!codec) throw new Error('payloads are encrypted and DBMOVE_CODEC_KEY is not set here');
      payloads = await codec.decode(payloads as never[]);
    }
    return payloads.map(plainPayload);
  };
  const call = async (
    method: string,
    request: Decoded,
    schemas: [typeof messages.Payload, typeof messages.Payload],
    workflowId?: string,
    timeoutMs?: number,
  ) => {
    try {
      return await channel.call(method, schemas[0], { namespace, ...request }, schemas[1], timeoutMs);
    } catch (err) {
      if (err instanceof GrpcError && err.code === GRPC.NOT_FOUND && workflowId) throw new ExecutionNotFoundError(workflowId);
      throw err;
    }
  };
  return {
    async describe(workflowId, runId) {
      const raw = await call(
        'DescribeWorkflowExecution',
        { execution: { workflowId, runId } },
        [messages.DescribeWorkflowExecutionRequest, messages.DescribeWorkflowExecutionResponse],
        workflowId,
      );
      return {
        ...(await executionInfo(raw.workflowExecutionInfo as Raw, decode)),
        pendingActivities: await Promise.all((raw.pendingActivities as Raw[]).map((a) => pendingActivity(a, decode))),
      };
    },
    async queryStatus(workflowId, runId) {
      let raw: Decoded;
      try {
        raw = await call(
          'QueryWorkflow',
          { execution: { workflowId, runId }, query: { queryType: 'status' } },
          [messages.QueryWorkflowRequest, messages.QueryWorkflowResponse],
          workflowId,
          8_000,
        );
      } catch (err) {
        if (err instanceof ExecutionNotFoundError) throw err;
        throw new StatusUnavailableError(workflowId, (err as Error).message);
      }
      const payloads = ((raw.queryResult as Raw | undefined)?.payloads ?? []) as RawPayload[];
      if (!payloads.length) throw new StatusUnavailableError(workflowId, 'the query returned nothing');
      return (await decode(payloads))[0] as OperationStatus;
    },
    async list(query, limit) {
      const out: ExecutionInfo[] = [];
      let nextPageToken: Uint8Array | undefined;
      do {
        const page = await call('ListWorkflowExecutions', { query, pageSize: Math.min(limit, 1000), nextPageToken }, [
          messages.ListWorkflowExecutionsRequest,
          messages.ListWorkflowExecutionsResponse,
        ]);
        for (const raw of page.executions as Raw[]) {
          out.push(await executionInfo(raw, decode));
          if (out.length >= limit) return out;
        }
        const token = page.nextPageToken as Uint8Array | undefined;
        nextPageToken = token?.length ? token : undefined;
      } while (nextPageToken);
      return out;
    },
    async close() {
      channel.close();
    },
  };
}
