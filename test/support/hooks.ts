import { startTestServer, stopTestServer } from './server';
import { releaseUnusedWorkers } from './worker';

/** Mocha root hooks (see .mocharc.json): one dev server for every test file. */
export const mochaHooks = {
  async beforeAll(this: Mocha.Context) {
    this.timeout(20 * 60_000); // building the Temporal CLI on a fresh machine takes minutes
    await startTestServer();
  },
  async afterEach(this: Mocha.Context) {
    await releaseUnusedWorkers();
  },
  async afterAll(this: Mocha.Context) {
    this.timeout(60_000);
    await stopTestServer();
  },
};
