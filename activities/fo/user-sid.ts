import * as crypto from 'node:crypto';

/**
 * The SID Finance and Operations gives a user signed in through a claims provider
 * (USERINFO.SID). F&O does not store an arbitrary string there: the SID is derived from the
 * sign-in name and the identity provider, and sign-in maps the incoming identity to a user
 * through it, so an Admin whose SID does not match its sign-in name cannot sign in.
 *
 * What the sources say, and what is dbmove's own:
 * - Inputs and hash (d365fo.tools internal/functions/get-usersidfromaad.ps1): the SID comes
 *   from Microsoft's SidGenerator.Generate(signInName, provider, SidAlgorithm.Sha1) on
 *   application 10.0.13 and later. The script calls Microsoft's DLL; it does not spell the
 *   algorithm out.
 * - Shape (USERINFO of cloud environments, e.g. the SID column quoted in "Make yourself an Admin
 *   in Dynamics 365 Fin/SCM", erconsult.eu): "S-1-19-" followed by ten 32-bit sub-authorities.
 * - Byte layout (dbmove's reconstruction, not verified against Microsoft's DLL): the SHA-1 of
 *   the lower-cased sign-in name, then the SHA-1 of the lower-cased provider, both UTF-8, read
 *   as ten little-endian unsigned 32-bit integers. It yields the observed shape, is
 *   case-insensitive like the sign-in it serves, and differs per provider.
 *
 * Because the layout is a reconstruction, POSTCONFIG prefers the SID F&O itself already wrote
 * for the same sign-in in the target's live database, and the catalog can pin one
 * (administrator.sid); see `adminSid` in activities/steps/postconfig.ts.
 */
export const SID_PREFIX = 'S-1-19';

function subAuthorities(text: string): number[] {
  const digest = crypto.createHash('sha1').update(text.toLowerCase(), 'utf8').digest();
  const parts: number[] = [];
  for (let offset = 0; offset < digest.length; offset += 4) parts.push(digest.readUInt32LE(offset));
  return parts;
}

export function userSid(signInName: string, identityProvider: string): string {
  if (!signInName.trim()) throw new Error('A user SID needs a sign-in name');
  if (!identityProvider.trim()) throw new Error('A user SID needs an identity provider');
  return [SID_PREFIX, ...subAuthorities(signInName.trim()), ...subAuthorities(identityProvider.trim())].join('-');
}

/** True when `sid` has the shape of a claims user's SID: S-1-19 and ten 32-bit sub-authorities. */
export function isClaimsUserSid(sid: string): boolean {
  const parts = sid.split('-');
  if (parts.length !== 13 || parts.slice(0, 3).join('-') !== SID_PREFIX) return false;
  return parts.slice(3).every((p) => /^\d{1,10}$/.test(p) && Number(p) <= 0xffffffff);
}

/** The identity provider of users who sign in with Microsoft Entra ID (USERINFO.NETWORKDOMAIN / IDENTITYPROVIDER). */
export const ENTRA_PROVIDER = 'https://sts.windows.net/';
