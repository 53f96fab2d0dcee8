import * as fs from 'node:fs';
import * as path from 'node:path';
import { SupersededAttempt } from '../common/errors';

/**
 * The fence between attempts of one operation's steps. Temporal runs an activity at least
 * once: when it times an attempt out (no heartbeat in time, a worker cut off) it starts
 * another, and the first may still be running. Each attempt claims the operation's fence as
 * it starts, writing its own token; before each write an attempt checks that the token is
 * still its own. A late attempt therefore stops before it writes anything more, and the data
 * always matches what the newest attempt reports.
 *
 * The fence lives in the worker's state folder (`state/fences/<operation>.json`), which the
 * workers of one machine share (the local engine's files are on that machine too). Across
 * machines, Temporal's own cancellation of a timed-out attempt (delivered with the next
 * heartbeat, which every step sends every few seconds) is the fence.
 */
export class AttemptFence {
  private constructor(
    private readonly file: string,
    readonly token: string,
  ) {}

  static async claim(stateDir: string, operationId: string, attempt: string): Promise<AttemptFence> {
    const file = path.join(stateDir, 'fences', `${operationId}.json`);
    const token = `${attempt}/${process.pid}/${Date.now()}/${Math.random().toString(36).slice(2, 10)}`;
    await fs.promises.mkdir(path.dirname(file), { recursive: true });
    const tmp = `${file}.tmp-${process.pid}`;
    await fs.promises.writeFile(tmp, JSON.stringify({ token, claimedAt: new Date().toISOString() }));
    await fs.promises.rename(tmp, file);
    return new AttemptFence(file, token);
  }

  /** Throws SupersededAttempt when a newer attempt has claimed the operation. */
  async check(label: string): Promise<void> {
    let current: string | undefined;
    try {
      current = (JSON.parse(await fs.promises.readFile(this.file, 'utf8')) as { token?: string }).token;
    } catch {
      current = undefined;
    }
    if (current !== this.token) {
      throw new SupersededAttempt(
        `This attempt (${this.token.split('/').slice(0, 3).join(' ')}) was superseded by a newer attempt of the operation before ${label}; it stopped without writing`,
      );
    }
  }

  /** Removes an operation's fence once nothing of it can run any more (sign-off, cancel). */
  static async release(stateDir: string, operationId: string): Promise<void> {
    await fs.promises.rm(path.join(stateDir, 'fences', `${operationId}.json`), { force: true });
  }
}
