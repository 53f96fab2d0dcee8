import * as fs from 'node:fs';
import * as path from 'node:path';

/** A process that has a file open, as `lsof` would name it. */
export interface FileHolder {
  pid: number;
  command: string;
  /** This process (the dbmove worker) itself. */
  self: boolean;
}

/**
 * Which processes hold `file` (or its -journal, -wal, -shm companions) open, read from
 * /proc/<pid>/fd the way lsof does. Linux only; elsewhere (no /proc) it finds nothing, and
 * callers fall back to saying that the file is locked by someone unnamed. Processes of other
 * users are invisible without privileges, which is also what lsof shows.
 */
export async function fileHolders(file: string): Promise<FileHolder[]> {
  const wanted = new Set([file, `${file}-journal`, `${file}-wal`, `${file}-shm`].map((f) => path.resolve(f)));
  let pids: string[];
  try {
    pids = (await fs.promises.readdir('/proc')).filter((name) => /^\d+$/.test(name));
  } catch {
    return [];
  }
  const holders: FileHolder[] = [];
  await Promise.all(
    pids.map(async (pid) => {
      let fds: string[];
      try {
        fds = await fs.promises.readdir(`/proc/${pid}/fd`);
      } catch {
        return;
      }
      for (const fd of fds) {
        let target: string;
        try {
          target = await fs.promises.readlink(`/proc/${pid}/fd/${fd}`);
        } catch {
          continue;
        }
        if (wanted.has(target)) {
          holders.push({ pid: Number(pid), command: await commandOf(pid), self: Number(pid) === process.pid });
          return;
        }
      }
    }),
  );
  return holders.sort((a, b) => a.pid - b.pid);
}

async function commandOf(pid: string): Promise<string> {
  try {
    const cmdline = (await fs.promises.readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0').filter(Boolean);
    if (cmdline.length) return cmdline.slice(0, 3).join(' ').replace(/\s+/g, ' ').slice(0, 120);
  } catch {
    /* gone */
  }
  try {
    return (await fs.promises.readFile(`/proc/${pid}/comm`, 'utf8')).trim();
  } catch {
    return 'unknown';
  }
}

export function describeHolders(holders: FileHolder[]): string {
  if (!holders.length) return 'a connection this machine cannot name (another user, or another host on a shared disk)';
  return holders.map((h) => `pid ${h.pid} (${h.command})${h.self ? ', this worker' : ''}`).join(', ');
}

/** Whether a process with this id is running on this machine. */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
