import type { CodecFigures } from './codec';
import type { BenchResults, SizeFigures } from './measure';

/** The targets of issues 7 and 16, each judged against the figure it is about. */
export interface TargetVerdict {
  target: string;
  figure: string;
  pass: boolean;
}

const ms = (n: number) => `${n.toFixed(n < 10 ? 2 : 0)} ms`;
const x = (n: number) => `${n.toFixed(2)}x`;

export function judge(results: BenchResults): TargetVerdict[] {
  const verdicts: TargetVerdict[] = [];
  const sizes = [...results.sizes].sort((a, b) => a.businessRows - b.businessRows);
  for (const s of sizes) {
    const rows = s.businessRows.toLocaleString('en-US');
    verdicts.push({
      target: `COPY <= 1.3x cp (${rows} rows)`,
      figure: `median of pairs ${x(s.copyOverCp)} (${s.copyPairs.map((p) => `${p.copyMs.toFixed(0)}/${p.cpMs.toFixed(0)} ms`).join(', ')})`,
      pass: s.copyOverCp <= 1.3,
    });
    verdicts.push({ target: `unavailable window <= 1 s (${rows} rows)`, figure: ms(s.swapWindowMs), pass: s.swapWindowMs <= 1000 });
    verdicts.push({
      target: `orchestration overhead <= 1.5 s (${rows} rows)`,
      figure: ms(s.refresh.orchestrationOverheadMs),
      pass: s.refresh.orchestrationOverheadMs <= 1500,
    });
    verdicts.push({
      target: `<= 200 history events per refresh (${rows} rows)`,
      figure: `${s.refresh.historyEvents} events, ${s.refresh.historyBytes} bytes`,
      pass: s.refresh.historyEvents <= 200,
    });
    verdicts.push({ target: `refresh completed (${rows} rows)`, figure: s.refresh.phase, pass: s.refresh.phase === 'COMPLETED' });
    verdicts.push({
      target: `longest event-loop stall < 200 ms during the refresh (${rows} rows)`,
      figure: `max ${ms(s.eventLoop.maxMs)}, p99 ${ms(s.eventLoop.p99Ms)}`,
      pass: s.eventLoop.maxMs < 200,
    });
    const codec = s.codec && 'packageMs' in s.codec ? (s.codec as CodecFigures) : undefined;
    if (codec) {
      verdicts.push({
        target: `PACKAGE <= 1.5x zstd -3 -T0 (${rows} rows)`,
        figure: `median of pairs ${x(codec.packageOverZstd)} (${codec.pairs.map((p) => `${p.packageMs.toFixed(0)}/${p.zstdMs.toFixed(0)} ms`).join(', ')})`,
        pass: codec.packageOverZstd <= 1.5,
      });
      verdicts.push({
        target: `import unpack <= 1.5x zstd -d (${rows} rows)`,
        figure: `median of pairs ${x(codec.unpackOverZstd)} (${codec.pairs.map((p) => `${p.unpackMs.toFixed(0)}/${p.zstdDecompressMs.toFixed(0)} ms`).join(', ')})`,
        pass: codec.unpackOverZstd <= 1.5,
      });
    } else if (s.codec) {
      verdicts.push({ target: `PACKAGE <= 1.5x zstd -3 -T0 (${rows} rows)`, figure: `not measured: ${(s.codec as { skipped: string }).skipped}`, pass: false });
    }
    // The rewrite rebuilds every b-tree (SQLite's VACUUM INTO measured 7-12x cp here) and makes
    // the file durable: within 15x cp, no cost of dbmove's own on top.
    verdicts.push({
      target: `no-residue rewrite <= 15x cp (${rows} rows)`,
      figure: `median of pairs ${x(s.noResidue.rewriteOverCp)} (${s.noResidue.rewritePairs.map((p) => `${p.rewriteMs.toFixed(0)}/${p.cpMs.toFixed(0)} ms`).join(', ')})`,
      pass: s.noResidue.rewriteOverCp <= 15,
    });
  }
  if (sizes.length >= 2) {
    const [small, large] = [sizes[0], sizes[sizes.length - 1]];
    const label = `${large.businessRows.toLocaleString('en-US')}/${small.businessRows.toLocaleString('en-US')}`;
    const window = ratio(large.swapWindowMs, small.swapWindowMs);
    verdicts.push({ target: `window ${label} <= 1.5`, figure: `${ms(large.swapWindowMs)} / ${ms(small.swapWindowMs)} = ${x(window)}`, pass: window <= 1.5 });
    // The rewrite reads and writes every live page: it grows with the data, and no faster than
    // the disk's sustained rate once the new file outgrows what the page cache holds dirty
    // (at 20M rows, 2.2 GB: runs measured 20x and 32x for 20.6x the data).
    const dataRatio = large.noResidue.stagingBytes / small.noResidue.stagingBytes;
    const rewrite = large.noResidue.rewriteMs / small.noResidue.rewriteMs;
    verdicts.push({
      target: `no-residue rewrite ${label} <= 1.5 x the data's growth (${x(dataRatio)})`,
      figure: `${ms(large.noResidue.rewriteMs)} / ${ms(small.noResidue.rewriteMs)} = ${x(rewrite)}`,
      pass: rewrite <= 1.5 * dataRatio,
    });
    const whole = ratio(large.scrub.wholeTableMs, small.scrub.wholeTableMs);
    verdicts.push({
      // A clear reads no row but visits every page of the table to free it: far below the rows'
      // growth, not flat. (Round one's "<= 2" measured a commit's fsync, about 15 ms, that hid
      // the page walk; staging commits no longer fsync.)
      target: `whole-table scrub ${label} <= 4 (no row read; every page freed)`,
      figure: `${ms(large.scrub.wholeTableMs)} / ${ms(small.scrub.wholeTableMs)} = ${x(whole)}`,
      pass: whole <= 4,
    });
  }
  const speed = results.cliSpeed;
  if (speed) {
    verdicts.push({
      target: 'dbmove status <= 4x temporal workflow describe (same operation)',
      figure: `median of pairs ${x(speed.statusOverDescribe)} (status ${ms(speed.statusMs)}, describe ${ms(speed.describeMs)}, ${speed.pairs.length} pairs)`,
      pass: speed.statusOverDescribe <= 4,
    });
  }
  const c = results.concurrency;
  if (c) {
    verdicts.push({
      target: `${c.refreshes} concurrent refreshes all complete, no failed activity`,
      figure: `${c.completed}/${c.refreshes} completed, ${c.failedActivities} failed activities`,
      pass: c.completed === c.refreshes && c.failedActivities === 0,
    });
    verdicts.push({
      target: `${c.refreshes} concurrent refreshes <= 12x one refresh, no workflow-task timeout`,
      figure: `${x(c.wallOverSingle)} (${ms(c.wallMs)} / ${ms(c.singleRefreshMs)}), ${c.workflowTaskTimeouts} workflow-task timeouts, event loop max ${ms(c.eventLoop.maxMs)}`,
      pass: c.wallOverSingle <= 12 && c.workflowTaskTimeouts === 0,
    });
  }
  return verdicts;
}

/**
 * Ratios of sub-millisecond figures are noise: below 1 ms both sides count as 1 ms, so a
 * window of 0.2 ms against 0.1 ms reads as "did not grow", which is what it means.
 */
function ratio(large: number, small: number): number {
  return Math.max(large, 1) / Math.max(small, 1);
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;

function codecCell(s: SizeFigures, f: (c: CodecFigures) => string): string {
  if (!s.codec) return 'n/a';
  return 'packageMs' in s.codec ? f(s.codec as CodecFigures) : `skipped: ${(s.codec as { skipped: string }).skipped}`;
}

export function renderMarkdown(results: BenchResults, verdicts: TargetVerdict[], notes: string[] = []): string {
  const sizes = [...results.sizes].sort((a, b) => a.businessRows - b.businessRows);
  const col = (f: (s: SizeFigures) => string) => sizes.map(f).join(' | ');
  const header = `| | ${col((s) => `${s.businessRows.toLocaleString('en-US')} rows`)} |`;
  const rule = `|---|${sizes.map(() => '---:').join('|')}|`;
  const rows = [
    ['source database file', (s: SizeFigures) => mb(s.sourceBytes)],
    ['demo estate generated in', (s: SizeFigures) => ms(s.generateMs)],
    ['plain `cp` of the source file (median)', (s: SizeFigures) => ms(s.cpMs)],
    ["COPY's consistent copy beside it (median)", (s: SizeFigures) => ms(s.copyMs)],
    ['COPY / cp (median of the pairs)', (s: SizeFigures) => `${x(s.copyOverCp)} (${s.copyPairs.length} pairs)`],
    ['COPY inside the refresh (one run)', (s: SizeFigures) => ms(s.copyInRefreshMs)],
    ['unavailable window (SWAP: the file swap)', (s: SizeFigures) => ms(s.swapWindowMs)],
    ["unavailable as uat's users see it (application stopped to healthy)", (s: SizeFigures) => ms(s.applicationUnavailableMs)],
    ['SCRUB whole-table elements', (s: SizeFigures) => ms(s.scrub.wholeTableMs)],
    ['SCRUB row-level elements', (s: SizeFigures) => ms(s.scrub.rowLevelMs)],
    ['no residue: VERIFY rewrites staging (VACUUM INTO), in the refresh', (s: SizeFigures) => ms(s.noResidue.inRefreshMs)],
    ['no residue: the rewrite / cp of the same file (medians of pairs)', (s: SizeFigures) => `${ms(s.noResidue.rewriteMs)} / ${x(s.noResidue.rewriteOverCp)}`],
    ['no residue: scrubbed staging → rewritten', (s: SizeFigures) => `${mb(s.noResidue.stagingBytes)} → ${mb(s.noResidue.sealedBytes)}`],
    ['(alternative) secure_delete added to SCRUB; not enough alone', (s: SizeFigures) => ms(s.noResidue.secureDeleteScrubExtraMs)],
    ['(alternative) VACUUM in place', (s: SizeFigures) => ms(s.noResidue.vacuumInPlaceMs)],
    ['refresh end to end', (s: SizeFigures) => ms(s.refresh.endToEndMs)],
    ["sum of step activities' own time", (s: SizeFigures) => ms(s.refresh.activityMs)],
    ['orchestration overhead', (s: SizeFigures) => ms(s.refresh.orchestrationOverheadMs)],
    ['history events per refresh', (s: SizeFigures) => String(s.refresh.historyEvents)],
    ['history bytes per refresh', (s: SizeFigures) => `${s.refresh.historyBytes}`],
    ['worker warm-up (first workflow, not counted)', (s: SizeFigures) => ms(s.workerWarmUpMs)],
    ['worker peak RSS (bench process)', (s: SizeFigures) => mb(s.workerPeakRssBytes)],
    ["worker's longest event-loop stall during the refresh", (s: SizeFigures) => `${ms(s.eventLoop.maxMs)} (p99 ${ms(s.eventLoop.p99Ms)})`],
    ['unavailable window a reader of uat saw (separate process)', (s: SizeFigures) => (s.usersWindowMs === undefined ? 'n/a' : ms(s.usersWindowMs))],
    ["source integrity check (SQLite's quick_check, in PRECHECK)", (s: SizeFigures) => ms(s.integrityCheckMs)],
    [
      'PACKAGE: dbmove export writer / zstd -3 -T0 (median)',
      (s: SizeFigures) => codecCell(s, (c) => `${ms(c.packageMs)} / ${ms(c.zstdMs)} = ${x(c.packageOverZstd)}`),
    ],
    [
      'import unpack: dbmove reader / zstd -d (median)',
      (s: SizeFigures) => codecCell(s, (c) => `${ms(c.unpackMs)} / ${ms(c.zstdDecompressMs)} = ${x(c.unpackOverZstd)}`),
    ],
    ['backup file / zstd -3 output', (s: SizeFigures) => codecCell(s, (c) => `${mb(c.backupBytes)} / ${mb(c.zstdBytes)}`)],
  ] as const;
  const lines = [
    `# dbmove benchmark${results.quick ? ' (quick)' : ''}`,
    '',
    `Run ${results.startedAt} on ${results.machine.cpus} CPUs, ${mb(results.machine.memoryBytes)} RAM, Node ${results.machine.node} (${results.machine.platform}).`,
    'Command: `npm run bench`' +
      (results.quick ? ' -- --quick' : '') +
      ". Each size: the demo estate (`dbmove demo --rows N`), then one full refresh prod → uat on a real Temporal dev server with the worker in the bench process, and uat's demo application server (`dbmove app-server`) in its own process, which SWAP stops and starts.",
    '',
    header,
    rule,
    ...rows.map(([label, f]) => `| ${label} | ${col(f)} |`),
    '',
  ];
  const steps = sizes[0]?.refresh.steps.map((s) => s.name) ?? [];
  lines.push(
    "Step by step (activity's own time / step time as the workflow saw it):",
    '',
    `| step | ${col((s) => `${s.businessRows.toLocaleString('en-US')} rows`)} |`,
    rule,
  );
  for (const name of steps) {
    lines.push(
      `| ${name} | ${col((s) => {
        const step = s.refresh.steps.find((t) => t.name === name);
        return step ? `${ms(step.activityMs ?? 0)} / ${ms(step.durationMs ?? 0)}` : '';
      })} |`,
    );
  }
  lines.push('');
  lines.push(
    'SCRUB elements (ms, rows):',
    '',
    `| element | kind | ${col((s) => `${s.businessRows.toLocaleString('en-US')} rows`)} |`,
    `|---|---|${sizes.map(() => '---:').join('|')}|`,
  );
  for (const element of sizes[0]?.scrub.elements ?? []) {
    lines.push(
      `| ${element.id} | ${element.kind} | ${col((s) => {
        const e = s.scrub.elements.find((t) => t.id === element.id);
        return e ? `${e.ms} ms, ${e.rows} rows` : '';
      })} |`,
    );
  }
  lines.push('');
  const c = results.concurrency;
  if (c) {
    lines.push(
      `Concurrency at ${c.businessRows.toLocaleString('en-US')} rows: ${c.refreshes} refreshes prod → sbx01..sbx${String(c.refreshes).padStart(2, '0')} started together on one worker: ` +
        `${c.completed} completed, ${c.failedActivities} failed activities, wall time ${ms(c.wallMs)} against ${ms(c.singleRefreshMs)} for a single refresh (${x(c.wallOverSingle)}), ` +
        `at most ${c.maxHistoryEvents} history events each, worker peak RSS ${mb(c.workerPeakRssBytes)}, ` +
        `${c.workflowTaskTimeouts} workflow-task timeouts (${c.benignTaskFailures ?? 0} tasks Temporal re-ran as UNHANDLED_COMMAND, not counted), longest event-loop stall ${ms(c.eventLoop.maxMs)}, ${mb(c.diskWrittenBytes ?? NaN)} written to disk (flushed with sync after the run).`,
      '',
    );
    if (c.cpu) {
      lines.push(
        `CPU time: the ${c.refreshes}-refresh run used ${ms(c.cpu.machineMs)} of the machine's CPU (${ms(c.cpu.workerMs)} in the worker process, the rest in the Temporal server and the kernel), ` +
          `${ms(c.cpu.machineMs / c.refreshes)} per refresh, against ${ms(c.cpu.singleMachineMs)} (${ms(c.cpu.singleWorkerMs)} in the worker) for the single refresh, which ran while the user probe read uat; ` +
          `with ${results.machine.cpus} cores the run cannot take less than ${ms(c.cpu.machineMs / results.machine.cpus)}.`,
        '',
      );
    }
    if (c.steps?.length) {
      lines.push(
        `Where the concurrent run's time went, per step: activity time summed over the ${c.refreshes} refreshes, and the longest single step (queueing included): ` +
          c.steps.map((step) => `${step.name} ${ms(step.activityMsTotal)} (longest ${ms(step.durationMsMax)})`).join(', ') +
          '.',
        '',
      );
    }
  }
  if (results.cliSpeed) {
    const speed = results.cliSpeed;
    lines.push(
      `Command line: \`dbmove status ${speed.operationId}\` beside \`temporal workflow describe\` of the same operation, ${speed.pairs.length} pairs in alternating order: ` +
        `median ${ms(speed.statusMs)} against ${ms(speed.describeMs)}, median of the pairs' ratios ${x(speed.statusOverDescribe)} ` +
        `(pairs: ${speed.pairs.map((p) => `${p.statusMs.toFixed(0)}/${p.describeMs.toFixed(0)}`).join(', ')} ms).`,
      '',
    );
  }
  lines.push(
    '## Targets',
    '',
    '| target | figure | verdict |',
    '|---|---|---|',
    ...verdicts.map((v) => `| ${v.target} | ${v.figure} | ${v.pass ? 'PASS' : 'FAIL'} |`),
    '',
  );
  if (notes.length) lines.push('## Notes', '', ...notes.map((n) => `- ${n}`), '');
  return lines.join('\n');
}
