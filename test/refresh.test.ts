import { expect } from 'chai';
import { decide } from '../client/operations';
import type { OperationResult } from '../workflows/types';
import { fileSha256, query, tableChecksums, TestEstate } from './support/estate';
import { startRefresh, waitForPhase } from './support/operations';
import { estateWithWorker } from './support/fixture';
import { TestWorker } from './support/worker';

const BUSINESS = ['CustTable', 'VendTable', 'GeneralJournalAccountEntry', 'DirPartyTable'];

describe('refresh of a sandbox from production', function () {
  this.timeout(120_000);
  let estate: TestEstate;
  let worker: TestWorker;

  beforeEach(async () => {
    ({ estate, worker } = await estateWithWorker(5000, 'refresh'));
  });

  it('copies business data intact, scrubs every element, applies SYNC and POSTCONFIG, and never writes the source', async () => {
    const prod = estate.database('prod');
    const uat = estate.database('uat');
    const sourceFileBefore = fileSha256(prod);
    const sourceTablesBefore = tableChecksums(prod);

    const { status, result } = await worker.run(async () => {
      const handle = await startRefresh(worker);
      const awaiting = await waitForPhase(handle, ['AWAITING_SIGNOFF', 'FAILED', 'REFUSED']);
      expect(awaiting.phase, JSON.stringify(awaiting.logs.slice(-5))).to.equal('AWAITING_SIGNOFF');
      await decide(handle, 'sign-off', { by: 'tester', note: 'looks right' });
      return { status: awaiting, result: (await handle.result()) as OperationResult };
    });

    // The source was opened read-only: byte for byte the same file.
    expect(fileSha256(prod)).to.equal(sourceFileBefore);

    // Business rows identical to the source.
    const after = tableChecksums(uat, BUSINESS);
    for (const table of ['VendTable', 'GeneralJournalAccountEntry', 'DirPartyTable']) expect(after[table], table).to.deep.equal(sourceTablesBefore[table]);
    // CustTable gained uat's customisation column (SYNC), with its default, and nothing else changed.
    const custCols = query<{ name: string }>(uat, 'SELECT name FROM pragma_table_info(?)', 'CustTable').map((c) => c.name);
    expect(custCols).to.include('CONTOSOLOYALTYTIER');
    expect(query(uat, "SELECT COUNT(*) AS n FROM CustTable WHERE CONTOSOLOYALTYTIER <> 'None'")[0]).to.deep.equal({ n: 0 });
    expect(query(uat, 'SELECT COUNT(*) AS n FROM CustTable')[0]).to.deep.equal({ n: sourceTablesBefore.CustTable.rows });
    expect(query(uat, "SELECT name FROM sqlite_master WHERE name IN ('ContosoIntegrationLog', 'I_CONTOSOVENDNAMEIDX') ORDER BY name")).to.have.length(2);

    // Every scrub element is gone.
    expect(query(uat, "SELECT COUNT(*) AS n FROM LogisticsElectronicAddress WHERE TYPE = 2 AND LOCATOR <> ''")[0]).to.deep.equal({ n: 0 });
    expect(query(uat, "SELECT COUNT(*) AS n FROM LogisticsElectronicAddress WHERE LOCATOR LIKE '%@%'")[0]).to.deep.equal({ n: 0 });
    for (const table of [
      'BatchJobHistory',
      'BatchHistory',
      'BatchConstraintHistory',
      'PrintMgmtSettings',
      'PrintMgmtDocInstance',
      'SysServerConfig',
      'SysServerSessions',
      'SysCorpNetPrinters',
      'SysClientSessions',
      'DocuValue',
    ]) {
      expect(query(uat, `SELECT COUNT(*) AS n FROM "${table}"`)[0], table).to.deep.equal({ n: 0 });
    }
    // The production SMTP password and relay did not travel; uat has its own relay again.
    expect(query(uat, 'SELECT PASSWORD FROM SysEmailSMTPPassword')).to.deep.equal([]);
    expect(query(uat, 'SELECT SMTPRELAYSERVERNAME AS relay, SMTPPORTNUMBER AS port FROM SysEmailParameters')).to.deep.equal([
      { relay: 'smtp.uat.contoso.test', port: 587 },
    ]);

    // POSTCONFIG: Admin is uat's administrator; only Admin and the listed users are enabled.
    expect(query(uat, "SELECT NETWORKALIAS AS alias, ENABLE AS enable FROM UserInfo WHERE ID = 'Admin'")).to.deep.equal([
      { alias: 'uat-admin@contoso.test', enable: 1 },
    ]);
    expect(query<{ ID: string }>(uat, 'SELECT ID FROM UserInfo WHERE ENABLE = 1 ORDER BY ID').map((r) => r.ID)).to.deep.equal(['Admin', 'alice', 'bob']);
    // Batch jobs withheld, except the one listed for uat.
    expect(query(uat, 'SELECT CAPTION AS caption, STATUS AS status FROM BatchJob WHERE STATUS <> 0')).to.deep.equal([
      { caption: 'Post ledger journals', status: 1 },
    ]);
    // uat's batch servers are in every batch group; no production server is left.
    expect(query(uat, 'SELECT DISTINCT SERVERID AS s FROM BatchServerGroup ORDER BY 1')).to.deep.equal([
      { s: 'Batch:UAT-BATCH-01' },
      { s: 'Batch:UAT-BATCH-02' },
    ]);
    expect(query(uat, 'SELECT COUNT(*) AS n FROM BatchServerGroup')[0]).to.deep.equal({ n: 6 });
    expect(query(uat, 'SELECT HELPSERVERURL AS url FROM SysHelpParameters')).to.deep.equal([{ url: 'https://help.uat.contoso.test/' }]);
    // The data now says it is uat, produced by this operation.
    const identity = Object.fromEntries(
      query<{ PARM: string; VALUE: string }>(uat, "SELECT PARM, VALUE FROM SQLSYSTEMVARIABLES WHERE PARM LIKE 'DBMOVE%'").map((r) => [r.PARM, r.VALUE]),
    );
    expect(identity).to.deep.equal({ DBMOVEENVIRONMENT: 'uat', DBMOVEENVIRONMENTTYPE: 'sandbox', DBMOVEOPERATION: result.operationId });

    // Status and result: every step completed, in order, with timings; the window was measured.
    expect(status.steps.map((s) => [s.name, s.status])).to.deep.equal(
      ['PRECHECK', 'MARKER', 'COPY', 'SCRUB', 'SYNC', 'POSTCONFIG', 'VERIFY', 'NOTIFY', 'SWAP'].map((n) => [n, 'completed']),
    );
    for (const step of status.steps) {
      expect(step.startedAt, step.name).to.be.a('string');
      expect(step.endedAt, step.name).to.be.a('string');
      expect(step.durationMs, step.name).to.be.at.least(0);
    }
    expect(status.unavailableWindowMs).to.be.a('number').and.lessThan(1000);
    expect(status.marker?.environment).to.equal('uat');
    expect(status.holdings.map((h) => h.kind)).to.deep.equal(['restore-point']);
    expect(result.outcome).to.equal('completed');
    expect(result.signedOffBy).to.equal('tester');
    expect(result.phase).to.equal('COMPLETED');
  });
});
