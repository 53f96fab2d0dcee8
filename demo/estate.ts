import { DbmoveError } from '../common/errors';
import * as fs from 'node:fs';
import * as path from 'node:path';
import Database from 'better-sqlite3';
import { FACT } from '../activities/environment-facts';
import { BatchStatus, ElectronicAddressType, FO_INDEXES, FO_TABLES, UAT_CUSTOMISATION } from './fo-schema';

/**
 * `dbmove demo`: a production environment and two sandboxes on the embedded engine, shaped
 * like Finance and Operations, so every phase of a refresh has real work: business data to
 * carry (scaling with --rows), every not-copied element to scrub, users and batch jobs to
 * reconfigure, versions to check, and a sandbox customisation for SYNC to apply.
 */

export interface DemoEnvironment {
  name: string;
  type: 'production' | 'sandbox';
  database: string;
}

export interface DemoOptions {
  /** Directory the catalog lives in; database paths in it are relative to it. */
  home: string;
  /** Business rows in production (customers + vendors + ledger entries). */
  rows: number;
  catalogFile?: string;
  /** Replace existing demo databases. */
  force?: boolean;
  onProgress?: (message: string) => void;
}

export const DEMO_ESTATE_DIR = 'state/estate';

export const DEMO_VERSIONS = { applicationRelease: '10.0.41', platformUpdate: 65, financialReporting: '10.0.41.20017' };

export function demoCatalog() {
  return {
    $schema: './schemas/environments.schema.json',
    defaults: { minimumPlatformUpdate: 13, restorePointRetention: '7d' },
    environments: [
      {
        name: 'prod',
        type: 'production',
        engine: 'local',
        description: 'Demo production environment (live, WAL journal).',
        database: { path: `${DEMO_ESTATE_DIR}/prod.sqlite` },
      },
      {
        name: 'uat',
        type: 'sandbox',
        engine: 'local',
        description: 'Demo user acceptance testing sandbox, with a customisation that SYNC applies after a refresh.',
        database: { path: `${DEMO_ESTATE_DIR}/uat.sqlite` },
        administrator: { networkAlias: 'uat-admin@contoso.test', name: 'UAT environment administrator' },
        batchServers: ['UAT-BATCH-01', 'UAT-BATCH-02'],
        help: { url: 'https://help.uat.contoso.test/', lcsProjectId: '1234567' },
        mail: { smtpRelayServer: 'smtp.uat.contoso.test', smtpPort: 587, smtpUserName: 'uat-mailer', smtpRequireSsl: true },
        enableUsers: ['alice', 'bob'],
        resumeBatchJobs: ['Post ledger journals'],
        approvers: [],
      },
      {
        name: 'train',
        type: 'sandbox',
        engine: 'local',
        description: 'Demo training sandbox (the tutorial in the seeds).',
        database: { path: `${DEMO_ESTATE_DIR}/train.sqlite` },
        administrator: { networkAlias: 'train-admin@contoso.test', name: 'Training environment administrator' },
        batchServers: ['TRAIN-BATCH-01'],
        enableUsers: ['carol'],
        resumeBatchJobs: [],
        approvers: [],
      },
    ],
  };
}

/** A small deterministic generator, so two demo estates of the same size are identical. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Profile {
  name: string;
  type: 'production' | 'sandbox';
  label: string;
  businessRows: number;
  servers: string[];
  relay: string;
  smtpPassword: string;
  admin: string;
  helpUrl: string;
  customised: boolean;
  journal: 'wal' | 'delete';
  seed: number;
}

export function demoProfiles(rows: number): Profile[] {
  const sandboxRows = Math.max(1000, Math.round(rows / 10));
  return [
    {
      name: 'prod',
      type: 'production',
      label: 'Contoso',
      businessRows: rows,
      servers: ['PROD-AOS-01', 'PROD-AOS-02', 'PROD-BATCH-01'],
      relay: 'smtp.contoso.com',
      smtpPassword: 'demo-production-smtp-password',
      admin: 'admin@contoso.com',
      helpUrl: 'https://help.contoso.com/',
      customised: false,
      journal: 'wal',
      seed: 1,
    },
    {
      name: 'uat',
      type: 'sandbox',
      label: 'UAT',
      businessRows: sandboxRows,
      servers: ['UAT-BATCH-01', 'UAT-BATCH-02'],
      relay: 'smtp.uat.contoso.test',
      smtpPassword: 'demo-uat-smtp-password',
      admin: 'uat-admin@contoso.test',
      helpUrl: 'https://help.uat.contoso.test/',
      customised: true,
      journal: 'delete',
      seed: 2,
    },
    {
      name: 'train',
      type: 'sandbox',
      label: 'Training',
      businessRows: sandboxRows,
      servers: ['TRAIN-BATCH-01'],
      relay: '',
      smtpPassword: 'demo-train-smtp-password',
      admin: 'train-admin@contoso.test',
      helpUrl: '',
      customised: false,
      journal: 'delete',
      seed: 3,
    },
  ];
}

export class DemoExistsError extends DbmoveError {
  constructor(file: string) {
    super(
      'DemoExists',
      `${file} already exists. Run \`dbmove demo --fresh\` to recreate the demo estate (this replaces the three demo databases and their restore points).`,
    );
  }
}

export function createDemoEstate(options: DemoOptions): DemoEnvironment[] {
  const log = options.onProgress ?? (() => {});
  const catalogFile = options.catalogFile ?? path.join(options.home, 'environments.json');
  if (!fs.existsSync(catalogFile)) {
    fs.mkdirSync(path.dirname(catalogFile), { recursive: true });
    fs.writeFileSync(catalogFile, `${JSON.stringify(demoCatalog(), null, 2)}\n`);
    log(`Wrote the demo catalog ${catalogFile}`);
  }
  const estateDir = path.join(path.dirname(catalogFile), DEMO_ESTATE_DIR);
  const profiles = demoProfiles(options.rows);
  for (const p of profiles) {
    const file = path.join(estateDir, `${p.name}.sqlite`);
    if (fs.existsSync(file) && !options.force) throw new DemoExistsError(file);
  }
  fs.mkdirSync(estateDir, { recursive: true });
  return profiles.map((profile) => {
    const file = path.join(estateDir, `${profile.name}.sqlite`);
    for (const leftover of [file, `${file}-wal`, `${file}-shm`, `${file}-journal`]) fs.rmSync(leftover, { force: true });
    fs.rmSync(path.join(estateDir, '.dbmove', profile.name), { recursive: true, force: true });
    const started = performance.now();
    buildDatabase(file, profile);
    log(`${profile.name}: ${profile.businessRows.toLocaleString('en-US')} business rows in ${((performance.now() - started) / 1000).toFixed(1)} s (${file})`);
    return { name: profile.name, type: profile.type, database: file };
  });
}

function buildDatabase(file: string, p: Profile): void {
  const db = new Database(file);
  const rnd = random(p.seed);
  const pick = <T>(items: readonly T[]) => items[Math.floor(rnd() * items.length)];
  try {
    db.pragma('journal_mode = OFF');
    db.pragma('synchronous = OFF');
    db.exec('BEGIN');
    for (const ddl of Object.values(FO_TABLES)) db.exec(ddl);
    for (const ddl of FO_INDEXES) db.exec(ddl);
    if (p.customised) for (const ddl of UAT_CUSTOMISATION) db.exec(ddl);

    const vars = db.prepare('INSERT INTO SQLSYSTEMVARIABLES (PARM, VALUE) VALUES (?, ?)');
    for (const [parm, value] of [
      [FACT.applicationRelease, DEMO_VERSIONS.applicationRelease],
      [FACT.platformUpdate, String(DEMO_VERSIONS.platformUpdate)],
      [FACT.financialReporting, DEMO_VERSIONS.financialReporting],
      [FACT.environmentName, p.name],
      [FACT.environmentType, p.type],
      ['CONFIGURATIONMODE', '0'],
      ['SYSTABVERSION', '138'],
    ])
      vars.run(parm, value);

    // Business data: customers, vendors, ledger entries; two electronic addresses per party.
    const customers = Math.max(1, Math.floor(p.businessRows / 10));
    const vendors = Math.max(1, Math.floor(p.businessRows / 20));
    const ledger = Math.max(1, p.businessRows - customers - vendors);
    const party = db.prepare('INSERT INTO DirPartyTable (RECID, PARTYNUMBER, NAME) VALUES (?, ?, ?)');
    const cust = db.prepare('INSERT INTO CustTable (RECID, ACCOUNTNUM, DATAAREAID, PARTY, CUSTGROUP, CURRENCY, CREDITMAX) VALUES (?, ?, ?, ?, ?, ?, ?)');
    const vend = db.prepare('INSERT INTO VendTable (RECID, ACCOUNTNUM, DATAAREAID, PARTY, NAME, VENDGROUP, CURRENCY) VALUES (?, ?, ?, ?, ?, ?, ?)');
    const address = db.prepare('INSERT INTO LogisticsElectronicAddress (RECID, PARTY, TYPE, LOCATOR, DESCRIPTION, ISPRIMARY) VALUES (?, ?, ?, ?, ?, 1)');
    const companies = ['usmf', 'demf', 'gbsi'];
    let addressId = 1;
    const addAddresses = (partyId: number, handle: string) => {
      address.run(
        addressId++,
        partyId,
        ElectronicAddressType.Email,
        `${handle}@${p.name === 'prod' ? 'customer.example.com' : `${p.name}.example.com`}`,
        'Email',
      );
      address.run(addressId++, partyId, ElectronicAddressType.Phone, `+1 425 555 ${String(partyId % 10000).padStart(4, '0')}`, 'Phone');
    };
    for (let i = 1; i <= customers; i++) {
      const partyId = i;
      party.run(partyId, `P${String(partyId).padStart(9, '0')}`, `${p.label} customer ${i}`);
      cust.run(
        i,
        `C${String(i).padStart(9, '0')}`,
        companies[i % 3],
        partyId,
        pick(['10', '20', '30', 'INTERCO']),
        pick(['USD', 'EUR', 'GBP']),
        Math.round(rnd() * 100000),
      );
      addAddresses(partyId, `customer${i}`);
    }
    for (let i = 1; i <= vendors; i++) {
      const partyId = customers + i;
      party.run(partyId, `P${String(partyId).padStart(9, '0')}`, `${p.label} vendor ${i}`);
      vend.run(i, `V${String(i).padStart(9, '0')}`, companies[i % 3], partyId, `${p.label} vendor ${i}`, pick(['10', '20', '50']), pick(['USD', 'EUR']));
      addAddresses(partyId, `vendor${i}`);
    }
    const entry = db.prepare(
      'INSERT INTO GeneralJournalAccountEntry (RECID, GENERALJOURNALENTRY, LEDGERACCOUNT, TRANSACTIONCURRENCYCODE, TRANSACTIONCURRENCYAMOUNT, ACCOUNTINGCURRENCYAMOUNT, POSTINGTYPE, ISCREDIT, TEXT) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    const accounts = ['110110', '130100', '140200', '200110', '401100', '600150', '618160'];
    for (let i = 1; i <= ledger; i++) {
      const amount = Math.round(rnd() * 1000000) / 100;
      entry.run(i, Math.ceil(i / 4), pick(accounts), 'USD', amount, amount, pick([14, 41, 71, 236]), i % 2, `Voucher ${Math.ceil(i / 4)}`);
    }

    // Users: Admin, named people and a crowd.
    const user = db.prepare(
      'INSERT INTO UserInfo (RECID, ID, NAME, ENABLE, NETWORKALIAS, NETWORKDOMAIN, IDENTITYPROVIDER, SID, COMPANY, ACCOUNTTYPE) VALUES (?, ?, ?, 1, ?, ?, ?, ?, ?, ?)',
    );
    const domain = p.name === 'prod' ? 'contoso.com' : `${p.name}.contoso.test`;
    user.run(1, 'Admin', 'Admin', p.admin, 'https://sts.windows.net/', 'https://sts.windows.net/', `S-1-19-admin-${p.name}`, 'usmf', 0);
    const people = ['alice', 'bob', 'carol', 'dave', 'erin'];
    people.forEach((id, i) =>
      user.run(
        i + 2,
        id,
        id[0].toUpperCase() + id.slice(1),
        `${id}@${domain}`,
        'https://sts.windows.net/',
        'https://sts.windows.net/',
        `S-1-19-${id}`,
        'usmf',
        0,
      ),
    );
    for (let i = 1; i <= 40; i++)
      user.run(
        people.length + 1 + i,
        `user${String(i).padStart(3, '0')}`,
        `User ${i}`,
        `user${i}@${domain}`,
        'https://sts.windows.net/',
        'https://sts.windows.net/',
        `S-1-19-u${i}`,
        'usmf',
        0,
      );
    user.run(
      people.length + 42,
      'RetailServiceAccount',
      'Retail service account',
      `retail@${domain}`,
      'https://sts.windows.net/',
      'https://sts.windows.net/',
      'S-1-19-retail',
      'usmf',
      2,
    );

    // Batch jobs and tasks, including recurring data import/export jobs (DMF).
    const job = db.prepare('INSERT INTO BatchJob (RECID, CAPTION, STATUS, CLASSNAME, RECURRENCEDATA, COMPANY, ORIGSTARTDATETIME) VALUES (?, ?, ?, ?, ?, ?, ?)');
    const task = db.prepare('INSERT INTO Batch (RECID, BATCHJOBID, CAPTION, STATUS, GROUPID, CLASSNAME) VALUES (?, ?, ?, ?, ?, ?)');
    const running = p.type === 'production';
    const jobs: [string, number, string, string | null][] = [
      ['Post ledger journals', BatchStatus.Waiting, 'LedgerJournalPost', 'DAILY'],
      ['Customer aging snapshot', BatchStatus.Waiting, 'CustAgingSnapshot', 'WEEKLY'],
      ['Vendor payment proposal', BatchStatus.Finished, 'VendPaymProposal', null],
      ['Inventory close', BatchStatus.Error, 'InventClose', null],
      ['Workflow message processing', BatchStatus.Executing, 'WorkflowMessageQueue', 'MINUTE'],
      ['Email distributor batch', BatchStatus.Waiting, 'SysEmailDistributor', 'MINUTE'],
      ['DMF recurring import: Customers', running ? BatchStatus.Waiting : BatchStatus.Withhold, 'DMFBatchImporting', 'HOURLY'],
      ['DMF recurring export: Sales invoices', running ? BatchStatus.Executing : BatchStatus.Withhold, 'DMFBatchExporting', 'HOURLY'],
    ];
    jobs.forEach(([caption, status, className, recurrence], i) => {
      job.run(i + 1, caption, status, className, recurrence, 'usmf', '2026-11-01T02:00:00Z');
      task.run(2 * i + 1, i + 1, `${caption} (1)`, status, '', className);
      task.run(2 * i + 2, i + 1, `${caption} (2)`, status, 'FIN', className);
    });
    const group = db.prepare('INSERT INTO BatchGroup (RECID, GROUP_, DESCRIPTION) VALUES (?, ?, ?)');
    [
      ['', 'Empty batch group'],
      ['FIN', 'Finance'],
      ['DMF', 'Data management'],
    ].forEach(([g, d], i) => group.run(i + 1, g, d));

    // Batch history grows with the business.
    const history = Math.max(10, Math.floor(p.businessRows / 200));
    const jobHistory = db.prepare(
      'INSERT INTO BatchJobHistory (RECID, BATCHJOBID, CAPTION, STATUS, STARTDATETIME, ENDDATETIME, SERVERID) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    const taskHistory = db.prepare('INSERT INTO BatchHistory (RECID, BATCHJOBHISTORYID, BATCHID, STATUS, INFO) VALUES (?, ?, ?, ?, ?)');
    const constraintHistory = db.prepare('INSERT INTO BatchConstraintHistory (RECID, BATCHHISTORYID, DEPENDSONBATCHID, EXPECTEDSTATUS) VALUES (?, ?, ?, ?)');
    for (let i = 1; i <= history; i++) {
      const jobId = 1 + (i % jobs.length);
      jobHistory.run(
        i,
        jobId,
        jobs[jobId - 1][0],
        BatchStatus.Finished,
        '2026-10-01T02:00:00Z',
        '2026-10-01T02:05:00Z',
        `Batch:${p.servers[i % p.servers.length]}`,
      );
      taskHistory.run(2 * i - 1, i, 2 * jobId - 1, BatchStatus.Finished, `Ran on ${p.servers[i % p.servers.length]}`);
      taskHistory.run(2 * i, i, 2 * jobId, BatchStatus.Finished, null);
      constraintHistory.run(i, 2 * i, 2 * jobId - 1, BatchStatus.Finished);
    }

    // Environment-specific records.
    const serverConfig = db.prepare('INSERT INTO SysServerConfig (RECID, SERVERID, ENABLEBATCH) VALUES (?, ?, ?)');
    const sessions = db.prepare('INSERT INTO SysServerSessions (RECID, SERVERID, AOSID, STATUS, LASTUPDATEDATETIME) VALUES (?, ?, ?, 1, ?)');
    const batchConfig = db.prepare('INSERT INTO BatchServerConfig (RECID, SERVERID, MAXBATCHSESSIONS) VALUES (?, ?, ?)');
    const batchServerGroup = db.prepare('INSERT INTO BatchServerGroup (RECID, GROUPID, SERVERID) VALUES (?, ?, ?)');
    let bsg = 1;
    p.servers.forEach((server, i) => {
      serverConfig.run(i + 1, `01@${server}`, server.includes('BATCH') ? 1 : 0);
      sessions.run(i + 1, `01@${server}`, `${server}@8101`, '2026-11-22T08:00:00Z');
      batchConfig.run(i + 1, `Batch:${server}`, 8);
      for (const g of ['', 'FIN', 'DMF']) batchServerGroup.run(bsg++, g, `Batch:${server}`);
    });
    const clientSessions = db.prepare('INSERT INTO SysClientSessions (RECID, SESSIONID, USERID, SERVERID, STATUS, LOGINDATETIME) VALUES (?, ?, ?, ?, 1, ?)');
    for (let i = 1; i <= 25; i++) clientSessions.run(i, 1000 + i, pick(people), `01@${p.servers[0]}`, '2026-11-22T09:00:00Z');
    const printers = db.prepare('INSERT INTO SysCorpNetPrinters (RECID, PRINTERNAME, DESCRIPTION) VALUES (?, ?, ?)');
    for (let i = 1; i <= 5; i++) printers.run(i, `\\\\print-${p.name}\\floor${i}`, `Floor ${i} printer`);

    // Mail, print management, attachments, help.
    db.prepare('INSERT INTO SysEmailParameters (RECID, SMTPRELAYSERVERNAME, SMTPPORTNUMBER, SMTPUSERNAME, SMTPREQUIRESSL) VALUES (1, ?, 587, ?, 1)').run(
      p.relay,
      p.relay ? `${p.name}-mailer` : null,
    );
    db.prepare('INSERT INTO SysEmailSMTPPassword (RECID, PASSWORD) VALUES (1, ?)').run(p.smtpPassword);
    const printSettings = db.prepare('INSERT INTO PrintMgmtSettings (RECID, PARENTID, DESCRIPTION, PRINTJOBSETTINGS) VALUES (?, ?, ?, ?)');
    const printDocs = db.prepare('INSERT INTO PrintMgmtDocInstance (RECID, DOCUMENTTYPE, NAME) VALUES (?, ?, ?)');
    for (let i = 1; i <= 50; i++) {
      printDocs.run(i, i % 12, `Document ${i}`);
      printSettings.run(i, i, `Print to \\\\print-${p.name}\\floor${1 + (i % 5)}`, `printer=\\\\print-${p.name}\\floor${1 + (i % 5)};copies=1`);
    }
    const docu = db.prepare('INSERT INTO DocuValue (RECID, FILENAME, FILETYPE, STORAGEPROVIDERID, ACCESSINFORMATION, FILE) VALUES (?, ?, ?, 1, ?, ?)');
    const attachments = Math.max(5, Math.floor(p.businessRows / 1000));
    const blob = Buffer.alloc(1024, p.name);
    for (let i = 1; i <= attachments; i++)
      docu.run(i, `invoice-${i}.pdf`, 'pdf', `https://${p.name}docs.blob.core.windows.net/attachments/${i}?sig=demo`, blob);
    db.prepare('INSERT INTO SysHelpParameters (RECID, HELPSERVERURL, LCSPROJECTID) VALUES (1, ?, ?)').run(p.helpUrl, p.helpUrl ? '1234567' : null);
    if (p.customised)
      db.prepare("INSERT INTO ContosoIntegrationLog (RECID, MESSAGE, CREATEDDATETIME) VALUES (1, 'uat customisation deployed', '2026-11-01T00:00:00Z')").run();

    db.exec('COMMIT');
    db.pragma(`journal_mode = ${p.journal === 'wal' ? 'WAL' : 'DELETE'}`);
    db.pragma('synchronous = NORMAL');
  } finally {
    db.close();
  }
}
