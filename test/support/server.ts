import { DefaultLogger, Runtime } from '@temporalio/worker';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { startEphemeralServer } from '../../server/ephemeral-server';
import { findTemporalCli } from '../../server/temporal-cli';

/**
 * One real Temporal dev server for the whole test run: the same CLI binary `dbmove server`
 * uses (built from the Go module proxy when missing), never a mock. Each test gets its own
 * task queue and its own demo estate, so tests cannot see each other's work.
 */
let env: TestWorkflowEnvironment | undefined;
let cliPath: string | undefined;

export async function startTestServer(): Promise<void> {
  // Quiet by default: refusals and failures are logged on purpose by many tests. DBMOVE_TEST_LOG=INFO shows them.
  const level = process.env.DBMOVE_TEST_LOG as 'INFO' | undefined;
  Runtime.install({ logger: level ? new DefaultLogger(level) : new DefaultLogger('ERROR', () => undefined) });
  env = await startEphemeralServer();
  cliPath = findTemporalCli()?.path;
}

export async function stopTestServer(): Promise<void> {
  await env?.teardown();
  env = undefined;
}

export function testServer(): TestWorkflowEnvironment {
  if (!env) throw new Error('The test Temporal server is not running (test/support/hooks.ts starts it)');
  return env;
}

export function temporalCliPath(): string {
  if (!cliPath) throw new Error('The Temporal CLI has not been located yet');
  return cliPath;
}
