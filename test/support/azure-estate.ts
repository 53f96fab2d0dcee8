import { AzureSqlEngine, AzureSqlEngineOptions } from '../../engines/azure-sql/azure-sql-engine';
import type { EngineContext } from '../../engines/port';
import { parseCatalog, type AzureSqlEnvironment } from '../../config/catalog';
import { DEMO_TENANT, DEMO_VERSIONS } from '../../demo/estate';
import { ENTRA_PROVIDER, demoUserSid } from '../../demo/demo-sid';
import { FakeArm } from './fake-arm';
import { foTsqlSchema } from './fo-tsql';
import { loopbackManagementClient } from './loopback-arm-client';
import { FakeContent, RecordingDataPlane } from './recording-tsql';

/**
 * An estate of Azure SQL environments answered by the loopback ARM server (control plane)
 * and the recording data plane: both MOCKS, because no Azure can be reached here.
 * Environment names are unique to these tests (their leases never meet other tests').
 */
export const SUBSCRIPTION = '00000000-1111-2222-3333-444444444444';
export const RESOURCE_GROUP = 'rg-dbmove-test';
export const PROD_SERVER = 'contoso-prod-sql';
export const UAT_SERVER = 'contoso-uat-sql';

export function azureEnvironments(names = { prod: 'azprod', uat: 'azuat' }) {
  const database = (server: string, db: string) => ({ subscriptionId: SUBSCRIPTION, resourceGroup: RESOURCE_GROUP, server, database: db });
  const versions = { from: 'declared', ...DEMO_VERSIONS };
  return [
    { name: names.prod, type: 'production', engine: 'azure-sql', database: database(PROD_SERVER, 'AxDB'), versions },
    {
      name: names.uat,
      type: 'sandbox',
      engine: 'azure-sql',
      database: {
        ...database(UAT_SERVER, 'AxDB'),
        serviceObjective: 'S1',
        importExport: {
          storageKeyType: 'StorageAccessKey',
          storageKeyEnv: 'TEST_STORAGE_KEY',
          administratorLogin: 'dbmoveadmin',
          administratorPasswordEnv: 'TEST_SQL_ADMIN_PASSWORD',
        },
        users: [
          { name: 'axdbadmin', passwordEnv: 'TEST_AXDBADMIN_PASSWORD' },
          { name: 'axruntimeuser', passwordEnv: 'TEST_AXRUNTIMEUSER_PASSWORD' },
          { name: 'axmrruntimeuser', passwordEnv: 'TEST_AXMRRUNTIMEUSER_PASSWORD' },
        ],
      },
      versions,
      administrator: { networkAlias: 'uat-admin@contoso.test', name: 'UAT environment administrator' },
      batchServers: ['UAT-BATCH-01'],
      mail: { smtpRelayServer: 'smtp.uat.contoso.test', smtpPort: 587 },
      enableUsers: ['alice'],
      resumeBatchJobs: ['Post ledger journals'],
    },
  ];
}

export function environment(name: string, environments: unknown[] = azureEnvironments()): AzureSqlEnvironment {
  const catalog = parseCatalog({ environments }, '/virtual/environments.json');
  const found = catalog.environments.find((e) => e.name === name);
  if (found?.engine !== 'azure-sql') throw new Error(`No Azure SQL environment ${name} in the test catalog`);
  return found;
}

/** Database users of an F&O database on Azure SQL, as its deployment creates them. */
export const FO_DATABASE_USERS = ['axdbadmin', 'axruntimeuser', 'axmrruntimeuser', 'axretailruntimeuser', 'axretaildatasyncuser', 'axdeployextuser'];

export function foContent(environment: string, _type: 'production' | 'sandbox', customisation = false): FakeContent {
  const admin = environment.includes('prod') ? 'admin@contoso.com' : 'uat-admin@contoso.test';
  return {
    kernel: { SYSTABVERSION: 138, CONFIGURATIONMODE: 0 },
    admin: {
      networkAlias: admin,
      name: 'Admin',
      networkDomain: ENTRA_PROVIDER,
      identityProvider: ENTRA_PROVIDER,
      sid: demoUserSid(admin, ENTRA_PROVIDER),
      objectId: '00000000-0000-0000-0000-000000000001',
      enable: 1,
    },
    tenantId: DEMO_TENANT,
    databaseUsers: ['dbo', ...FO_DATABASE_USERS],
    roles: { db_owner: [], db_datareader: [], db_datawriter: [], ReportingIntegrationUser: [], UsersRole: [], ReportUsersRole: [] },
    changeTracked: ['CUSTTABLE', 'VENDTABLE'],
    changeTrackingOn: true,
    properties: {},
    schema: foTsqlSchema({ customisation }),
    referenced: ['BATCHJOBHISTORY'],
    enabledUsers: ['Admin', 'alice'],
    batchGroups: ['DEFAULT', 'FINANCE'],
  };
}

export interface AzureFake {
  arm: FakeArm;
  plane: RecordingDataPlane;
  engine(options?: AzureSqlEngineOptions): AzureSqlEngine;
  stop(): Promise<void>;
}

export async function startAzureFake(names = { prod: 'azprod', uat: 'azuat' }): Promise<AzureFake> {
  const arm = new FakeArm({ subscriptionId: SUBSCRIPTION, resourceGroup: RESOURCE_GROUP, pollsBeforeDone: 2 });
  await arm.start();
  arm.addDatabase(PROD_SERVER, 'AxDB', foContent(names.prod, 'production'));
  arm.addDatabase(UAT_SERVER, 'AxDB', foContent(names.uat, 'sandbox', true));
  const plane = new RecordingDataPlane((target) => {
    // Connections go to the host ARM gives for the server (its fullyQualifiedDomainName).
    const server = arm.serverOfHost(target.host);
    const db = server ? arm.database(server, target.database) : undefined;
    if (db && (db.status === 'Paused' || db.status === 'AutoClosed')) {
      // A login is what resumes a paused serverless database; Azure refuses logins until it is back.
      db.status = 'Resuming';
      throw new Error(
        `Database '${target.database}' on server '${target.host}' is not currently available. Please retry the connection later. (mock of error 40613)`,
      );
    }
    return db?.status === 'Online' ? (db.content as FakeContent) : undefined;
  });
  return {
    arm,
    plane,
    engine: (options = {}) =>
      new AzureSqlEngine({
        managementClient: loopbackManagementClient(arm),
        connections: plane.connections,
        pollIntervalMs: 5,
        secret: () => undefined,
        ...options,
      }),
    stop: () => arm.stop(),
  };
}

export interface TestContext extends EngineContext {
  saved: unknown[];
  progressed: { percent: number; detail?: string }[];
  logs: string[];
  controller: AbortController;
}

/**
 * The engine context an activity lends, without Temporal: progress and saved state are kept
 * for assertions. `dieAfterSaves` aborts the attempt after that many saves, the way a worker
 * crash or a heartbeat timeout ends an attempt in the middle of a long-running operation.
 */
export function testContext(options: { resumeState?: unknown; dieAfterSaves?: number } = {}): TestContext {
  const controller = new AbortController();
  const ctx: TestContext = {
    saved: [],
    progressed: [],
    logs: [],
    controller,
    resumeState: options.resumeState,
    signal: controller.signal,
    progress: (percent, detail) => ctx.progressed.push({ percent, detail }),
    saveResumeState: (state) => {
      ctx.saved.push(JSON.parse(JSON.stringify(state)));
      if (options.dieAfterSaves !== undefined && ctx.saved.length >= options.dieAfterSaves)
        controller.abort(new Error('attempt died (simulated worker crash)'));
    },
    log: (message) => ctx.logs.push(message),
  };
  return ctx;
}
