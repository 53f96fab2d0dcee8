import * as os from 'node:os';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { ThreadMessage, ThreadReply, ThreadRequest } from './thread-protocol';

/**
 * The local engine's database threads, seen from the worker's event loop.
 *
 * - A **session thread** serves one session (or one locked file) at a time: its statements
 *   run there in order, so a transaction is the thread's own, and a statement that must stop
 *   (a cancelled or timed-out attempt) stops by ending the thread, which SQLite's journal
 *   makes safe: the half-done transaction is rolled back when the file is next opened.
 *   Finished sessions give their thread back to an idle list, so opening one is cheap.
 * - The **codec pool** is one thread per core for backup frames (compress, decompress, hash):
 *   both cores busy, the event loop free.
 *
 * Idle threads are unreferenced: they never keep a process alive.
 */
const THREAD_SCRIPT = path.join(__dirname, 'database-thread.js');

export class ThreadError extends Error {
  constructor(
    name: string,
    message: string,
    readonly code?: string,
  ) {
    super(message);
    this.name = name;
  }
}

/**
 * How many database jobs run at once across all session threads: one per core.
 * Twenty operations open forty sessions; letting all their statements compete for two cores
 * starves the event loop (measured: a 600 ms stall) and thrashes caches. A call waits for a
 * slot before it is sent and gives it back with its answer; a session's transaction is never
 * held across a wait by this rule, since each of its statements takes and returns a slot.
 */
class Slots {
  private free = Math.max(2, os.availableParallelism());
  private readonly waiting: (() => void)[] = [];

  async take(): Promise<void> {
    if (this.free > 0) {
      this.free--;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  give(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.free++;
  }
}

const slots = new Slots();

export class DatabaseThread {
  private readonly worker: Worker;
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (err: Error) => void }>();
  private nextId = 1;
  private ended: Error | undefined;

  /** Session threads share the slots; codec threads are bounded by their own pool. */
  constructor(private readonly limited = true) {
    this.worker = new Worker(THREAD_SCRIPT, { workerData: { nice: limited } });
    this.worker.unref();
    this.worker.on('message', (reply: ThreadReply) => {
      const waiter = this.pending.get(reply.id);
      if (!waiter) return;
      this.pending.delete(reply.id);
      if (this.pending.size === 0) this.worker.unref();
      if (reply.ok) waiter.resolve(reply.result);
      else waiter.reject(new ThreadError(reply.error?.name ?? 'Error', reply.error?.message ?? 'unknown error', reply.error?.code));
    });
    const fail = (err: Error) => {
      this.ended ??= err;
      for (const waiter of this.pending.values()) waiter.reject(err);
      this.pending.clear();
    };
    this.worker.on('error', fail);
    this.worker.on('exit', (code) => fail(new ThreadError('ThreadEnded', `the database thread ended (exit code ${code})`)));
  }

  get busy(): boolean {
    return this.pending.size > 0;
  }

  get alive(): boolean {
    return this.ended === undefined;
  }

  /** Runs one request in the thread, once a slot is free (see Slots). */
  async call<T>(request: ThreadRequest, transfer: ArrayBuffer[] = []): Promise<T> {
    if (!this.limited || request.op === 'close') return this.send<T>(request, transfer);
    await slots.take();
    try {
      return await this.send<T>(request, transfer);
    } finally {
      slots.give();
    }
  }

  private send<T>(request: ThreadRequest, transfer: ArrayBuffer[]): Promise<T> {
    if (this.ended) return Promise.reject(this.ended);
    const id = this.nextId++;
    const message = { ...request, id } as ThreadMessage;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      // Referenced while it works for someone: a process waiting for its answer stays alive.
      this.worker.ref();
      this.worker.postMessage(message, transfer);
    });
  }

  /** Stops whatever runs in the thread now (a long statement included); pending calls reject with `reason`. */
  async terminate(reason: Error = new ThreadError('ThreadEnded', 'the database thread was stopped')): Promise<void> {
    this.ended ??= reason;
    for (const waiter of this.pending.values()) waiter.reject(reason);
    this.pending.clear();
    await this.worker.terminate();
  }
}

const idle: DatabaseThread[] = [];
// Idle threads cost only memory (a few MB each); starting one costs 100 ms or more. Enough stay for
// many operations at once (20 refreshes open about 40 sessions at a time).
const MAX_IDLE = Math.max(64, os.availableParallelism() * 16);

/** A thread for one session: an idle one when there is one, else a new one. Give it back with `releaseThread`. */
export function acquireThread(): DatabaseThread {
  for (;;) {
    const thread = idle.pop();
    if (!thread) return new DatabaseThread();
    if (thread.alive) return thread;
  }
}

/** Returns a thread whose session closed cleanly; a thread that was stopped or is still busy is not reused. */
export function releaseThread(thread: DatabaseThread): void {
  if (!thread.alive || thread.busy) {
    void thread.terminate();
    return;
  }
  if (idle.length < MAX_IDLE) idle.push(thread);
  else void thread.terminate();
}

/** Runs `fn` on a session thread of its own, and gives the thread back (or ends it, if `fn` failed mid-call). */
export async function withThread<T>(fn: (thread: DatabaseThread) => Promise<T>): Promise<T> {
  const thread = acquireThread();
  try {
    return await fn(thread);
  } finally {
    releaseThread(thread);
  }
}

/** The codec pool: one thread per core, each job to the least loaded. */
class CodecPool {
  private readonly threads: { thread: DatabaseThread; load: number }[] = [];

  get size(): number {
    return Math.max(1, os.availableParallelism());
  }

  async run<T>(request: ThreadRequest, transfer: ArrayBuffer[] = []): Promise<T> {
    return this.on(this.leastLoaded(), request, transfer);
  }

  /** Runs `request` on every codec thread alive (closing what each holds open). */
  async broadcast(request: ThreadRequest): Promise<void> {
    await Promise.all(this.threads.filter((t) => t.thread.alive).map((slot) => this.on(slot, request, [])));
  }

  private fill(): void {
    while (this.threads.length < this.size) this.threads.push({ thread: new DatabaseThread(false), load: 0 });
    for (let i = 0; i < this.threads.length; i++) if (!this.threads[i].thread.alive) this.threads[i] = { thread: new DatabaseThread(false), load: 0 };
  }

  private leastLoaded(): { thread: DatabaseThread; load: number } {
    this.fill();
    return this.threads.reduce((a, b) => (b.load < a.load ? b : a));
  }

  private async on<T>(slot: { thread: DatabaseThread; load: number }, request: ThreadRequest, transfer: ArrayBuffer[]): Promise<T> {
    slot.load++;
    try {
      return await slot.thread.call<T>(request, transfer);
    } finally {
      slot.load--;
    }
  }
}

export const codecPool = new CodecPool();
