import { createTestEstate, type TestEstate } from './estate';
import { createTestWorker, type TestWorker } from './worker';

/**
 * The usual set-up of a test: a fresh demo estate of `rows` business rows in a folder of its
 * own, and an in-process worker on a task queue of its own (with `env` as its environment:
 * DBMOVE_FAULTS, secrets), so that tests never see each other's work.
 */
export async function estateWithWorker(rows: number, name: string, env: NodeJS.ProcessEnv = {}): Promise<{ estate: TestEstate; worker: TestWorker }> {
  const estate = createTestEstate(rows, name);
  return { estate, worker: await createTestWorker(estate, env) };
}
