import { DbmoveError } from '../common/errors';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import Database from 'better-sqlite3';
import { ENTRA_PROVIDER, demoUserSid } from '../demo/demo-sid';
import { writeIdentityRecord } from '../engines/local/identity-records';
import { BatchStatus, ElectronicAddressType, FO_INDEXES, FO_TABLES, UAT_CUSTOMISATION, UserAccountType } from './fo-schema';
import { demoApplication, DEMO_APP_PORTS } from './app-catalog';

/**
 * `dbmove demo`: a production environment and two sandboxes on the embedded engine, shaped
 * like Finance and Operations, so every phase of a refresh has real work: business data to
 * carry (scaling with --rows), every not-copied element to scrub (encrypted fields
 * included), users and batch jobs to reconfigure, versions to check (declared in the
 * catalog, as a deployment states them), a sandbox customisation for SYNC to apply, and an
 * application server per sandbox (demo/app-server.ts) for SWAP to stop and start.
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

/** The versions every demo environment's deployment declares (catalog `versions`). */
export const DEMO_VERSIONS = { applicationRelease: '10.0.41', platformUpdate: 65, financialReporting: '10.0.41.20017' };

/** The demo tenant (one tenant: Lifecycle Services refreshes only within a tenant). */
export const DEMO_TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';

export function demoCatalog() {
  const versions = { from: 'declared', ...DEMO_VERSIONS };
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
        versions,
      },
      {
        name: 'uat',
        type: 'sandbox',
        engine: 'local',
        description: 'Demo user acceptance testing sandbox, with a customisation that SYNC applies after a refresh, and an application server.',
        database: { path: `${DEMO_ESTATE_DIR}/uat.sqlite` },
        versions,
        administrator: { networkAlias: 'uat-admin@contoso.test', name: 'UAT environment administrator' },
        batchServers: ['UAT-BATCH-01', 'UAT-BATCH-02'],
        help: { url: 'https://help.uat.contoso.test/', lcsProjectId: '1234567' },
        mail: { smtpRelayServer: 'smtp.uat.contoso.test', smtpPort: 587, smtpUserName: 'uat-mailer', smtpRequireSsl: true },
        enableUsers: ['alice', 'bob'],
        resumeBatchJobs: ['Post ledger journals'],
        approvers: [],
        application: demoApplication(DEMO_APP_PORTS.uat),
      },
      {
        name: 'train',
        type: 'sandbox',
        engine: 'local',
        description: 'Demo training sandbox (the tutorial in the seeds), with an application server.',
        database: { path: `${DEMO_ESTATE_DIR}/train.sqlite` },
        versions,
        administrator: { networkAlias: 'train-admin@contoso.test', name: 'Training environment administrator' },
        batchServers: ['TRAIN-BATCH-01'],
        enableUsers: ['carol'],
        resumeBatchJobs: [],
        approvers: [],
        application: demoApplication(DEMO_APP_PORTS.train),
      },
    ],
  };
}

/**
 * mulberry32, a small deterministic generator: two demo estates of the same size are identical,
 * and a test that draws from it can be replayed from its seed.
 */
export function seededRandom(seed: number): () => number {
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
      customised: false,
      journal: 'delete',
      seed: 3,
    },
  ];
}

/**
 * What F&O stores in an encrypted field: the value encrypted with the environment's own key
 * (here AES-256-GCM under a key derived from the environment's name). Another environment
 * cannot read it, which is why a refresh clears these fields instead of carrying them.
 */
export function encryptForEnvironment(environment: string, plain: string): Buffer {
  const key = crypto.createHash('sha256').update(`dbmove demo encryption key of ${environment}`).digest();
  const iv = crypto.createHash('sha256').update(`${environment}:${plain}`).digest().subarray(0, 12);
  const cipher = crypto.createCipheriv('aes-256-gcm', key, iv);
  return Buffer.concat([iv, cipher.update(plain, 'utf8'), cipher.final(), cipher.getAuthTag()]);
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
    // Who each database is, in the local engine's identity record (never an F&O table).
    writeIdentityRecord(file, file, { environment: profile.name, type: profile.type, stampedAt: new Date().toISOString() });
    log(`${profile.name}: ${profile.businessRows.toLocaleString('en-US')} business rows in ${((performance.now() - started) / 1000).toFixed(1)} s (${file})`);
    return { name: profile.name, type: profile.type, database: file };
  });
}

/** Class ids of the demo's batch tasks (CLASSIDTABLE): environment-specific numbers, as in F&O. */
const CLASSES: [number, string][] = [
  [11234, 'LedgerJournalPost'],
  [11235, 'SysEmailDistributor'],
  [11236, 'SysWorkflowMessageQueueManager'],
  [11237, 'InventCostClosing'],
  [11238, 'SrsReportRunController'],
  [11239, 'DMFBatchImporting'],
  [11240, 'DMFBatchExporting'],
];

function buildDatabase(file: string, p: Profile): void {
  const db = new Database(file);
  const rnd = seededRandom(p.seed);
  const pick = <T>(items: readonly T[]) => items[Math.floor(rnd() * items.length)];
  try {
    db.pragma('journal_mode = OFF');
    db.pragma('synchronous = OFF');
    db.exec('BEGIN');
    for (const ddl of Object.values(FO_TABLES)) db.exec(ddl);
    for (const ddl of FO_INDEXES) db.exec(ddl);
    if (p.customised) for (const ddl of UAT_CUSTOMISATION) db.exec(ddl);

    // Kernel settings: the system table version and maintenance mode (off); no versions, no identity.
    const kernel = db.prepare('INSERT INTO SQLSYSTEMVARIABLES (PARM, VALUE) VALUES (?, ?)');
    kernel.run('SYSTABVERSION', 138);
    kernel.run('CONFIGURATIONMODE', 0);
    const classId = db.prepare('INSERT INTO CLASSIDTABLE (ID, NAME) VALUES (?, ?)');
    for (const [id, name] of CLASSES) classId.run(id, name);
    const global = db.prepare('INSERT INTO SYSGLOBALCONFIGURATION (NAME, VALUE) VALUES (?, ?)');
    global.run('BACKENDDB', 'SQLSERVER');
    global.run('TEMPTABLEINAXDB', '0');

    // The tenant and the plan this environment was provisioned with.
    db.prepare("INSERT INTO SYSSERVICECONFIGURATIONSETTING (NAME, VALUE) VALUES ('TENANTID', ?)").run(DEMO_TENANT);
    db.prepare('INSERT INTO POWERBICONFIG (TENANTID) VALUES (?)').run(DEMO_TENANT);
    db.prepare('INSERT INTO PROVISIONINGMESSAGETABLE (TENANTID, PLANID, PLANCAPABILITY) VALUES (?, ?, ?)').run(
      DEMO_TENANT,
      'f3f83a8d-7bd3-4c4b-9d2b-2f3b2c1a0e11',
      'FinanceAndOperations',
    );

    // Business data: customers, vendors, ledger entries; each party has a location with two electronic addresses.
    const customers = Math.max(1, Math.floor(p.businessRows / 10));
    const vendors = Math.max(1, Math.floor(p.businessRows / 20));
    const ledger = Math.max(1, p.businessRows - customers - vendors);
    const party = db.prepare('INSERT INTO DIRPARTYTABLE (RECID, PARTYNUMBER, NAME, PRIMARYCONTACTEMAIL) VALUES (?, ?, ?, ?)');
    const cust = db.prepare('INSERT INTO CUSTTABLE (RECID, ACCOUNTNUM, DATAAREAID, PARTY, CUSTGROUP, CURRENCY, CREDITMAX) VALUES (?, ?, ?, ?, ?, ?, ?)');
    const vend = db.prepare('INSERT INTO VENDTABLE (RECID, ACCOUNTNUM, DATAAREAID, PARTY, VENDGROUP, CURRENCY) VALUES (?, ?, ?, ?, ?, ?)');
    const location = db.prepare('INSERT INTO LOGISTICSLOCATION (RECID, LOCATIONID, DESCRIPTION) VALUES (?, ?, ?)');
    const partyLocation = db.prepare('INSERT INTO DIRPARTYLOCATION (RECID, PARTY, LOCATION, ISPRIMARY) VALUES (?, ?, ?, 1)');
    const address = db.prepare('INSERT INTO LOGISTICSELECTRONICADDRESS (RECID, LOCATION, TYPE, LOCATOR, DESCRIPTION, ISPRIMARY) VALUES (?, ?, ?, ?, ?, 1)');
    const companies = ['usmf', 'demf', 'gbsi'];
    let addressId = 1;
    const addParty = (partyId: number, name: string, handle: string) => {
      const email = addressId;
      party.run(partyId, `P${String(partyId).padStart(9, '0')}`, name, email);
      location.run(partyId, `L${String(partyId).padStart(9, '0')}`, `${name} contact`);
      partyLocation.run(partyId, partyId, partyId);
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
      addParty(i, `${p.label} customer ${i}`, `customer${i}`);
      cust.run(
        i,
        `C${String(i).padStart(9, '0')}`,
        companies[i % 3],
        i,
        pick(['10', '20', '30', 'INTERCO']),
        pick(['USD', 'EUR', 'GBP']),
        Math.round(rnd() * 100000),
      );
    }
    for (let i = 1; i <= vendors; i++) {
      const partyId = customers + i;
      addParty(partyId, `${p.label} vendor ${i}`, `vendor${i}`);
      vend.run(i, `V${String(i).padStart(9, '0')}`, companies[i % 3], partyId, pick(['10', '20', '50']), pick(['USD', 'EUR']));
    }
    const entry = db.prepare(
      'INSERT INTO GENERALJOURNALACCOUNTENTRY (RECID, GENERALJOURNALENTRY, LEDGERACCOUNT, TRANSACTIONCURRENCYCODE, TRANSACTIONCURRENCYAMOUNT, ACCOUNTINGCURRENCYAMOUNT, POSTINGTYPE, ISCREDIT, TEXT) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    const accounts = ['110110', '130100', '140200', '200110', '401100', '600150', '618160'];
    for (let i = 1; i <= ledger; i++) {
      const amount = Math.round(rnd() * 1000000) / 100;
      entry.run(i, Math.ceil(i / 4), pick(accounts), 'USD', amount, amount, pick([14, 41, 71, 236]), i % 2, `Voucher ${Math.ceil(i / 4)}`);
    }

    // Users signed in through Microsoft Entra ID. Their SIDs are the demo's stand-in for Microsoft's SidGenerator (demo/demo-sid.ts).
    const user = db.prepare(
      'INSERT INTO USERINFO (RECID, ID, NAME, ENABLE, NETWORKALIAS, NETWORKDOMAIN, IDENTITYPROVIDER, SID, OBJECTID, COMPANY, ACCOUNTTYPE, ISMICROSOFTACCOUNT) VALUES (?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    const objectId = (alias: string) =>
      crypto
        .createHash('md5')
        .update(`${p.name}:${alias}`)
        .digest('hex')
        .replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, '$1-$2-$3-$4-$5');
    const addUser = (recId: number, id: string, name: string, alias: string, microsoftAccount = 0) =>
      user.run(
        recId,
        id,
        name,
        alias,
        ENTRA_PROVIDER,
        ENTRA_PROVIDER,
        demoUserSid(alias, ENTRA_PROVIDER),
        objectId(alias),
        'usmf',
        UserAccountType.ClaimsUser,
        microsoftAccount,
      );
    const domain = p.name === 'prod' ? 'contoso.com' : `${p.name}.contoso.test`;
    addUser(1, 'Admin', 'Admin', p.admin);
    const people = ['alice', 'bob', 'carol', 'dave', 'erin'];
    people.forEach((id, i) => addUser(i + 2, id, id[0].toUpperCase() + id.slice(1), `${id}@${domain}`));
    for (let i = 1; i <= 40; i++) addUser(people.length + 1 + i, `user${String(i).padStart(3, '0')}`, `User ${i}`, `user${i}@${domain}`);
    // Microsoft's preconfigured system accounts ("Preconfigured system accounts", Microsoft Learn), flagged as such.
    addUser(people.length + 42, 'RetailServiceAccount', 'Retail service account', `retailserviceaccount@${domain}`, 1);
    addUser(people.length + 43, 'FRServiceUser', 'Financial Reporting service user', `frserviceuser@${domain}`, 1);

    // Batch jobs and their tasks: one in each status that matters, and recurring data import/export jobs (DMF).
    const job = db.prepare('INSERT INTO BATCHJOB (RECID, CAPTION, STATUS, RECURRENCEDATA, COMPANY, ORIGSTARTDATETIME) VALUES (?, ?, ?, ?, ?, ?)');
    const task = db.prepare('INSERT INTO BATCH (RECID, BATCHJOBID, CAPTION, STATUS, GROUPID, CLASSNUMBER, COMPANY) VALUES (?, ?, ?, ?, ?, ?, ?)');
    const classNumber = (name: string) => CLASSES.find(([, n]) => n === name)![0];
    const recurrence = (pattern: string) => Buffer.from(`recurrence:${pattern}`);
    const running = p.type === 'production';
    const jobs: [string, number, string, string | null][] = [
      ['Post ledger journals', BatchStatus.Waiting, 'LedgerJournalPost', 'DAILY'],
      ['Email distributor batch', BatchStatus.Waiting, 'SysEmailDistributor', 'MINUTE'],
      ['Workflow message processing', BatchStatus.Executing, 'SysWorkflowMessageQueueManager', 'MINUTE'],
      ['Inventory close', BatchStatus.Error, 'InventCostClosing', null],
      ['Vendor payment journal posting', BatchStatus.Finished, 'LedgerJournalPost', null],
      ['Month-end reports', BatchStatus.Ready, 'SrsReportRunController', null],
      ['Cancelled journal posting', BatchStatus.Cancelling, 'LedgerJournalPost', null],
      ['Quarterly report', BatchStatus.Scheduled, 'SrsReportRunController', 'QUARTERLY'],
      ['Old report run', BatchStatus.Canceled, 'SrsReportRunController', null],
      ['DMF recurring import: Customers', running ? BatchStatus.Waiting : BatchStatus.Withhold, 'DMFBatchImporting', 'HOURLY'],
      ['DMF recurring export: Sales invoices', running ? BatchStatus.Executing : BatchStatus.Withhold, 'DMFBatchExporting', 'HOURLY'],
    ];
    jobs.forEach(([caption, status, className, pattern], i) => {
      job.run(i + 1, caption, status, pattern ? recurrence(pattern) : null, 'usmf', '2026-11-01T02:00:00Z');
      task.run(2 * i + 1, i + 1, `${caption} (1)`, status, '', classNumber(className), 'usmf');
      task.run(2 * i + 2, i + 1, `${caption} (2)`, status, 'FIN', classNumber(className), 'usmf');
    });
    const group = db.prepare('INSERT INTO BATCHGROUP (RECID, GROUP_, DESCRIPTION) VALUES (?, ?, ?)');
    [
      ['', 'Empty batch group'],
      ['FIN', 'Finance'],
      ['DMF', 'Data management'],
    ].forEach(([g, d], i) => group.run(i + 1, g, d));

    // Batch history grows with the business.
    const history = Math.max(10, Math.floor(p.businessRows / 200));
    const jobHistory = db.prepare(
      'INSERT INTO BATCHJOBHISTORY (RECID, BATCHJOBID, CAPTION, STATUS, STARTDATETIME, ENDDATETIME, SERVERID) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    const taskHistory = db.prepare('INSERT INTO BATCHHISTORY (RECID, BATCHJOBHISTORYID, BATCHID, STATUS, INFO) VALUES (?, ?, ?, ?, ?)');
    const constraintHistory = db.prepare('INSERT INTO BATCHCONSTRAINTHISTORY (RECID, BATCHHISTORYID, DEPENDSONBATCHID, EXPECTEDSTATUS) VALUES (?, ?, ?, ?)');
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
    const serverConfig = db.prepare('INSERT INTO SYSSERVERCONFIG (RECID, SERVERID, ENABLEBATCH) VALUES (?, ?, ?)');
    const sessions = db.prepare('INSERT INTO SYSSERVERSESSIONS (RECID, SERVERID, AOSID, STATUS, LASTUPDATEDATETIME) VALUES (?, ?, ?, 1, ?)');
    const batchConfig = db.prepare('INSERT INTO BATCHSERVERCONFIG (RECID, SERVERID, MAXBATCHSESSIONS) VALUES (?, ?, ?)');
    const batchServerGroup = db.prepare('INSERT INTO BATCHSERVERGROUP (RECID, GROUPID, SERVERID) VALUES (?, ?, ?)');
    let bsg = 1;
    p.servers.forEach((server, i) => {
      serverConfig.run(i + 1, `01@${server}`, server.includes('BATCH') ? 1 : 0);
      sessions.run(i + 1, `01@${server}`, `${server}@8101`, '2026-11-22T08:00:00Z');
      batchConfig.run(i + 1, `Batch:${server}`, 8);
      for (const g of ['', 'FIN', 'DMF']) batchServerGroup.run(bsg++, g, `Batch:${server}`);
    });
    const clientSessions = db.prepare('INSERT INTO SYSCLIENTSESSIONS (RECID, SESSIONID, USERID, SERVERID, STATUS, LOGINDATETIME) VALUES (?, ?, ?, ?, 1, ?)');
    for (let i = 1; i <= 25; i++) clientSessions.run(i, 1000 + i, pick(people), `01@${p.servers[0]}`, '2026-11-22T09:00:00Z');
    const printers = db.prepare('INSERT INTO SYSCORPNETPRINTERS (RECID, PRINTERNAME, DESCRIPTION) VALUES (?, ?, ?)');
    for (let i = 1; i <= 5; i++) printers.run(i, `\\\\print-${p.name}\\floor${i}`, `Floor ${i} printer`);

    // Mail (the non-interactive mailer on Exchange, as production may have it), print management, attachments.
    db.prepare(
      "INSERT INTO SYSEMAILPARAMETERS (RECID, SMTPRELAYSERVERNAME, SMTPPORTNUMBER, SMTPUSERNAME, SMTPREQUIRESSL, MAILERNONINTERACTIVE) VALUES (1, ?, 587, ?, 1, 'Exchange')",
    ).run(p.relay, p.relay ? `${p.name}-mailer` : '');
    db.prepare('INSERT INTO SYSEMAILSMTPPASSWORD (RECID, PASSWORD) VALUES (1, ?)').run(encryptForEnvironment(p.name, p.smtpPassword));
    const printSettings = db.prepare('INSERT INTO PRINTMGMTSETTINGS (RECID, PARENTID, DESCRIPTION, PRINTJOBSETTINGS) VALUES (?, ?, ?, ?)');
    const printDocs = db.prepare('INSERT INTO PRINTMGMTDOCINSTANCE (RECID, DOCUMENTTYPE, NAME) VALUES (?, ?, ?)');
    for (let i = 1; i <= 50; i++) {
      printDocs.run(i, i % 12, `Document ${i}`);
      printSettings.run(i, i, `Print to \\\\print-${p.name}\\floor${1 + (i % 5)}`, Buffer.from(`printer=\\\\print-${p.name}\\floor${1 + (i % 5)};copies=1`));
    }
    const docu = db.prepare('INSERT INTO DOCUVALUE (RECID, FILENAME, FILETYPE, STORAGEPROVIDERID, ACCESSINFORMATION, FILE) VALUES (?, ?, ?, 1, ?, ?)');
    const attachments = Math.max(5, Math.floor(p.businessRows / 1000));
    const blob = Buffer.alloc(1024, p.name);
    for (let i = 1; i <= attachments; i++)
      docu.run(i, `invoice-${i}.pdf`, 'pdf', `https://${p.name}docs.blob.core.windows.net/attachments/${i}?sig=demo`, blob);

    // Encrypted fields: values only this environment's key can read.
    const hardware = db.prepare('INSERT INTO RETAILHARDWAREPROFILE (RECID, PROFILEID, NAME, SECUREMERCHANTPROPERTIES) VALUES (?, ?, ?, ?)');
    for (let i = 1; i <= 3; i++) hardware.run(i, `HW${i}`, `Store ${i} hardware`, encryptForEnvironment(p.name, `merchant-account-${p.name}-${i}`));
    db.prepare('INSERT INTO CREDITCARDACCOUNTSETUP (RECID, NAME, SECUREMERCHANTPROPERTIES) VALUES (1, ?, ?)').run(
      'Payment connector',
      encryptForEnvironment(p.name, `payment-connector-${p.name}`),
    );
    const rates = db.prepare('INSERT INTO EXCHANGERATEPROVIDERCONFIGURATIONDETAILS (RECID, NAME, VALUE) VALUES (?, ?, ?)');
    rates.run(1, 'ServiceUrl key', encryptForEnvironment(p.name, `rates-key-${p.name}`));
    rates.run(2, 'Subscription', encryptForEnvironment(p.name, `rates-subscription-${p.name}`));
    const tokens = db.prepare('INSERT INTO SYSOAUTHUSERTOKENS (RECID, USERID, ENCRYPTEDACCESSTOKEN, ENCRYPTEDREFRESHTOKEN) VALUES (?, ?, ?, ?)');
    tokens.run(1, 'alice', encryptForEnvironment(p.name, `access-alice-${p.name}`), encryptForEnvironment(p.name, `refresh-alice-${p.name}`));
    tokens.run(2, 'bob', encryptForEnvironment(p.name, `access-bob-${p.name}`), encryptForEnvironment(p.name, `refresh-bob-${p.name}`));

    if (p.customised)
      db.prepare("INSERT INTO CONTOSOINTEGRATIONLOG (RECID, MESSAGE, CREATEDDATETIME) VALUES (1, 'uat customisation deployed', '2026-11-01T00:00:00Z')").run();

    db.exec('COMMIT');
    db.pragma(`journal_mode = ${p.journal === 'wal' ? 'WAL' : 'DELETE'}`);
    db.pragma('synchronous = NORMAL');
  } finally {
    db.close();
  }
}
