import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { WorkflowFailedError } from '@temporalio/client';
import { getStatus } from '../client/operations';
import { runCli, writeTemporalConfig } from './support/cli';
import { createTestEstate, fileSha256, TestEstate } from './support/estate';
import { startKind } from './support/operations';
import { testServer } from './support/server';
import { createTestWorker, type TestWorker } from './support/worker';

/**
 * Every file argument that is not a readable regular file (or, for an output, a new file in a
 * writable folder) is refused with a message that says what it is, with exit code 2, before
 * anything starts: a folder gave a raw EISDIR before, and a named pipe would have blocked the
 * import's check forever. PRECHECK refuses the same paths for callers that bypass the command line.
 */

const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;

describe('file arguments that are not readable regular files: exit code 2 naming the problem, nothing started', function () {
  this.timeout(120_000);
  let estate: TestEstate;
  let dir: string;

  let began: number;

  before(async () => {
    began = Date.now();
    estate = createTestEstate(1000, 'file-arguments');
    // Nothing here may start an operation; the worker of the last test is created there.
    writeTemporalConfig(estate, 'file-arguments-no-worker');
    dir = path.join(estate.home, 'paths');
    fs.mkdirSync(path.join(dir, 'a-folder'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'empty.dbmove'), '');
    fs.writeFileSync(path.join(dir, 'a-file'), 'not a folder');
    fs.symlinkSync(path.join(dir, 'loop-b'), path.join(dir, 'loop-a'));
    fs.symlinkSync(path.join(dir, 'loop-a'), path.join(dir, 'loop-b'));
    fs.symlinkSync(path.join(dir, 'nowhere'), path.join(dir, 'dangling'));
    const fifo = spawnSync('mkfifo', [path.join(dir, 'a-pipe')]);
    expect(fifo.status, 'mkfifo is available').to.equal(0);
    fs.writeFileSync(path.join(dir, 'unreadable.dbmove'), 'DBMOVE-BACKUP 1\n');
    fs.chmodSync(path.join(dir, 'unreadable.dbmove'), 0o000);
  });

  const inputs: [string, string, RegExp][] = [
    ['a folder', 'a-folder', /--input: .*a-folder is a folder, not a file\. Give a backup file written by `dbmove export`/],
    ['a missing file', 'missing.dbmove', /--input: .*missing\.dbmove does not exist/],
    ['a named pipe', 'a-pipe', /--input: .*a-pipe is a named pipe \(FIFO\), not a file/],
    ['a symbolic link loop', 'loop-a', /--input: .*loop-a is a symbolic link loop/],
    ['a symbolic link to nothing', 'dangling', /--input: .*dangling is a symbolic link to something that does not exist/],
    ['an empty file', 'empty.dbmove', /--input: .*empty\.dbmove is empty/],
    ['a path through a file', 'a-file/backup.dbmove', /--input: .*a-file\/backup\.dbmove has a file where its path needs a folder/],
  ];
  for (const [title, name, message] of inputs) {
    it(`import --input ${title}`, async () => {
      const before = ['prod', 'uat', 'train'].map((e) => fileSha256(estate.database(e)));
      const run = await runCli(estate, ['import', '--input', path.join(dir, name), '--target', 'train']);
      expect(run.code, run.stderr).to.equal(2);
      expect(run.stderr).to.match(message);
      expect(run.stderr, 'no raw system error').not.to.match(/EISDIR|ENOENT|ELOOP|ENOTDIR/);
      expect(['prod', 'uat', 'train'].map((e) => fileSha256(estate.database(e)))).to.deep.equal(before);
    });
  }

  it('import --input a file that cannot be read (not testable as root, who reads every file)', async function () {
    if (asRoot) this.skip();
    const run = await runCli(estate, ['import', '--input', path.join(dir, 'unreadable.dbmove'), '--target', 'train']);
    expect(run.code).to.equal(2);
    expect(run.stderr).to.match(/unreadable\.dbmove cannot be read \(permission denied\)/);
  });

  const outputs: [string, string[], RegExp][] = [
    ['export --output a folder', ['export', '--source', 'prod', '--output', 'a-folder'], /--output: .*a-folder is a folder/],
    [
      'export --output in a folder that does not exist',
      ['export', '--source', 'prod', '--output', 'no-such-folder/x.dbmove'],
      /--output: the folder .*no-such-folder does not exist/,
    ],
    [
      'export --output under a file',
      ['export', '--source', 'prod', '--output', 'a-file/x.dbmove'],
      /--output: .*a-file\/x\.dbmove has a file where its path needs a folder/,
    ],
    [
      'export --output a symbolic link',
      ['export', '--source', 'prod', '--output', 'dangling'],
      /--output: .*dangling is a symbolic link; give the path of the file itself/,
    ],
    [
      'export --output an existing file',
      ['export', '--source', 'prod', '--output', 'empty.dbmove'],
      /--output: .*empty\.dbmove already exists; an export never overwrites a file/,
    ],
    ['logs --output a folder', ['logs', 'uat', '--output', 'a-folder'], /--output: .*a-folder is a folder/],
  ];
  for (const [title, args, message] of outputs) {
    it(title, async () => {
      const run = await runCli(
        estate,
        args.map((a, i) => (args[i - 1] === '--output' ? path.join(dir, a) : a)),
      );
      expect(run.code, run.stderr).to.equal(2);
      expect(run.stderr).to.match(message);
    });
  }

  it('nothing was started by any of them', async () => {
    // The namespace is shared by every test file: only exports and imports started since this file began count.
    const listed = await runCli(estate, ['list', '--all', '--json']);
    expect(listed.code, listed.stderr).to.equal(0);
    const started = JSON.parse(listed.stdout) as { kind: string; startedAt: string }[];
    expect(started.filter((o) => ['export', 'import'].includes(o.kind) && Date.parse(o.startedAt) >= began)).to.deep.equal([]);
  });

  it('PRECHECK refuses a folder and a named pipe too, for callers that bypass the command line (without blocking on the pipe)', async () => {
    const worker: TestWorker = await createTestWorker(estate);
    await worker.run(async () => {
      for (const [name, message] of [
        ['a-folder', /a-folder is not a usable dbmove backup: it is a folder, not a file/],
        ['a-pipe', /a-pipe is not a usable dbmove backup: it is a named pipe \(FIFO\), not a file/],
      ] as const) {
        const handle = await startKind(worker, 'import', { input: path.join(dir, name), target: 'train' });
        expect(await handle.result().catch((e: unknown) => e)).to.be.instanceOf(WorkflowFailedError);
        const status = await getStatus(testServer().client, handle);
        expect(status.phase).to.equal('REFUSED');
        expect(status.checks.find((c) => c.name === 'backup-valid')?.message).to.match(message);
      }
    });
  });
});
