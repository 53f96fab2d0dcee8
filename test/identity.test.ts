import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LocalEngine } from '../engines/local/local-engine';
import { readIdentityRecord, writeIdentityRecord } from '../engines/local/identity-records';
import type { EngineContext } from '../engines/port';
import { createTestEstate, query, type TestEstate } from './support/estate';

/**
 * Who a database is, kept by the local engine in a record tied to the database file (device
 * and inode), never in an F&O table: it follows the file through SWAP's rename with no second
 * step, a copy carries none, a file found anywhere its record does not name is not the one
 * it describes, and rollback gives the restored file the identity it had at the marker.
 */
const ctx = (): EngineContext => ({
  progress: () => {},
  saveResumeState: () => {},
  resumeState: undefined,
  signal: new AbortController().signal,
  log: () => {},
});

describe('environment identity on the local engine (identity records, not F&O rows)', function () {
  this.timeout(60_000);
  let estate: TestEstate;
  const engine = new LocalEngine();

  beforeEach(() => {
    estate = createTestEstate(1000, 'identity');
  });

  it('the demo estate stamps every database; nothing is written into SQLSYSTEMVARIABLES', async () => {
    expect(await engine.readIdentity(estate.environment('prod'))).to.include({ environment: 'prod', type: 'production' });
    expect(await engine.readIdentity(estate.environment('uat'))).to.include({ environment: 'uat', type: 'sandbox' });
    expect(query(estate.database('prod'), 'SELECT PARM FROM SQLSYSTEMVARIABLES ORDER BY PARM').map((r: any) => r.PARM)).to.deep.equal([
      'CONFIGURATIONMODE',
      'SYSTABVERSION',
    ]);
  });

  it('a copy of a file carries no identity; a rename keeps it; a file at a path its record does not name has none', () => {
    const prod = estate.database('prod');
    const copy = path.join(estate.home, 'copy-of-prod.sqlite');
    fs.copyFileSync(prod, copy);
    expect(readIdentityRecord(copy)).to.equal(undefined);
    // Renamed to a path the record names (staging → live is the only rename dbmove makes): the identity follows.
    const staging = path.join(estate.home, 'staging.sqlite');
    const live = path.join(estate.home, 'live.sqlite');
    fs.copyFileSync(prod, staging);
    writeIdentityRecord(staging, live, { environment: 'uat', type: 'sandbox', operationId: 'refresh-1' });
    expect(readIdentityRecord(live)).to.equal(undefined); // nothing there yet
    fs.renameSync(staging, live);
    expect(readIdentityRecord(live)).to.include({ environment: 'uat', operationId: 'refresh-1' });
    // Moved somewhere its record does not name: not trusted.
    const elsewhere = path.join(estate.home, 'elsewhere.sqlite');
    fs.renameSync(live, elsewhere);
    expect(readIdentityRecord(elsewhere)).to.equal(undefined);
  });

  it("SWAP's staging stamp goes live in the same rename; rollback restores the identity the target had at the marker", async () => {
    const uat = estate.environment('uat');
    const op = 'refresh-uat-identity-0001';
    const marker = await engine.markPointInTime(uat, op, ctx());
    await engine.copyToStaging(estate.environment('prod'), uat, op, ctx());
    await engine.stampStagingIdentity(uat, op, { environment: 'uat', type: 'sandbox', operationId: op });
    // Before the swap the live uat is still uat without the operation; the staging copy of prod is now uat's.
    expect((await engine.readIdentity(uat))?.operationId).to.equal(undefined);
    await engine.swapIn(uat, op, ctx());
    expect(await engine.readIdentity(uat)).to.include({ environment: 'uat', type: 'sandbox', operationId: op });
    await engine.restoreToMarker(uat, marker, op, ctx());
    const restored = await engine.readIdentity(uat);
    expect(restored).to.include({ environment: 'uat', type: 'sandbox' });
    expect(restored?.operationId).to.equal(undefined);
    // Records of files that are gone are pruned when the next one is written.
    await engine.releaseHoldings(uat, op, { keepRestorePoint: false });
    await engine.stampLiveIdentity(uat, { environment: 'uat', type: 'sandbox' });
    const records = fs.readdirSync(path.join(path.dirname(estate.database('uat')), '.dbmove', '.identity'));
    expect(records).to.have.length(3); // prod, uat and train, nothing else
  });
});
