import { MissingSecret } from '../../common/errors';
import type { EnvironmentConfig } from '../../config/catalog';
import type { StepOutcome } from '../../workflows/types';
import { ActivityDeps, elapsed, runStepActivity } from '../runtime';
import type { DataSession } from '../../engines/port';
import { FACT, readEnvironmentFacts, writeEnvironmentFacts } from '../environment-facts';
import type { Allowances } from '../policy/apply-policy';
import type { Condition } from '../policy/scrub-policy';
import { withSession } from '../sessions';

/**
 * POSTCONFIG puts back what belongs to the target environment rather than to the data
 * (seeds: Environment administrator; tutorial: Reconfigure environment specific settings):
 * the Admin account, the target's batch servers in its batch groups, help, mail (the
 * password read from an environment variable here and nowhere else), the users and batch
 * jobs the catalog lists, and the target's own identity and versions.
 */

const WAITING = 1;

async function tableExists(session: DataSession, table: string): Promise<boolean> {
  try {
    await session.query(session.dialect.count(table, '1 = 0'));
    return true;
  } catch {
    return false;
  }
}

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
export function postConfigAllowances(env: EnvironmentConfig, smtpPassword: string | undefined): Allowances {
  const servers = env.batchServers.map(batchServerId);
  return {
    'disable-users': env.enableUsers.length ? { UserInfo: userCondition(env.enableUsers) } : undefined,
    'withhold-batch-jobs': env.resumeBatchJobs.length
      ? { BatchJob: { all: [jobCondition(env.resumeBatchJobs), { column: 'STATUS', equals: WAITING }] } }
      : undefined,
    'smtp-relay-server': env.mail ? { SysEmailParameters: { column: 'SMTPRELAYSERVERNAME', equals: env.mail.smtpRelayServer } } : undefined,
    'smtp-password': smtpPassword !== undefined ? { SysEmailSMTPPassword: { column: 'PASSWORD', equals: smtpPassword } } : undefined,
    'environment-specific-records': servers.length
      ? { BatchServerConfig: { column: 'SERVERID', in: servers }, BatchServerGroup: { column: 'SERVERID', in: servers } }
      : undefined,
  };
}

export function smtpPasswordFor(deps: ActivityDeps, env: EnvironmentConfig): string | undefined {
  const variable = env.mail?.smtpPasswordEnv;
  if (!variable) return undefined;
  const value = deps.secret(variable);
  if (value === undefined) throw new MissingSecret(variable, env.name, 'the SMTP password');
  return value;
}

export async function postConfigure(
  deps: ActivityDeps,
  session: DataSession,
  env: EnvironmentConfig,
  live: DataSession,
  operationId: string,
): Promise<{ rows: number; notes: string[] }> {
  const d = session.dialect;
  const q = (name: string) => d.quote(name);
  const p = (i: number) => d.param(i);
  const notes: string[] = [];
  let rows = 0;

  // Environment administrator: Admin becomes the target's own account.
  if (env.administrator) {
    const a = env.administrator;
    const changed = await session.execute(
      `UPDATE ${q('UserInfo')} SET ${q('NETWORKALIAS')} = ${p(0)}, ${q('NAME')} = ${p(1)}, ${q('NETWORKDOMAIN')} = ${p(2)}, ${q('IDENTITYPROVIDER')} = ${p(3)}, ${q('SID')} = ${p(4)}, ${q('ENABLE')} = 1 WHERE ${d.equalsIgnoreCase(q('ID'), p(5))}`,
      [a.networkAlias, a.name ?? 'Admin', a.networkDomain, a.identityProvider, a.sid ?? `S-1-19-admin-${env.name}`, 'Admin'],
    );
    rows += changed;
    notes.push(changed ? `Admin reset to ${env.name}'s environment administrator ${a.networkAlias}` : `No Admin user found to reset to ${a.networkAlias}`);
  } else {
    notes.push(`Admin kept as copied: ${env.name} has no administrator in the catalog`);
  }

  // Batch servers: the target's own, in every batch group.
  if (env.batchServers.length) {
    const servers = env.batchServers.map(batchServerId);
    const placeholders = servers.map((_, i) => p(i)).join(', ');
    rows += await session.execute(`DELETE FROM ${q('BatchServerConfig')} WHERE ${q('SERVERID')} IN (${placeholders})`, servers);
    rows += await session.execute(`DELETE FROM ${q('BatchServerGroup')} WHERE ${q('SERVERID')} IN (${placeholders})`, servers);
    const groups = (await session.query<{ g: string }>(`SELECT ${q('GROUP_')} AS g FROM ${q('BatchGroup')}`)).map((r) => r.g);
    for (const server of servers) {
      rows += await session.execute(`INSERT INTO ${q('BatchServerConfig')} (${q('SERVERID')}, ${q('MAXBATCHSESSIONS')}) VALUES (${p(0)}, 8)`, [server]);
      for (const group of groups)
        rows += await session.execute(`INSERT INTO ${q('BatchServerGroup')} (${q('GROUPID')}, ${q('SERVERID')}) VALUES (${p(0)}, ${p(1)})`, [group, server]);
    }
    notes.push(`Batch servers ${env.batchServers.join(', ')} added to ${groups.length} batch groups`);
  } else {
    notes.push(`${env.name} lists no batch servers; batch groups stay empty`);
  }

  // Help and task guides.
  if (env.help && (await tableExists(session, 'SysHelpParameters'))) {
    const changed = await session.execute(`UPDATE ${q('SysHelpParameters')} SET ${q('HELPSERVERURL')} = ${p(0)}, ${q('LCSPROJECTID')} = ${p(1)}`, [
      env.help.url,
      env.help.lcsProjectId ?? null,
    ]);
    if (changed === 0)
      await session.execute(`INSERT INTO ${q('SysHelpParameters')} (${q('HELPSERVERURL')}, ${q('LCSPROJECTID')}) VALUES (${p(0)}, ${p(1)})`, [
        env.help.url,
        env.help.lcsProjectId ?? null,
      ]);
    rows += 1;
    notes.push(`Help reconnected to ${env.help.url}`);
  } else if (!env.help) {
    notes.push(`${env.name} has no help configuration in the catalog; help keeps the copied settings`);
  }

  // Mail: the target's own settings when configured; otherwise it stays disabled by the scrub.
  if (env.mail) {
    const m = env.mail;
    rows += await session.execute(
      `UPDATE ${q('SysEmailParameters')} SET ${q('SMTPRELAYSERVERNAME')} = ${p(0)}, ${q('SMTPPORTNUMBER')} = ${p(1)}, ${q('SMTPUSERNAME')} = ${p(2)}, ${q('SMTPREQUIRESSL')} = ${p(3)}`,
      [m.smtpRelayServer, m.smtpPort, m.smtpUserName ?? null, m.smtpRequireSsl ? 1 : 0],
    );
    const password = smtpPasswordFor(deps, env);
    if (password !== undefined) {
      await session.execute(`DELETE FROM ${q('SysEmailSMTPPassword')}`);
      rows += await session.execute(`INSERT INTO ${q('SysEmailSMTPPassword')} (${q('PASSWORD')}) VALUES (${p(0)})`, [password]);
    }
    notes.push(`Mail restored to ${m.smtpRelayServer}:${m.smtpPort}${password !== undefined ? ` with the password from ${m.smtpPasswordEnv}` : ''}`);
  } else {
    notes.push(`Mail stays disabled on ${env.name} (no mail settings in the catalog)`);
  }

  // Users and batch jobs the administrator wants back.
  if (env.enableUsers.length) {
    const params: unknown[] = [];
    const ids = env.enableUsers.map((u) => (params.push(u), p(params.length - 1))).join(', ');
    const aliases = env.enableUsers.map((u) => (params.push(u), p(params.length - 1))).join(', ');
    const changed = await session.execute(
      `UPDATE ${q('UserInfo')} SET ${q('ENABLE')} = 1 WHERE ${q('ID')} IN (${ids}) OR ${q('NETWORKALIAS')} IN (${aliases})`,
      params,
    );
    rows += changed;
    notes.push(`Enabled ${changed} of the ${env.enableUsers.length} listed users (${env.enableUsers.join(', ')})`);
  }
  if (env.resumeBatchJobs.length) {
    const captions = env.resumeBatchJobs.filter((j) => typeof j === 'string');
    const recIds = env.resumeBatchJobs.filter((j) => typeof j === 'number');
    const params: unknown[] = [WAITING];
    const byCaption = captions.length ? `${q('CAPTION')} IN (${captions.map((c) => (params.push(c), p(params.length - 1))).join(', ')})` : '';
    const byId = recIds.length ? `${q('RECID')} IN (${recIds.map((r) => (params.push(r), p(params.length - 1))).join(', ')})` : '';
    const changed = await session.execute(
      `UPDATE ${q('BatchJob')} SET ${q('STATUS')} = ${p(0)} WHERE ${[byCaption, byId].filter(Boolean).join(' OR ')}`,
      params,
    );
    rows += changed;
    notes.push(`Set ${changed} listed batch jobs to Waiting (${env.resumeBatchJobs.join(', ')})`);
  }

  // The target's identity and the versions of the code deployed on it.
  const own = await readEnvironmentFacts(live);
  rows += await writeEnvironmentFacts(session, {
    [FACT.environmentName]: env.name,
    [FACT.environmentType]: env.type,
    [FACT.lastOperation]: operationId,
    ...(own.applicationRelease ? { [FACT.applicationRelease]: own.applicationRelease } : {}),
    ...(own.platformUpdate !== undefined ? { [FACT.platformUpdate]: own.platformUpdate } : {}),
    ...(own.financialReporting ? { [FACT.financialReporting]: own.financialReporting } : {}),
  });
  notes.push(`Stamped ${env.name} (${env.type}) and its own versions into the data`);
  return { rows, notes };
}

export function createPostconfigActivities(deps: ActivityDeps) {
  return {
    async postConfigure(input: { operationId: string; target: string }): Promise<StepOutcome> {
      return runStepActivity(deps, 'POSTCONFIG', input.operationId, async (scope) => {
        const started = performance.now();
        const target = scope.environment(input.target);
        const engine = scope.engine(target);
        const result = await withSession(engine.openLive(target), (live) =>
          withSession(engine.openStaging(target, input.operationId), (session) =>
            session.transaction(() => postConfigure(deps, session, target, live, input.operationId)),
          ),
        );
        return {
          summary: `${target.name}'s own settings restored (${result.rows} rows)`,
          activityMs: elapsed(started),
          rowsAffected: result.rows,
          notes: result.notes,
        };
      });
    },
  };
}
