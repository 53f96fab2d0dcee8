import { MissingSecret } from '../../common/errors';
import type { DatabaseUserConfig, EnvironmentConfig } from '../../config/catalog';
import type { PrincipalToCreate } from '../../engines/port';

/**
 * The roles F&O gives each of its database users (set-bacpacvaluesazure.sql and
 * set-bacpacvaluessql.sql; reference/fo-database-facts.md). F&O's own roles
 * (ReportingIntegrationUser, UsersRole, ReportUsersRole, DataSyncUsersRole,
 * DeployExtensibilityRole, driuser) exist in an F&O database; a role that does not exist in
 * the target is skipped and said so, as the community's scripts do.
 */
export const FO_USER_ROLES: Record<string, string[]> = {
  axdbadmin: ['db_owner'],
  axdeployuser: ['db_owner'],
  axruntimeuser: ['db_datareader', 'db_datawriter'],
  axmrruntimeuser: ['ReportingIntegrationUser', 'db_datareader', 'db_datawriter'],
  axretailruntimeuser: ['UsersRole', 'ReportUsersRole'],
  axretaildatasyncuser: ['DataSyncUsersRole'],
  axdeployextuser: ['DeployExtensibilityRole'],
  axdbreadonlyuser: ['driuser'],
};

export function configuredUsers(env: EnvironmentConfig): DatabaseUserConfig[] {
  return env.engine === 'local' ? [] : env.database.users;
}

/** The users POSTCONFIG creates, their passwords read here, in the activity, and nowhere else. */
export function principalsToCreate(env: EnvironmentConfig, secret: (name: string) => string | undefined): PrincipalToCreate[] {
  return configuredUsers(env).map((user) => {
    const roles = user.roles ?? FO_USER_ROLES[user.name.toLowerCase()] ?? [];
    if (user.login) return { name: user.name, roles, login: user.login };
    if (!user.passwordEnv)
      throw new MissingSecret(`(none named)`, env.name, `the password of the database user ${user.name}: set its passwordEnv, or its login on SQL Server`);
    const password = secret(user.passwordEnv);
    if (password === undefined) throw new MissingSecret(user.passwordEnv, env.name, `the password of the database user ${user.name}`);
    return { name: user.name, roles, password };
  });
}
