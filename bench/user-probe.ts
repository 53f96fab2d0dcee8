import Database from 'better-sqlite3';

/**
 * The unavailable window as the target's users see it: a separate process that opens the
 * database and reads from it, over and over, as an application's requests would (a new
 * connection each time, never waiting on a lock), and reports the longest stretch during which
 * no read succeeded. Run by the bench beside a refresh; stopped with SIGTERM, it prints JSON.
 *
 *   node dist/bench/user-probe.js <database file>
 */
const file = process.argv[2];
let reads = 0;
let failures = 0;
let failingSince: number | undefined;
let longestMs = 0;
let running = true;

function readOnce(): void {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    db.pragma('busy_timeout = 0');
    db.prepare('SELECT COUNT(*) AS n FROM UserInfo').get();
  } finally {
    db.close();
  }
}

async function loop(): Promise<void> {
  while (running) {
    const now = performance.now();
    try {
      readOnce();
      reads++;
      if (failingSince !== undefined) longestMs = Math.max(longestMs, now - failingSince);
      failingSince = undefined;
    } catch {
      failures++;
      failingSince ??= now;
    }
    await new Promise((r) => setTimeout(r, 1));
  }
}

process.on('SIGTERM', () => {
  running = false;
  if (failingSince !== undefined) longestMs = Math.max(longestMs, performance.now() - failingSince);
  process.stdout.write(`${JSON.stringify({ reads, failures, longestMs })}\n`);
  process.exit(0);
});
process.stdout.write('probing\n');
void loop();
