import * as crypto from 'node:crypto';

/**
 * The SIDs of the demo estate's users and the demo application server's sign-in check: a
 * stand-in for Microsoft's SidGenerator, which only runs on an application server.
 *
 * Finance and Operations derives a claims user's USERINFO.SID from the sign-in name and the
 * identity provider, with Microsoft's SidGenerator.Generate(signInName, provider, Sha1)
 * (d365fo.tools internal/functions/get-usersidfromaad.ps1 calls that DLL; the algorithm is not
 * published). The shape is public ("S-1-19-" and ten 32-bit numbers); the bytes below are the
 * demo's own and are NEVER written into a real environment: POSTCONFIG takes Admin's SID from
 * F&O itself (the target's own Admin row) or from the catalog (administrator.sid), and PRECHECK
 * refuses otherwise.
 */
export const SID_PREFIX = 'S-1-19';

function subAuthorities(text: string): number[] {
  const digest = crypto.createHash('sha1').update(text.toLowerCase(), 'utf8').digest();
  const parts: number[] = [];
  for (let offset = 0; offset < digest.length; offset += 4) parts.push(digest.readUInt32LE(offset));
  return parts;
}

export function demoUserSid(signInName: string, identityProvider: string): string {
  if (!signInName.trim()) throw new Error('A user SID needs a sign-in name');
  if (!identityProvider.trim()) throw new Error('A user SID needs an identity provider');
  return [SID_PREFIX, ...subAuthorities(signInName.trim()), ...subAuthorities(identityProvider.trim())].join('-');
}

/** The identity provider of users who sign in with Microsoft Entra ID (USERINFO.NETWORKDOMAIN / IDENTITYPROVIDER). */
export const ENTRA_PROVIDER = 'https://sts.windows.net/';
