import { expect } from 'chai';
import { decide } from '../client/operations';
import type { OperationResult } from '../workflows/types';
import { fileSha256, query, tableChecksums, TestEstate } from './support/estate';
import { readIdentityRecord } from '../engines/local/identity-records';
import { DEMO_TENANT } from '../demo/estate';
import { startRefresh, waitForPhase } from './support/operations';
import { estateWithWorker } from './support/fixture';
import { TestWorker } from './support/worker';

const BUSINESS = ['CUSTTABLE', 'VENDTABLE', 'GENERALJOURNALACCOUNTENTRY', 'DIRPARTYTABLE', 'DIRPARTYLOCATION', 'LOGISTICSLOCATION'];

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
    // uat's Admin SID as F&O wrote it for uat's administrator (the catalog's), before the refresh.
    const [{ sid: uatAdminSid }] = query<{ sid: string }>(uat, "SELECT SID AS sid FROM USERINFO WHERE ID = 'Admin'");

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
    for (const table of ['VENDTABLE', 'GENERALJOURNALACCOUNTENTRY', 'DIRPARTYTABLE', 'DIRPARTYLOCATION', 'LOGISTICSLOCATION'])
      expect(after[table], table).to.deep.equal(sourceTablesBefore[table]);
    // CUSTTABLE gained uat's customisation column (SYNC), with its default, and nothing else changed.
    const custCols = query<{ name: string }>(uat, 'SELECT name FROM pragma_table_info(?)', 'CUSTTABLE').map((c) => c.name);
    expect(custCols).to.include('CONTOSOLOYALTYTIER');
    expect(query(uat, "SELECT COUNT(*) AS n FROM CUSTTABLE WHERE CONTOSOLOYALTYTIER <> 'None'")[0]).to.deep.equal({ n: 0 });
    expect(query(uat, 'SELECT COUNT(*) AS n FROM CUSTTABLE')[0]).to.deep.equal({ n: sourceTablesBefore.CUSTTABLE.rows });
    expect(query(uat, "SELECT name FROM sqlite_master WHERE name IN ('CONTOSOINTEGRATIONLOG', 'I_CONTOSOVENDGROUPIDX') ORDER BY name")).to.have.length(2);

    // Every scrub element is gone.
    expect(query(uat, "SELECT COUNT(*) AS n FROM LOGISTICSELECTRONICADDRESS WHERE TYPE = 2 AND LOCATOR <> ''")[0]).to.deep.equal({ n: 0 });
    expect(query(uat, "SELECT COUNT(*) AS n FROM LOGISTICSELECTRONICADDRESS WHERE LOCATOR LIKE '%@%'")[0]).to.deep.equal({ n: 0 });
    for (const table of [
      'BATCHJOBHISTORY',
      'BATCHHISTORY',
      'BATCHCONSTRAINTHISTORY',
      'PRINTMGMTSETTINGS',
      'PRINTMGMTDOCINSTANCE',
      'SYSSERVERCONFIG',
      'SYSSERVERSESSIONS',
      'SYSCORPNETPRINTERS',
      'SYSCLIENTSESSIONS',
      'DOCUVALUE',
      'SYSEMAILSMTPPASSWORD',
    ]) {
      expect(query(uat, `SELECT COUNT(*) AS n FROM "${table}"`)[0], table).to.deep.equal({ n: 0 });
    }
    // Encrypted fields are cleared, never carried or rewritten in plain text.
    for (const [table, column] of [
      ['RETAILHARDWAREPROFILE', 'SECUREMERCHANTPROPERTIES'],
      ['CREDITCARDACCOUNTSETUP', 'SECUREMERCHANTPROPERTIES'],
      ['EXCHANGERATEPROVIDERCONFIGURATIONDETAILS', 'VALUE'],
      ['SYSOAUTHUSERTOKENS', 'ENCRYPTEDACCESSTOKEN'],
      ['SYSOAUTHUSERTOKENS', 'ENCRYPTEDREFRESHTOKEN'],
    ])
      expect(query(uat, `SELECT COUNT(*) AS n FROM ${table} WHERE ${column} IS NOT NULL`)[0], `${table}.${column}`).to.deep.equal({ n: 0 });
    // uat has its own relay again, the non-interactive mailer on SMTP (production had Exchange).
    expect(query(uat, 'SELECT SMTPRELAYSERVERNAME AS relay, SMTPPORTNUMBER AS port, MAILERNONINTERACTIVE AS mailer FROM SYSEMAILPARAMETERS')).to.deep.equal([
      { relay: 'smtp.uat.contoso.test', port: 587, mailer: 'SMTP' },
    ]);

    // POSTCONFIG: Admin is uat's administrator, with the SID F&O gave it in uat (not production's); only Admin and the listed users are enabled.
    expect(query(uat, "SELECT NETWORKALIAS AS alias, SID AS sid, ENABLE AS enable, RECVERSION AS rv FROM USERINFO WHERE ID = 'Admin'")).to.deep.equal([
      { alias: 'uat-admin@contoso.test', sid: uatAdminSid, enable: 1, rv: 2 },
    ]);
    expect(query<{ ID: string }>(uat, 'SELECT ID FROM USERINFO WHERE ENABLE = 1 ORDER BY ID').map((r) => r.ID)).to.deep.equal([
      'Admin',
      'FRServiceUser',
      'RetailServiceAccount',
      'alice',
      'bob',
    ]);
    // Microsoft's service accounts were never disabled (seeds: "except the Admin user and other internal service user accounts").
    expect(query(uat, 'SELECT COUNT(*) AS n FROM USERINFO WHERE ISMICROSOFTACCOUNT = 1 AND ENABLE = 0')[0]).to.deep.equal({ n: 0 });
    // Every row SCRUB or POSTCONFIG updated has a new RECVERSION; a disabled-then-enabled user two.
    expect(query(uat, "SELECT ID AS id, RECVERSION AS rv FROM USERINFO WHERE ID IN ('alice', 'carol') ORDER BY ID")).to.deep.equal([
      { id: 'alice', rv: 3 },
      { id: 'carol', rv: 2 },
    ]);
    // Batch jobs that could still run are withheld; ended, failed and cancelled ones keep their status; the listed one waits.
    expect(query(uat, 'SELECT CAPTION AS caption, STATUS AS status, RECVERSION AS rv FROM BATCHJOB WHERE STATUS <> 0 ORDER BY RECID')).to.deep.equal([
      { caption: 'Post ledger journals', status: 1, rv: 3 },
      { caption: 'Inventory close', status: 3, rv: 1 },
      { caption: 'Vendor payment journal posting', status: 4, rv: 1 },
      { caption: 'Old report run', status: 8, rv: 1 },
    ]);
    // uat's batch servers are in every batch group; no production server is left.
    expect(query(uat, 'SELECT DISTINCT SERVERID AS s FROM BATCHSERVERGROUP ORDER BY 1')).to.deep.equal([
      { s: 'Batch:UAT-BATCH-01' },
      { s: 'Batch:UAT-BATCH-02' },
    ]);
    expect(query(uat, 'SELECT COUNT(*) AS n FROM BATCHSERVERGROUP')[0]).to.deep.equal({ n: 6 });
    // Maintenance mode off; uat's tenant (read from uat before it was replaced) in all three tenant tables.
    expect(query(uat, "SELECT VALUE AS v FROM SQLSYSTEMVARIABLES WHERE PARM = 'CONFIGURATIONMODE'")).to.deep.equal([{ v: 0 }]);
    expect(query(uat, "SELECT VALUE AS v FROM SYSSERVICECONFIGURATIONSETTING WHERE NAME = 'TENANTID'")).to.deep.equal([{ v: DEMO_TENANT }]);
    expect(query(uat, 'SELECT TENANTID AS t FROM POWERBICONFIG UNION ALL SELECT TENANTID FROM PROVISIONINGMESSAGETABLE')).to.deep.equal([
      { t: DEMO_TENANT },
      { t: DEMO_TENANT },
    ]);
    // No invented kernel rows: SQLSYSTEMVARIABLES holds the kernel's settings only.
    expect(query(uat, 'SELECT PARM FROM SQLSYSTEMVARIABLES ORDER BY PARM').map((r: any) => r.PARM)).to.deep.equal(['CONFIGURATIONMODE', 'SYSTABVERSION']);
    // The identity lives in the local engine's record of the file, not in a table: uat, produced by this operation.
    expect(readIdentityRecord(uat)).to.include({ environment: 'uat', type: 'sandbox', operationId: result.operationId });
    // What cannot travel is on the sign-off checklist.
    const checklist = (status.checklist ?? []).join('\n');
    for (const item of [
      /SMTP password of uat-mailer for smtp\.uat\.contoso\.test/,
      /Hardware profiles/,
      /Payment services/,
      /exchange rate provider/,
      /OAuth/,
      /help and task guides/,
    ])
      expect(checklist).to.match(item);

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
