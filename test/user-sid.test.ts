import { expect } from 'chai';
import { ENTRA_PROVIDER, isClaimsUserSid, userSid } from '../activities/fo/user-sid';

/**
 * The SID dbmove derives for a claims user (activities/fo/user-sid.ts). The worked examples
 * were computed outside dbmove, with Python's hashlib, from the layout the module documents:
 *
 *   python3 -c "import hashlib,struct; p=lambda t: struct.unpack('<5I', hashlib.sha1(t.lower().encode()).digest()); \
 *     print('S-1-19-' + '-'.join(map(str, p('uat-admin@contoso.test') + p('https://sts.windows.net/'))))"
 *
 * They pin dbmove's implementation to that layout; whether Microsoft's SidGenerator uses the
 * same byte layout is not something this machine can check (the DLL ships with the AOS).
 */
describe('user SID derived from the sign-in name and identity provider', () => {
  it('matches the worked examples', () => {
    expect(userSid('uat-admin@contoso.test', ENTRA_PROVIDER)).to.equal(
      'S-1-19-1102903589-1537614431-2590952582-3794600396-432603564-727934389-2921243023-3553430099-878010029-1929464067',
    );
    // d365fo.tools' own example sign-in (get-usersidfromaad.ps1: "Claire@contoso.com").
    expect(userSid('Claire@contoso.com', ENTRA_PROVIDER)).to.equal(
      'S-1-19-3594804958-2349078214-1883098760-901820621-3833544144-727934389-2921243023-3553430099-878010029-1929464067',
    );
  });

  it('has the shape of an F&O claims user SID: S-1-19 and ten 32-bit sub-authorities', () => {
    const sid = userSid('alice@contoso.com', ENTRA_PROVIDER);
    expect(isClaimsUserSid(sid)).to.equal(true);
    expect(sid.split('-')).to.have.length(13);
    expect(isClaimsUserSid('S-1-19-admin-uat')).to.equal(false);
    expect(isClaimsUserSid('S-1-5-20')).to.equal(false);
  });

  it('ignores the case of the sign-in and the provider (sign-in names are case-insensitive), and differs per user and per provider', () => {
    expect(userSid('Alice@Contoso.com', 'HTTPS://STS.WINDOWS.NET/')).to.equal(userSid('alice@contoso.com', ENTRA_PROVIDER));
    expect(userSid('alice@contoso.com', ENTRA_PROVIDER)).to.not.equal(userSid('bob@contoso.com', ENTRA_PROVIDER));
    expect(userSid('alice@contoso.com', ENTRA_PROVIDER)).to.not.equal(userSid('alice@contoso.com', 'https://login.example.com/'));
  });

  it('refuses an empty sign-in name or provider instead of deriving a SID every empty name would share', () => {
    expect(() => userSid('', ENTRA_PROVIDER)).to.throw(/sign-in name/);
    expect(() => userSid('alice@contoso.com', ' ')).to.throw(/identity provider/);
  });
});
