import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { WorkflowHandle, WorkflowUpdateFailedError } from '@temporalio/client';
import { decide, getStatus, startOperation } from '../client/operations';
import { reason } from '../cli/commands/shared';
import { demoCatalog } from '../demo/estate';
import type { OperationStatus, Phase } from '../workflows/types';
import { CliResult, runCli, runProcess, writeTemporalConfig } from './support/cli';
import { createTestEstate, fileSha256, TestEstate } from './support/estate';
import { waitForPhase } from './support/operations';
import { temporalCliPath, testServer } from './support/server';
import { createTestWorker, TestWorker } from './support/worker';

/**
 * Bad input from outside the code, table-driven: the command line, configuration files, and
 * decision payloads sent as updates (the dbmove client's way) and as signals (the Web UI's
 * and the real `temporal` CLI's way). Every case must produce a clear error naming the
 * problem (exit code 2, a rejected update, or a signal recorded as refused), leave both
 * waiting operations running where they were, and change no database.
 *
 * One estate and one worker serve every case: none of them changes anything when it behaves.
 *   A: refresh prod → uat, waiting in AWAITING_SIGNOFF
 *   B: refresh prod → train, waiting in FAILED (POSTCONFIG, injected), train's approvers: alice
 *   C: an export of prod, signed off (closed)
 */

const INJECTION = "uat'; DROP TABLE UserInfo;--";
const APPROVER = 'alice@contoso.com';

interface CliCase {
  title: string;
  args: (ctx: Ctx) => string[];
  env?: (ctx: Ctx) => NodeJS.ProcessEnv;
  stderr: RegExp;
  /** Text that must not be echoed back (secrets). */
  notInOutput?: string;
  /** 1 for a well-formed request a rule refuses (common/errors.ts, exitCodeFor); 2, bad usage, otherwise. */
  exit?: 1 | 2;
}

interface Ctx {
  estate: TestEstate;
  a: string;
  b: string;
  c: string;
  backup: string;
  file: (name: string, content: string | object) => string;
}

/** A catalog file next to the estate, from the demo catalog with one edit. */
const catalogWith = (ctx: Ctx, name: string, edit: (c: any) => void): string => {
  const catalog = JSON.parse(JSON.stringify(demoCatalog()));
  catalog.environments.forEach((e: any) => (e.database.path = ctx.estate.database(e.name)));
  edit(catalog);
  return ctx.file(name, catalog);
};

const policy = (tables: string[], where?: object) => ({
  name: 'ext',
  elements: [{ id: 'ext-1', description: 'extension', action: 'delete', tables, where: where ?? { column: 'ID', equals: 'x' } }],
});

const CLI_CASES: CliCase[] = [
  // Command line: names
  {
    title: 'an unknown environment',
    args: () => ['refresh', '--source', 'prod', '--target', 'qa'],
    stderr: /--target: Unknown environment "qa": .* defines "prod", "uat", "train"/,
  },
  {
    title: 'an injection string as --source',
    args: () => ['refresh', '--source', INJECTION, '--target', 'uat'],
    stderr: /--source: Invalid environment name "uat'; DROP TABLE UserInfo;--": use lowercase letters/,
  },
  {
    title: 'an injection string as --target',
    args: () => ['refresh', '--source', 'prod', '--target', INJECTION],
    stderr: /--target: Invalid environment name/,
  },
  {
    title: 'an injection string as export --source',
    args: (c) => ['export', '--source', INJECTION, '--output', path.join(c.estate.home, 'x.dbmove')],
    stderr: /--source: Invalid environment name/,
  },
  {
    title: 'an injection string as import --target',
    args: (c) => ['import', '--input', c.backup, '--target', INJECTION],
    stderr: /--target: Invalid environment name/,
  },
  {
    title: 'an injection string as restore --target',
    args: () => ['restore', '--target', INJECTION, '--to', '-1h'],
    stderr: /--target: Invalid environment name/,
  },
  {
    title: 'an injection string as the operation of status',
    args: () => ['status', INJECTION],
    stderr: /"uat'; DROP TABLE UserInfo;--" is neither an environment of the catalog nor an operation id/,
  },
  {
    title: 'an injection string as the operation of sign-off',
    args: () => ['sign-off', INJECTION],
    stderr: /is neither an environment of the catalog nor an operation id/,
  },
  {
    title: 'an injection string as the operation of logs',
    args: () => ['logs', INJECTION],
    stderr: /is neither an environment of the catalog nor an operation id/,
  },
  {
    title: 'an injection string as the operation of cancel',
    args: () => ['cancel', INJECTION],
    stderr: /is neither an environment of the catalog nor an operation id/,
  },
  { title: 'an injection string as restore-points <env>', args: () => ['restore-points', INJECTION], stderr: /Invalid environment name/ },
  {
    title: 'an injection string as --id',
    args: () => ['refresh', '--source', 'prod', '--target', 'train', '--id', INJECTION],
    stderr: /Invalid operation id "uat'; DROP TABLE UserInfo;--": use lowercase letters/,
  },
  {
    title: 'an injection string as --by',
    args: () => ['refresh', '--source', 'prod', '--target', 'train', '--by', INJECTION],
    stderr: /--by "uat'; DROP TABLE UserInfo;--" is not a valid name: use letters, digits/,
  },
  { title: 'an injection string as sign-off --by', args: (c) => ['sign-off', c.a, '--by', INJECTION], stderr: /--by .* is not a valid name/ },
  // Command line: sizes and types
  {
    title: 'an oversized environment name (10,000 characters)',
    args: () => ['refresh', '--source', 'prod', '--target', 'u'.repeat(10_000)],
    stderr: /--target: Invalid environment name "u{80}…": use lowercase letters/,
  },
  {
    title: 'an oversized --note (1,001 characters)',
    args: (c) => ['sign-off', c.a, '--note', 'n'.repeat(1001)],
    stderr: /--note is longer than 1000 characters/,
  },
  { title: 'an oversized --by (200 characters)', args: (c) => ['sign-off', c.a, '--by', 'b'.repeat(200)], stderr: /--by "b{40}" is not a valid name/ },
  { title: '--rows abc', args: () => ['demo', '--rows', 'abc'], stderr: /option '--rows <n>' argument 'abc' is invalid\. expected a whole number, got "abc"/ },
  {
    title: '--rows out of range',
    args: () => ['demo', '--rows', '99999999999'],
    stderr: /--rows <n>' argument '99999999999' is invalid\. must be between 100 and 50,000,000/,
  },
  { title: '--limit abc', args: () => ['list', '--limit', 'abc'], stderr: /--limit <n>' argument 'abc' is invalid\. expected a whole number/ },
  {
    title: '--port abc for the codec server',
    args: () => ['codec-server', '--port', 'abc'],
    stderr: /--port <port>' argument 'abc' is invalid\. expected a whole number/,
  },
  {
    title: 'an unknown --on-failure choice',
    args: () => ['refresh', '--source', 'prod', '--target', 'uat', '--on-failure', 'ignore'],
    stderr: /argument 'ignore' is invalid\. must be one of wait, rollback/,
  },
  { title: 'a missing required option', args: () => ['refresh', '--source', 'prod'], stderr: /required option '--target <env>' not specified/ },
  { title: 'an unknown option', args: () => ['refresh', '--source', 'prod', '--target', 'uat', '--sauce', 'x'], stderr: /unknown option '--sauce'/ },
  { title: 'an unknown command', args: () => ['refrsh', '--source', 'prod'], stderr: /unknown command 'refrsh'/ },
  {
    title: 'a restore time that is not a time',
    args: () => ['restore', '--target', 'train', '--to', 'yesterday'],
    stderr: /--to "yesterday" is not a time: give an ISO time/,
  },
  {
    title: 'a restore time in the future',
    args: () => ['restore', '--target', 'train', '--to', '2999-01-01T00:00:00Z'],
    stderr: /--to 2999-01-01T00:00:00\.000Z is in the future/,
  },
  {
    title: 'a production target for import',
    args: (c) => ['import', '--input', c.backup, '--target', 'prod'],
    stderr: /Refused before starting: prod is a production environment; an import never overwrites production/,
    exit: 1,
  },
  {
    title: 'an import file that does not exist',
    args: (c) => ['import', '--input', path.join(c.estate.home, 'missing.dbmove'), '--target', 'train'],
    stderr: /--input: .*missing\.dbmove/,
  },
  {
    title: 'an import file that is not a backup',
    args: (c) => ['import', '--input', c.file('fake.dbmove', '{"not": "a backup"}'), '--target', 'train'],
    stderr: /--input: .*does not start with the dbmove backup header/,
  },
  {
    title: 'an export over an existing file',
    args: (c) => ['export', '--source', 'prod', '--output', c.backup],
    stderr: /already exists; an export never overwrites a file/,
  },
  {
    title: 'an operation id Temporal does not know',
    args: () => ['logs', 'refresh-uat-20200101t000000z-0000'],
    stderr: /No operation refresh-uat-20200101t000000z-0000: Temporal has no workflow with that id/,
  },
  // Command line: decisions that do not fit
  {
    title: 'retry when nothing failed',
    args: (c) => ['retry', c.a, '--by', 'tester'],
    stderr: /retry refused for refresh-uat-.*: nothing has failed \(the operation is in AWAITING_SIGNOFF\)/,
    exit: 1,
  },
  {
    title: 'sign-off of a failed operation',
    args: (c) => ['sign-off', c.b, '--by', APPROVER],
    stderr: /sign-off refused .*the operation failed in POSTCONFIG; retry it .* or roll it back/,
    exit: 1,
  },
  {
    title: 'sign-off twice',
    args: (c) => ['sign-off', c.c, '--by', 'tester'],
    stderr: /sign-off refused for export-prod-.*: the operation is already closed \(COMPLETED; signed off by tester/,
    exit: 1,
  },
  {
    title: 'rollback after sign-off',
    args: (c) => ['rollback', c.c, '--by', 'tester'],
    stderr: /rollback refused for export-prod-.*: the operation is already closed/,
    exit: 1,
  },
  {
    title: 'retry by someone who is not an approver',
    args: (c) => ['retry', c.b, '--by', 'mallory'],
    stderr: /retry refused .*mallory is not an approver of train; approvers: alice@contoso\.com/,
    exit: 1,
  },
  // Environment variables
  {
    title: 'the codec server without a key',
    args: () => ['codec-server', '--port', '65000'],
    stderr: /DBMOVE_CODEC_KEY is not set: the codec server needs the key/,
  },
  {
    title: 'a malformed codec key (not echoed)',
    args: (c) => ['status', c.a],
    env: () => ({ DBMOVE_CODEC_KEY: 'c2hvcnQtc2VjcmV0LWtleQ==', DBMOVE_CODEC_KEY_ID: 'k1' }),
    stderr: /environment variable DBMOVE_CODEC_KEY: must be 32 bytes encoded in base64 \(AES-256\), got 16 bytes/,
    notInOutput: 'c2hvcnQtc2VjcmV0LWtleQ',
  },
  {
    title: 'a malformed fault plan for the worker',
    args: () => ['worker'],
    env: () => ({ DBMOVE_FAULTS: 'COPY=explode' }),
    stderr: /DBMOVE_FAULTS entry "COPY=explode": unknown fault "explode"/,
  },
  {
    title: 'TEMPORAL_ADDRESS without a port',
    args: (c) => ['status', c.a],
    env: () => ({ TEMPORAL_ADDRESS: 'no port' }),
    stderr: /TEMPORAL_ADDRESS: address: must be host:port.*Fix: correct or unset TEMPORAL_ADDRESS/,
  },
  // Configuration files
  {
    title: 'a catalog that is not JSON',
    args: () => ['list', '--environments'],
    env: (c) => ({ DBMOVE_CATALOG: c.file('broken.json', '{ "environments": [ ') }),
    stderr: /broken\.json: is not valid JSON .*Fix: fix the JSON syntax/,
  },
  {
    title: 'an empty catalog file',
    args: () => ['list', '--environments'],
    env: (c) => ({ DBMOVE_CATALOG: c.file('empty.json', '') }),
    stderr: /empty\.json: is not valid JSON/,
  },
  {
    title: 'a catalog that does not exist',
    args: () => ['list', '--environments'],
    env: (c) => ({ DBMOVE_CATALOG: path.join(c.estate.home, 'nowhere.json') }),
    stderr: /nowhere\.json: the environment catalog does not exist\. Fix: run `dbmove demo`/,
  },
  {
    title: 'a catalog without environments',
    args: () => ['list', '--environments'],
    env: (c) => ({ DBMOVE_CATALOG: c.file('noenv.json', { defaults: {} }) }),
    stderr: /noenv\.json: environments: .*Fix:/,
  },
  {
    title: 'a wrong environment type',
    args: () => ['list', '--environments'],
    env: (c) => ({ DBMOVE_CATALOG: catalogWith(c, 'type.json', (k) => (k.environments[1].type = 'prod')) }),
    stderr: /environments\[1\]\.type: must be "production" or "sandbox"\. Fix: set "type"/,
  },
  {
    title: 'a wrong value type (port as text)',
    args: () => ['list', '--environments'],
    env: (c) => ({ DBMOVE_CATALOG: catalogWith(c, 'port.json', (k) => (k.environments[1].mail.smtpPort = '587')) }),
    stderr: /environments\[1\]\.mail\.smtpPort: .*number/,
  },
  {
    title: 'approvers that are not a list',
    args: () => ['list', '--environments'],
    env: (c) => ({ DBMOVE_CATALOG: catalogWith(c, 'approvers.json', (k) => (k.environments[1].approvers = APPROVER)) }),
    stderr: /environments\[1\]\.approvers: .*array/,
  },
  {
    title: 'an unknown engine',
    args: () => ['list', '--environments'],
    env: (c) => ({ DBMOVE_CATALOG: catalogWith(c, 'engine.json', (k) => (k.environments[2].engine = 'oracle')) }),
    stderr: /environments\[2\]\.engine: engine must be "local", "azure-sql" or "sqlserver"/,
  },
  {
    title: 'an unknown setting',
    args: () => ['list', '--environments'],
    env: (c) => ({ DBMOVE_CATALOG: catalogWith(c, 'unknown.json', (k) => (k.environments[1].colour = 'blue')) }),
    stderr: /environments\[1\]\.colour: is not a known setting/,
  },
  {
    title: 'a secret written into the catalog (not echoed)',
    args: () => ['list', '--environments'],
    env: (c) => ({ DBMOVE_CATALOG: catalogWith(c, 'secret.json', (k) => (k.environments[1].mail.smtpPassword = 'hunter2-in-a-file')) }),
    stderr:
      /environments\[1\]\.mail\.smtpPassword: is not a known setting\. Fix: remove it: F&O encrypts the SMTP password with the environment's own key, so dbmove never writes it/,
    notInOutput: 'hunter2-in-a-file',
  },
  {
    title: 'an injection string as an environment name in the catalog',
    args: () => ['list', '--environments'],
    env: (c) => ({ DBMOVE_CATALOG: catalogWith(c, 'inject.json', (k) => (k.environments[2].name = INJECTION)) }),
    stderr: /environments\[2\]\.name: must be lowercase letters/,
  },
  {
    title: 'an injection string as a database name (Azure SQL)',
    args: () => ['list', '--environments'],
    env: (c) => ({
      DBMOVE_CATALOG: catalogWith(
        c,
        'dbname.json',
        (k) =>
          (k.environments[2] = {
            ...k.environments[2],
            engine: 'azure-sql',
            database: { subscriptionId: '00000000-0000-0000-0000-000000000000', resourceGroup: 'rg', server: 'srv', database: 'db]; DROP DATABASE x;--' },
          }),
      ),
    }),
    stderr: /environments\[2\]\.database\.database: must be letters, digits/,
  },
  {
    title: 'a value where an environment variable name belongs',
    args: () => ['list', '--environments'],
    env: (c) => ({
      DBMOVE_CATALOG: catalogWith(
        c,
        'envname.json',
        (k) => (k.environments[1].versions = { from: 'endpoint', url: 'https://lcs.example.com/x', tokenEnv: 'my token' }),
      ),
    }),
    stderr: /versions\.tokenEnv: must be the NAME of an environment variable/,
  },
  {
    title: 'a scrub policy naming an injected table',
    args: () => ['refresh', '--source', 'prod', '--target', 'train'],
    env: (c) => ({
      DBMOVE_CATALOG: catalogWith(c, 'p1.json', (k) => (k.environments[2].scrubPolicies = [c.file('p1-policy.json', policy(['UserInfo; DROP TABLE x']))])),
    }),
    stderr: /p1-policy\.json: elements\[0\]\.tables\[0\]: must be letters, digits and "_"/,
  },
  {
    title: 'a scrub policy naming an injected column',
    args: () => ['refresh', '--source', 'prod', '--target', 'train'],
    env: (c) => ({
      DBMOVE_CATALOG: catalogWith(
        c,
        'p2.json',
        (k) => (k.environments[2].scrubPolicies = [c.file('p2-policy.json', policy(['UserInfo'], { column: 'ID" OR 1=1 --', equals: 'x' }))]),
      ),
    }),
    stderr: /p2-policy\.json: elements\[0\]\.where.*Fix: correct the element/,
  },
  {
    title: 'a scrub policy with an unknown action',
    args: () => ['refresh', '--source', 'prod', '--target', 'train'],
    env: (c) => ({
      DBMOVE_CATALOG: catalogWith(
        c,
        'p3.json',
        (k) =>
          (k.environments[2].scrubPolicies = [
            c.file('p3-policy.json', { name: 'x', elements: [{ id: 'x', description: 'x', action: 'truncate', tables: ['UserInfo'] }] }),
          ]),
      ),
    }),
    stderr: /p3-policy\.json: elements\[0\]\.action: action must be "clear", "delete", "update" or "mask"/,
  },
  {
    title: 'an API key written into temporal.config.json',
    args: (c) => ['status', c.a],
    env: (c) => ({ DBMOVE_TEMPORAL_CONFIG: c.file('tc-key.json', { address: testServer().address, apiKey: 'tmprl-key-in-a-file' }) }),
    stderr: /tc-key\.json: apiKey: is not a known setting\. Fix: an API key is a secret: set it in the TEMPORAL_API_KEY environment variable/,
    notInOutput: 'tmprl-key-in-a-file',
  },
  {
    title: 'a temporal.config.json that is not JSON',
    args: (c) => ['status', c.a],
    env: (c) => ({ DBMOVE_TEMPORAL_CONFIG: c.file('tc-broken.json', '{ address: ') }),
    stderr: /tc-broken\.json: is not valid JSON/,
  },
  {
    title: 'a namespace with an injection string',
    args: (c) => ['status', c.a],
    env: (c) => ({ DBMOVE_TEMPORAL_CONFIG: c.file('tc-ns.json', { address: testServer().address, namespace: "default'; --" }) }),
    stderr: /tc-ns\.json: namespace: must be a Temporal namespace name/,
  },
];

interface UpdateCase {
  title: string;
  op: 'a' | 'b';
  update: 'signOff' | 'rollback' | 'retry';
  args: unknown[];
  reason: RegExp;
}

const UPDATE_CASES: UpdateCase[] = [
  { title: 'an empty object', op: 'a', update: 'signOff', args: [{}], reason: /must name who decides: \{"by": "you@contoso\.com"\}/ },
  { title: 'no payload at all', op: 'a', update: 'signOff', args: [], reason: /the payload must be a JSON object such as \{"by": "you@contoso\.com"\}/ },
  { title: 'a number as "by"', op: 'a', update: 'signOff', args: [{ by: 42 }], reason: /must name who decides/ },
  { title: 'a string instead of an object', op: 'a', update: 'signOff', args: ['alice'], reason: /the payload must be a JSON object/ },
  { title: 'null', op: 'a', update: 'rollback', args: [null], reason: /the payload must be a JSON object/ },
  { title: 'an array', op: 'a', update: 'signOff', args: [[{ by: 'alice' }]], reason: /the payload must be a JSON object/ },
  {
    title: 'an unknown field',
    op: 'a',
    update: 'signOff',
    args: [{ by: 'alice', role: 'admin' }],
    reason: /unknown field role; the payload takes "by" and "note"/,
  },
  {
    title: 'an oversized note',
    op: 'a',
    update: 'signOff',
    args: [{ by: 'alice', note: 'n'.repeat(1001) }],
    reason: /"note" must be text of at most 1000 characters/,
  },
  { title: 'a note that is not text', op: 'a', update: 'rollback', args: [{ by: 'alice', note: 5 }], reason: /"note" must be text/ },
  {
    title: 'an injection string as "by"',
    op: 'a',
    update: 'signOff',
    args: [{ by: INJECTION }],
    reason: /"by" may hold letters, digits, spaces and \. @ \+ - _ only/,
  },
  { title: 'an oversized "by"', op: 'a', update: 'signOff', args: [{ by: 'b'.repeat(200) }], reason: /"by" is longer than 128 characters/ },
  {
    title: 'retry when nothing failed',
    op: 'a',
    update: 'retry',
    args: [{ by: 'tester' }],
    reason: /nothing has failed \(the operation is in AWAITING_SIGNOFF\)/,
  },
  { title: 'sign-off of a failed operation', op: 'b', update: 'signOff', args: [{ by: APPROVER }], reason: /the operation failed in POSTCONFIG; retry it/ },
  {
    title: 'rollback by someone who is not an approver',
    op: 'b',
    update: 'rollback',
    args: [{ by: 'mallory@contoso.com' }],
    reason: /mallory@contoso\.com is not an approver of train; approvers: alice@contoso\.com/,
  },
];

interface SignalCase {
  title: string;
  op: 'a' | 'b';
  name: string;
  input: string;
  /** The refusal recorded in the operation's decisions; undefined when nothing is recorded. */
  recorded?: RegExp;
  /** For input the temporal CLI itself refuses: its error. */
  cliError?: RegExp;
}

const SIGNAL_CASES: SignalCase[] = [
  { title: 'a string instead of an object', op: 'a', name: 'signOff', input: '"not an object"', recorded: /the payload must be a JSON object/ },
  { title: 'a number as "by"', op: 'a', name: 'signOff', input: '{"by": 42}', recorded: /must name who decides/ },
  { title: 'an empty object', op: 'a', name: 'rollback', input: '{}', recorded: /must name who decides/ },
  { title: 'an unknown field', op: 'a', name: 'signOff', input: '{"by": "tester", "approved": true}', recorded: /unknown field approved/ },
  { title: 'an injection string as "by"', op: 'a', name: 'signOff', input: JSON.stringify({ by: INJECTION }), recorded: /"by" may hold letters/ },
  { title: 'retry when nothing failed', op: 'a', name: 'retry', input: '{"by": "tester"}', recorded: /nothing has failed/ },
  { title: 'sign-off of a failed operation', op: 'b', name: 'signOff', input: `{"by": "${APPROVER}"}`, recorded: /failed in POSTCONFIG/ },
  {
    title: 'rollback by someone who is not an approver',
    op: 'b',
    name: 'rollback',
    input: '{"by": "mallory@contoso.com"}',
    recorded: /mallory@contoso\.com is not an approver of train/,
  },
  { title: 'input that is not JSON', op: 'a', name: 'signOff', input: '{by: alice', cliError: /invalid|json|unmarshal/i },
  { title: 'a signal no operation defines', op: 'a', name: 'dropDatabase', input: '{"by": "tester"}' },
];

function temporalSignal(workflowId: string, name: string, input: string): Promise<CliResult> {
  return runProcess(temporalCliPath(), [
    'workflow',
    'signal',
    '--address',
    testServer().address,
    '--namespace',
    'default',
    '--workflow-id',
    workflowId,
    '--name',
    name,
    '--input',
    input,
  ]);
}

/** Runs `jobs` at most `width` at a time (the command line starts slowly; cases do not interfere). */
async function pool<T>(jobs: (() => Promise<T>)[], width: number): Promise<T[]> {
  const results: T[] = new Array(jobs.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < jobs.length) {
        const i = next++;
        results[i] = await jobs[i]();
      }
    }),
  );
  return results;
}

describe('bad input is a clear error, changes nothing and leaves operations running', function () {
  this.timeout(240_000);
  let estate: TestEstate;
  let worker: TestWorker;
  let running: Promise<void>;
  let ctx: Ctx;
  let handles: { a: WorkflowHandle; b: WorkflowHandle };
  let checksums: () => Record<string, string>;
  let baseline: Record<string, string>;
  const cliResults = new Map<string, CliResult>();
  const expected: Record<'a' | 'b', Phase> = { a: 'AWAITING_SIGNOFF', b: 'FAILED' };

  before(async function () {
    this.timeout(180_000);
    estate = createTestEstate(1000, 'badinput');
    estate.editCatalog((c) => (c.environments.find((e: any) => e.name === 'train').approvers = [APPROVER]));
    worker = await createTestWorker(estate, { DBMOVE_FAULTS: 'POSTCONFIG=fail-once' });
    running = worker.worker.run();
    writeTemporalConfig(estate, worker.taskQueue);
    const client = testServer().client;
    const start = (kind: 'refresh' | 'export', input: Record<string, unknown>) =>
      startOperation(
        client,
        kind,
        kind === 'refresh' ? 'refresh' : 'exportDatabase',
        { requestedBy: 'tester', tuning: { initialInterval: '100ms' }, ...input } as any,
        { taskQueue: worker.taskQueue },
        `${kind} (bad-input suite)`,
      );
    const backup = path.join(estate.home, 'prod.dbmove');
    const [a, b, c] = await Promise.all([
      start('refresh', { source: 'prod', target: 'uat' }),
      start('refresh', { source: 'prod', target: 'train' }),
      start('export', { source: 'prod', output: backup }),
    ]);
    expect((await waitForPhase(a, ['FAILED'])).failure?.step).to.equal('POSTCONFIG');
    await decide(a, 'retry', { by: 'tester' });
    expect((await waitForPhase(a, ['AWAITING_SIGNOFF', 'FAILED'])).phase).to.equal('AWAITING_SIGNOFF');
    expect((await waitForPhase(b, ['FAILED'])).failure?.step).to.equal('POSTCONFIG');
    expect((await waitForPhase(c, ['AWAITING_SIGNOFF', 'FAILED'])).phase).to.equal('AWAITING_SIGNOFF');
    await decide(c, 'sign-off', { by: 'tester' });
    await c.result();
    handles = { a, b };
    const files = fs.mkdirSync(path.join(estate.home, 'bad'), { recursive: true })!;
    ctx = {
      estate,
      a: a.workflowId,
      b: b.workflowId,
      c: c.workflowId,
      backup,
      file: (name, content) => {
        const file = path.join(files, name);
        fs.writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
        return file;
      },
    };
    const paths = ['prod', 'uat', 'train'].map((e) => estate.database(e));
    checksums = () => Object.fromEntries([...paths, backup].map((f) => [path.basename(f), fileSha256(f)]));
    baseline = checksums();
    // The command line cases, all at once (a few at a time): each starts a process that only reads.
    const results = await pool(
      CLI_CASES.map((c) => () => runCli(estate, c.args(ctx), c.env?.(ctx))),
      4,
    );
    CLI_CASES.forEach((c, i) => cliResults.set(c.title, results[i]));
  });

  after(async () => {
    for (const handle of Object.values(handles ?? {})) await handle.terminate('bad-input suite finished').catch(() => undefined);
    worker?.worker.shutdown();
    await running;
  });

  async function unchanged(): Promise<OperationStatus[]> {
    expect(checksums(), 'no database or backup changed').to.deep.equal(baseline);
    return Promise.all(
      (['a', 'b'] as const).map(async (op) => {
        const status = await getStatus(testServer().client, handles[op]);
        expect(status.phase, `operation ${op} stays where it was`).to.equal(expected[op]);
        expect((await handles[op].describe()).status.name).to.equal('RUNNING');
        return status;
      }),
    );
  }

  describe('command line and configuration files: exit code 2 (bad usage) or 1 (refused) and an error naming the problem', () => {
    for (const c of CLI_CASES) {
      it(c.title, () => {
        const result = cliResults.get(c.title)!;
        expect(result.code, `stdout: ${result.stdout}\nstderr: ${result.stderr}`).to.equal(c.exit ?? 2);
        expect(result.stderr).to.match(c.stderr);
        expect(result.stderr.split('\n').filter(Boolean).length, 'one clear line, not a stack trace').to.be.at.most(3);
        if (c.notInOutput) expect(result.stdout + result.stderr).to.not.contain(c.notInOutput);
      });
    }
    it('changed nothing and left both operations where they were', async () => {
      await unchanged();
    });
  });

  describe('updates: rejected with the reason, nothing written', () => {
    for (const c of UPDATE_CASES) {
      it(c.title, async () => {
        const handle = handles[c.op];
        const decisionsBefore = (await getStatus(testServer().client, handle)).decisions.length;
        const err = await handle.executeUpdate(c.update, { args: c.args as [unknown] }).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(err).to.be.instanceOf(WorkflowUpdateFailedError);
        expect(reason(err)).to.match(c.reason);
        const [a, b] = await unchanged();
        // A rejected update leaves no trace in the operation's decisions (nor in its history).
        expect((c.op === 'a' ? a : b).decisions.length).to.equal(decisionsBefore);
      });
    }
  });

  describe('signals sent with the real temporal CLI: recorded as refused, ignored', () => {
    for (const c of SIGNAL_CASES) {
      it(c.title, async () => {
        const handle = handles[c.op];
        const decisionsBefore = (await getStatus(testServer().client, handle)).decisions.length;
        const sent = await temporalSignal(handle.workflowId, c.name, c.input);
        if (c.cliError) {
          expect(sent.code).to.not.equal(0);
          expect(sent.stderr + sent.stdout).to.match(c.cliError);
        } else {
          expect(sent.code, sent.stderr).to.equal(0);
        }
        if (c.recorded) {
          let status: OperationStatus | undefined;
          for (let i = 0; i < 100 && (status?.decisions.length ?? 0) <= decisionsBefore; i++) {
            status = await getStatus(testServer().client, handle);
            if (status.decisions.length <= decisionsBefore) await new Promise((r) => setTimeout(r, 50));
          }
          const last = status!.decisions.at(-1)!;
          expect(last.accepted).to.equal(false);
          expect(last.via).to.equal('signal');
          expect(last.reason).to.match(c.recorded);
        } else {
          // Give the workflow a moment to see it, then check it recorded nothing.
          await new Promise((r) => setTimeout(r, 500));
          expect((await getStatus(testServer().client, handle)).decisions.length).to.equal(decisionsBefore);
        }
        await unchanged();
      });
    }
  });
});
