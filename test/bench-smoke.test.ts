import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { expect } from 'chai';
import { bench, parseArgs } from '../bench/run';
import { packageRoot } from '../config/package-root';
import { testServer } from './support/server';

/**
 * Keeps `npm run bench` from rotting: its core runs end to end at tiny sizes on the test dev
 * server and must produce every figure and every target verdict. Structure and completion
 * only: CI asserts no absolute times (the figures live in bench/results.md).
 */
describe('npm run bench (smoke, tiny sizes)', function () {
  this.timeout(180_000);

  it('runs refreshes at two sizes and 3 concurrent ones, and writes results.json and results.md with every target', async () => {
    const scratch = path.join(packageRoot(), '.tmp', 'tests', `bench-${crypto.randomBytes(4).toString('hex')}`);
    const args = { ...parseArgs(['--quick', '--sizes', '2000,6000', '--concurrent', '3']), outDir: scratch, resultsDir: scratch };
    expect(args.quick).to.equal(true);
    const env = testServer();
    const { results, verdicts, files } = await bench(args, {
      client: env.client,
      connection: env.nativeConnection,
      namespace: env.namespace ?? 'default',
      address: env.address,
    });

    expect(results.sizes.map((s) => s.businessRows)).to.deep.equal([2000, 6000]);
    for (const size of results.sizes) {
      expect(size.refresh.phase, `refresh at ${size.businessRows} rows`).to.equal('COMPLETED');
      expect(size.refresh.steps.map((s) => [s.name, s.status])).to.deep.equal(
        ['PRECHECK', 'MARKER', 'COPY', 'SCRUB', 'SYNC', 'POSTCONFIG', 'VERIFY', 'NOTIFY', 'SWAP'].map((n) => [n, 'completed']),
      );
      for (const figure of [
        size.cpMs,
        size.copyMs,
        size.copyOverCp,
        size.copyInRefreshMs,
        size.swapWindowMs,
        size.refresh.endToEndMs,
        size.refresh.activityMs,
        size.workerPeakRssBytes,
        size.eventLoop.maxMs,
        size.integrityCheckMs,
        size.noResidue.rewriteMs,
        size.noResidue.rewriteOverCp,
        size.noResidue.inRefreshMs,
        size.noResidue.secureDeleteScrubExtraMs,
        size.noResidue.vacuumInPlaceMs,
      ]) {
        expect(figure, `a figure at ${size.businessRows} rows`).to.be.a('number').and.not.NaN;
      }
      // SCRUB reported its elements, both kinds, through the activity result in the history.
      expect(size.scrub.elements.map((e) => e.kind)).to.include.members(['whole-table', 'row-level']);
      expect(size.scrub.elements.find((e) => e.id === 'batch-job-history')?.rows).to.be.greaterThan(0);
      expect(size.refresh.historyEvents).to.be.greaterThan(20);
      expect(size.refresh.historyBytes).to.be.greaterThan(1000);
      expect(size.refresh.failedActivities).to.equal(0);
    }
    expect(results.concurrency).to.include({ refreshes: 3, completed: 3, failedActivities: 0 });
    // The command line beside the temporal CLI, on the same operation: every pair measured.
    expect(results.cliSpeed?.pairs.length).to.be.greaterThan(0);
    for (const pair of results.cliSpeed!.pairs) {
      expect(pair.statusMs).to.be.greaterThan(0);
      expect(pair.describeMs).to.be.greaterThan(0);
    }
    // PACKAGE and the import's unpack beside zstd, when the bench could install it (else skipped with the reason).
    for (const size of results.sizes) {
      if (size.codec && 'packageMs' in size.codec) expect(size.codec.backupBytes).to.be.greaterThan(0);
      else expect(size.codec, 'codec comparison skipped only with a reason').to.have.property('skipped');
    }

    // Every target of issue 7 has a verdict beside its figure.
    const targets = verdicts.map((v) => v.target).join('\n');
    for (const name of [
      'COPY <= 1.3x cp',
      'unavailable window <= 1 s',
      'orchestration overhead',
      'history events',
      'window 6,000/2,000',
      'whole-table scrub 6,000/2,000',
      '3 concurrent refreshes',
      '3 concurrent refreshes <= 12x one refresh',
      'longest event-loop stall < 200 ms',
      'PACKAGE <= 1.5x zstd -3 -T0',
      'no-residue rewrite <= 15x cp',
      'no-residue rewrite 6,000/2,000',
      'dbmove status <= 4x temporal workflow describe',
    ]) {
      expect(targets).to.include(name);
    }
    const json = JSON.parse(fs.readFileSync(files.json, 'utf8'));
    expect(json.targets).to.have.length(verdicts.length);
    const markdown = fs.readFileSync(files.markdown, 'utf8');
    expect(markdown).to.include('| COPY / cp (median of the pairs) |').and.include('## Targets');
    expect(markdown.match(/\| (PASS|FAIL) \|/g)).to.have.length(verdicts.length);
    fs.rmSync(scratch, { recursive: true, force: true });
  });
});
