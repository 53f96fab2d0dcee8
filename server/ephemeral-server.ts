import { TestWorkflowEnvironment } from '@temporalio/testing';
import { ALL_SEARCH_ATTRIBUTES } from '../workflows/search-attributes';
import { locateTemporalCli } from './temporal-cli';

/**
 * A throwaway Temporal dev server (in-memory, free ports, no Web UI) with dbmove's search
 * attributes, from the same CLI binary `dbmove server` uses, built when missing. For the tests,
 * the bench and the scripts that record histories or time rollbacks; `dbmove server` is the
 * persistent one.
 */
export async function startEphemeralServer(log: (line: string) => void = (line) => process.stderr.write(`${line}\n`)): Promise<TestWorkflowEnvironment> {
  const cli = await locateTemporalCli({ build: true, log });
  if (!cli) throw new Error('No Temporal CLI on PATH and no Go toolchain to build one: install Go, or put `temporal` on PATH (README, "The two commands")');
  return TestWorkflowEnvironment.createLocal({
    server: { executable: { type: 'existing-path', path: cli.path }, searchAttributes: ALL_SEARCH_ATTRIBUTES, ui: false },
  });
}
