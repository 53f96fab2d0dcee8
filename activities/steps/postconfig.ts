import { DbmoveError } from '../../common/errors';
import type { EnvironmentConfig } from '../../config/catalog';
import type { StepOutcome } from '../../workflows/types';
import { ActivityDeps, elapsed, runStepActivity } from '../runtime';
import type { DataSession } from '../../engines/port';
import { findTable, type SchemaDefinition } from '../../engines/schema';
import type { Allowances } from '../policy/apply-policy';
import type { Condition } from '../policy/scrub-policy';
import { withSession } from '../sessions';
import { recVersionAssignment } from '../fo/recversion';
import { principalsToCreate } from '../fo/database-users';
import { KERNEL, readAdmin, readTenant, type AdminAccount } from '../fo/target-settings';

/**
 * POSTCONFIG puts back what belongs to the target environment rather than to the data
 * (seeds: Environment administrator; tutorial: Reconfigure environment specific settings;
 * d365fo.tools set-bacpacvaluesazure.sql, disable-maintenancemode.sql, enable-user.sql):
 *
 * - Admin becomes the target's environment administrator, with the SID F&O derives from the
 *   sign-in name and provider (see `adminTarget`);
 * - the target's batch servers join its batch groups;
 * - mail: the target's relay, and the non-interactive mailer on SMTP (the Exchange provider
 *   can still send from a refreshed sandbox); the SMTP password is never written, because F&O
 *   encrypts it with the environment's own key: the sign-off checklist says to re-enter it;
 * - maintenance mode off (SQLSYSTEMVARIABLES CONFIGURATIONMODE = 0);
 * - the tenant: the target's own in SYSSERVICECONFIGURATIONSETTING, POWERBICONFIG and
 *   PROVISIONINGMESSAGETABLE (with its plan), read from the target's live database before it
 *   is replaced, or from the catalog;
 * - the users and batch jobs the catalog lists;
 * - on the T-SQL engines, the target's own database users (engine.principals).
 *
 * Every row it updates gets RECVERSION bumped.
 */

const WAITING = 1;

/** Batch jobs listed by caption (text) or RecId (number). */
function jobCondition(jobs: (string | number)[]): Condition {
  const captions = jobs.filter((j): j is string => typeof j === 'string');
  const ids = jobs.filter((j): j is number => typeof j === 'number');
  return { any: [...(captions.length ? [{ column: 'CAPTION', in: captions }] : []), ...(ids.length ? [{ column: 'RECID', in: ids }] : [])] };
}

/** Users listed by id or network alias. */
function userCondition(users: string[]): Condition {
  return {
    any: [
      { column: 'ID', in: users },
      { column: 'NETWORKALIAS', in: users },
    ],
  };
}

export const batchServerId = (server: string) => `Batch:${server}`;

/**
 * What POSTCONFIG legitimately puts back, per scrub element: VERIFY must not count these
 * rows as leftovers from the source.
 */
export function postConfigAllowances(env: EnvironmentConfig): Allowances {
  const servers = env.batchServers.map(batchServerId);
  return {
    'disable-users': env.enableUsers.length ? { USERINFO: userCondition(env.enableUsers) } : undefined,
    'withhold-batch-jobs': env.resumeBatchJobs.length
      ? { BATCHJOB: { all: [jobCondition(env.resumeBatchJobs), { column: 'STATUS', equals: WAITING }] } }
      : undefined,
    'smtp-relay-server': env.mail ? { SYSEMAILPARAMETERS: { column: 'SMTPRELAYSERVERNAME', equals: env.mail.smtpRelayServer } } : undefined,
    'environment-specific-records': servers.length
      ? { BATCHSERVERCONFIG: { column: 'SERVERID', in: servers }, BATCHSERVERGROUP: { column: 'SERVERID', in: servers } }
      : undefined,
  };
}

/** The account Admin must have after POSTCONFIG, and where its SID came from. */
export interface AdminTarget extends AdminAccount {
  sidFrom: string;
}

/** Why Admin's SID cannot be known, and how to fix it (PRECHECK and POSTCONFIG say the same). */
export function administratorSidProblem(env: EnvironmentConfig, liveAdmin: AdminAccount | undefined): string {
  return (
    `${env.name}'s environment administrator ${env.administrator?.networkAlias} is not the Admin its database holds now (${liveAdmin?.networkAlias || 'none'}), ` +
    `and F&O derives a user's SID with Microsoft's SidGenerator, which dbmove does not imitate. Fix: set ${env.name}.administrator.sid in the catalog ` +
    `(the SID F&O gave that sign-in: d365fo.tools Get-D365User on the target, or the Admin user provisioning tool), or make the administrator the target's current Admin`
  );
}

/** True when the live Admin is the administrator's own sign-in and carries F&O's SID for it. */
export function isAdministratorsOwnAdmin(
  liveAdmin: AdminAccount | undefined,
  administrator: { networkAlias: string; identityProvider: string },
): liveAdmin is AdminAccount {
  return (
    !!liveAdmin &&
    liveAdmin.networkAlias.toLowerCase() === administrator.networkAlias.toLowerCase() &&
    liveAdmin.identityProvider.toLowerCase() === administrator.identityProvider.toLowerCase() &&
    liveAdmin.sid !== ''
  );
}

/**
 * Admin's account on the target: the catalog's environment administrator, else the target's
 * own Admin as its live database holds it (what Lifecycle Services resets Admin to). The SID:
 * the catalog's, when pinned; else F&O's own, from the target's live Admin, when it is the same
 * sign-in. F&O derives a SID with Microsoft's SidGenerator, which dbmove cannot run and does not
 * imitate: with neither, PRECHECK refuses (the `administrator-sid` check).
 */
export function adminTarget(env: EnvironmentConfig, liveAdmin: AdminAccount | undefined): AdminTarget | undefined {
  const a = env.administrator;
  if (!a) return liveAdmin ? { ...liveAdmin, sidFrom: `${env.name}'s own Admin before the refresh` } : undefined;
  const same = isAdministratorsOwnAdmin(liveAdmin, a);
  const account = {
    networkAlias: a.networkAlias,
    name: a.name ?? 'Admin',
    networkDomain: a.networkDomain,
    identityProvider: a.identityProvider,
    objectId: same ? liveAdmin.objectId : '',
  };
  if (a.sid) return { ...account, sid: a.sid, sidFrom: 'the catalog (administrator.sid)' };
  if (same) return { ...account, sid: liveAdmin.sid, sidFrom: `F&O's own, from ${env.name}'s Admin before the refresh` };
  throw new DbmoveError('ConfigError', administratorSidProblem(env, liveAdmin));
}

export interface PostConfigResult {
  rows: number;
  notes: string[];
  checklist: string[];
}

export async function postConfigure(session: DataSession, env: EnvironmentConfig, live: DataSession): Promise<PostConfigResult> {
  const d = session.dialect;
  const q = (name: string) => d.quote(name);
  const p = (i: number) => d.param(i);
  const notes: string[] = [];
  const checklist: string[] = [];
  const schema: SchemaDefinition = await session.introspect();
  const has = (table: string) => findTable(schema, table) !== undefined;
  const bump = (table: string) => recVersionAssignment(d, schema, table);
  // Each update touches only rows that do not hold the target's value yet: a repeated POSTCONFIG
  // (Temporal runs activities at least once) changes nothing, RECVERSION included.
  const differs = (column: string, param: string) => `(${q(column)} IS NULL OR ${q(column)} <> ${param})`;
  let rows = 0;

  // Environment administrator: Admin becomes the target's own account.
  const admin = adminTarget(env, await readAdmin(live));
  if (admin) {
    const changed = await session.execute(
      `UPDATE ${q('USERINFO')} SET ${q('NETWORKALIAS')} = ${p(0)}, ${q('NAME')} = ${p(1)}, ${q('NETWORKDOMAIN')} = ${p(2)}, ${q('IDENTITYPROVIDER')} = ${p(3)}, ${q('SID')} = ${p(4)}, ${q('OBJECTID')} = ${p(5)}, ${q('ENABLE')} = 1${bump('USERINFO')} WHERE ${d.equalsIgnoreCase(q('ID'), p(6))} AND (${[
        differs('NETWORKALIAS', p(7)),
        differs('NAME', p(8)),
        differs('NETWORKDOMAIN', p(9)),
        differs('IDENTITYPROVIDER', p(10)),
        differs('SID', p(11)),
        differs('OBJECTID', p(12)),
        differs('ENABLE', '1'),
      ].join(' OR ')})`,
      [
        ...[admin.networkAlias, admin.name, admin.networkDomain, admin.identityProvider, admin.sid, admin.objectId, 'Admin'],
        ...[admin.networkAlias, admin.name, admin.networkDomain, admin.identityProvider, admin.sid, admin.objectId],
      ],
    );
    rows += changed;
    notes.push(`Admin is ${env.name}'s environment administrator ${admin.networkAlias} (SID ${admin.sidFrom})${changed ? '' : ', as it already was'}`);
  } else {
    notes.push(`Admin kept as copied: ${env.name} has no administrator in the catalog and no Admin of its own`);
  }

  // Batch servers: the target's own, in every batch group.
  if (env.batchServers.length) {
    const servers = env.batchServers.map(batchServerId);
    const placeholders = servers.map((_, i) => p(i)).join(', ');
    rows += await session.execute(`DELETE FROM ${q('BATCHSERVERCONFIG')} WHERE ${q('SERVERID')} IN (${placeholders})`, servers);
    rows += await session.execute(`DELETE FROM ${q('BATCHSERVERGROUP')} WHERE ${q('SERVERID')} IN (${placeholders})`, servers);
    const groups = (await session.query<{ g: string }>(`SELECT ${q('GROUP_')} AS g FROM ${q('BATCHGROUP')}`)).map((r) => r.g);
    for (const server of servers) {
      rows += await session.execute(`INSERT INTO ${q('BATCHSERVERCONFIG')} (${q('SERVERID')}, ${q('MAXBATCHSESSIONS')}) VALUES (${p(0)}, 8)`, [server]);
      for (const group of groups)
        rows += await session.execute(`INSERT INTO ${q('BATCHSERVERGROUP')} (${q('GROUPID')}, ${q('SERVERID')}) VALUES (${p(0)}, ${p(1)})`, [group, server]);
    }
    notes.push(`Batch servers ${env.batchServers.join(', ')} added to ${groups.length} batch groups`);
  } else {
    notes.push(`${env.name} lists no batch servers; batch groups stay empty`);
  }

  // Help and task guides: reconnected in the client (seeds' tutorial), never by a write here.
  if (env.help) {
    checklist.push(
      `Reconnect help and task guides: System administration > Setup > System parameters, Help tab, Lifecycle Services help configuration${env.help.lcsProjectId ? ` (LCS project ${env.help.lcsProjectId})` : ''}; help site ${env.help.url}`,
    );
  }

  // Mail: the target's relay; the non-interactive mailer on SMTP whatever the catalog says.
  if (has('SYSEMAILPARAMETERS')) {
    if (env.mail) {
      const m = env.mail;
      const values = [m.smtpRelayServer, m.smtpPort, m.smtpUserName ?? '', m.smtpRequireSsl ? 1 : 0, 'SMTP'];
      rows += await session.execute(
        `UPDATE ${q('SYSEMAILPARAMETERS')} SET ${q('SMTPRELAYSERVERNAME')} = ${p(0)}, ${q('SMTPPORTNUMBER')} = ${p(1)}, ${q('SMTPUSERNAME')} = ${p(2)}, ${q('SMTPREQUIRESSL')} = ${p(3)}, ${q('MAILERNONINTERACTIVE')} = ${p(4)}${bump('SYSEMAILPARAMETERS')} WHERE ${[
          differs('SMTPRELAYSERVERNAME', p(5)),
          differs('SMTPPORTNUMBER', p(6)),
          differs('SMTPUSERNAME', p(7)),
          differs('SMTPREQUIRESSL', p(8)),
          differs('MAILERNONINTERACTIVE', p(9)),
        ].join(' OR ')}`,
        [...values, ...values],
      );
      notes.push(`Mail restored to ${m.smtpRelayServer}:${m.smtpPort}, non-interactive mailer SMTP; the SMTP password stays empty until it is re-entered`);
      checklist.push(
        `Re-enter the SMTP password${m.smtpUserName ? ` of ${m.smtpUserName}` : ''} for ${m.smtpRelayServer}: System administration > Setup > Email > Email parameters, SMTP settings (F&O encrypts it with ${env.name}'s own key; dbmove never writes it)`,
      );
    } else {
      rows += await session.execute(
        `UPDATE ${q('SYSEMAILPARAMETERS')} SET ${q('MAILERNONINTERACTIVE')} = ${p(0)}${bump('SYSEMAILPARAMETERS')} WHERE ${q('MAILERNONINTERACTIVE')} <> ${p(1)}`,
        ['SMTP', 'SMTP'],
      );
      notes.push(`Mail stays disabled on ${env.name} (no mail settings in the catalog); the non-interactive mailer is SMTP with no relay`);
    }
  }

  // Maintenance mode off (disable-maintenancemode.sql): a refreshed environment opens for its users.
  if (has(KERNEL.table)) {
    const changed = await session.execute(`UPDATE ${q(KERNEL.table)} SET ${q('VALUE')} = 0 WHERE ${q('PARM')} = ${p(0)} AND ${q('VALUE')} <> 0`, [
      KERNEL.maintenanceMode,
    ]);
    rows += changed;
    notes.push(changed ? 'Maintenance mode switched off (CONFIGURATIONMODE = 0)' : 'Maintenance mode already off');
  }

  // The tenant: the target's own, as set-bacpacvaluesazure.sql writes it back after an import.
  const tenant = await readTenant(live);
  const tenantId = env.tenant?.id ?? tenant.tenantId;
  if (tenantId) {
    let changed = 0;
    if (has('SYSSERVICECONFIGURATIONSETTING'))
      changed += await session.execute(
        `UPDATE ${q('SYSSERVICECONFIGURATIONSETTING')} SET ${q('VALUE')} = ${p(0)}${bump('SYSSERVICECONFIGURATIONSETTING')} WHERE ${q('NAME')} = ${p(1)} AND ${differs('VALUE', p(2))}`,
        [tenantId, 'TENANTID', tenantId],
      );
    if (has('POWERBICONFIG'))
      changed += await session.execute(
        `UPDATE ${q('POWERBICONFIG')} SET ${q('TENANTID')} = ${p(0)}${bump('POWERBICONFIG')} WHERE ${differs('TENANTID', p(1))}`,
        [tenantId, tenantId],
      );
    if (has('PROVISIONINGMESSAGETABLE')) {
      const plan = [tenantId, tenant.planId ?? '', tenant.planCapability ?? ''];
      changed += await session.execute(
        `UPDATE ${q('PROVISIONINGMESSAGETABLE')} SET ${q('TENANTID')} = ${p(0)}, ${q('PLANID')} = ${p(1)}, ${q('PLANCAPABILITY')} = ${p(2)}${bump('PROVISIONINGMESSAGETABLE')} WHERE ${[
          differs('TENANTID', p(3)),
          differs('PLANID', p(4)),
          differs('PLANCAPABILITY', p(5)),
        ].join(' OR ')}`,
        [...plan, ...plan],
      );
    }
    rows += changed;
    notes.push(
      `Tenant is ${env.name}'s ${tenantId} (${env.tenant ? 'from the catalog' : `read from ${env.name} before the refresh`}); ${changed} rows needed it`,
    );
  } else {
    notes.push(`${env.name}'s tenant is not known (no tenant in the catalog, none in its database): the tenant settings stay as copied`);
  }

  // Users and batch jobs the administrator wants back.
  if (env.enableUsers.length) {
    const params: unknown[] = [];
    const ids = env.enableUsers.map((u) => (params.push(u), p(params.length - 1))).join(', ');
    const aliases = env.enableUsers.map((u) => (params.push(u), p(params.length - 1))).join(', ');
    const changed = await session.execute(
      `UPDATE ${q('USERINFO')} SET ${q('ENABLE')} = 1${bump('USERINFO')} WHERE (${q('ID')} IN (${ids}) OR ${q('NETWORKALIAS')} IN (${aliases})) AND ${q('ENABLE')} = 0`,
      params,
    );
    rows += changed;
    notes.push(`Enabled ${changed} of the ${env.enableUsers.length} listed users (${env.enableUsers.join(', ')})`);
  }
  if (env.resumeBatchJobs.length) {
    const captions = env.resumeBatchJobs.filter((j) => typeof j === 'string');
    const recIds = env.resumeBatchJobs.filter((j) => typeof j === 'number');
    const params: unknown[] = [WAITING, WAITING];
    const byCaption = captions.length ? `${q('CAPTION')} IN (${captions.map((c) => (params.push(c), p(params.length - 1))).join(', ')})` : '';
    const byId = recIds.length ? `${q('RECID')} IN (${recIds.map((r) => (params.push(r), p(params.length - 1))).join(', ')})` : '';
    const changed = await session.execute(
      `UPDATE ${q('BATCHJOB')} SET ${q('STATUS')} = ${p(0)}${bump('BATCHJOB')} WHERE ${q('STATUS')} <> ${p(1)} AND (${[byCaption, byId].filter(Boolean).join(' OR ')})`,
      params,
    );
    rows += changed;
    notes.push(`Set ${changed} listed batch jobs to Waiting (${env.resumeBatchJobs.join(', ')})`);
  }
  return { rows, notes, checklist };
}

export function createPostconfigActivities(deps: ActivityDeps) {
  return {
    async postConfigure(input: { operationId: string; target: string }): Promise<StepOutcome> {
      return runStepActivity(deps, 'POSTCONFIG', input.operationId, async (scope) => {
        const started = performance.now();
        const target = scope.environment(input.target);
        const engine = scope.engine(target);
        // Passwords are read before anything is written: a missing one fails the step with nothing half-done.
        const users = principalsToCreate(target, deps.secret);
        const result = await withSession(engine.openLive(target, scope.engineContext()), (live) =>
          withSession(engine.openStaging(target, input.operationId, scope.engineContext()), async (session) => {
            const outcome = await session.transaction(() => postConfigure(session, target, live));
            // Outside the transaction: ALTER DATABASE (change tracking) cannot run inside one.
            if (engine.principals) {
              const made = await engine.principals.createOwn(session, users);
              outcome.notes.push(
                made.created.length
                  ? `Created ${target.name}'s database users ${made.created.join(', ')} with their roles (${made.roles.join('; ')}); change tracking is on again for the database`
                  : `${target.name} lists no database users (database.users in the catalog): none created; change tracking is on again for the database`,
              );
              if (made.missingRoles.length) outcome.notes.push(`Roles not in this database, so not granted: ${made.missingRoles.join('; ')}`);
            } else {
              outcome.notes.push(`The ${target.engine} engine has no database users (SQLite has none): no users to create`);
            }
            return outcome;
          }),
        );
        return {
          summary: `${target.name}'s own settings restored (${result.rows} rows)`,
          activityMs: elapsed(started),
          rowsAffected: result.rows,
          notes: result.notes,
          checklist: result.checklist,
        };
      });
    },
  };
}
