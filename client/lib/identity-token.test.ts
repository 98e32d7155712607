import { canonicalPath, deriveIdentityKey, IDENTITY_TTL_MS, signIdentity, verifyIdentity, type Identity } from './identity-token';

const key = deriveIdentityKey('a secret of at least thirty-two characters');
const other = deriveIdentityKey('another secret of at least thirty-two chars');
const user: Identity = {
  id: '3f1d4c2e-0000-4000-8000-000000000001',
  email: 'ann@example.test',
  name: 'Ann',
  role: 'user',
  emailVerified: false,
  sessionId: 'h'.repeat(43),
  expiresAt: '2030-01-08T00:00:00.000Z',
  idleExpiresAt: '2030-01-02T00:00:00.000Z',
};
const NOW = 1_900_000_000_000;
const pair = (path = '/dashboard', now = NOW) => {
  const h = signIdentity(key, user, path, now);
  return [h['x-cloakroom-user'], h['x-cloakroom-signature']] as const;
};

describe('identity headers', () => {
  test('what the proxy signs for a path, that page reads back', () => {
    const [u, s] = pair();
    expect(verifyIdentity(key, u, s, '/dashboard', NOW + 5)).toEqual({ ok: true, user });
  });

  test('missing headers mean signed out', () => {
    const [u, s] = pair();
    expect(verifyIdentity(key, undefined, s, '/dashboard', NOW)).toEqual({ ok: false, reason: 'missing' });
    expect(verifyIdentity(key, u, null, '/dashboard', NOW)).toEqual({ ok: false, reason: 'missing' });
  });

  test('another key, a changed payload or a changed signature is refused', () => {
    const [u, s] = pair();
    expect(verifyIdentity(other, u, s, '/dashboard', NOW).ok).toBe(false);
    const forged = Buffer.from(Buffer.from(u, 'base64url').toString().replace('"role":"user"', '"role":"admin"')).toString('base64url');
    expect(verifyIdentity(key, forged, s, '/dashboard', NOW)).toEqual({ ok: false, reason: 'bad_signature' });
    expect(verifyIdentity(key, u, `${s.slice(0, -1)}${s.endsWith('A') ? 'B' : 'A'}`, '/dashboard', NOW)).toEqual({ ok: false, reason: 'bad_signature' });
    expect(verifyIdentity(key, u, s.slice(1), '/dashboard', NOW)).toEqual({ ok: false, reason: 'bad_signature' });
  });

  test('a pair minted for one page is refused on another', () => {
    const [u, s] = pair('/dashboard');
    expect(verifyIdentity(key, u, s, '/admin', NOW)).toEqual({ ok: false, reason: 'wrong_path' });
  });

  test('a pair is void once its short lifetime is over, and one from the future is refused', () => {
    const [u, s] = pair('/dashboard', NOW);
    expect(verifyIdentity(key, u, s, '/dashboard', NOW + IDENTITY_TTL_MS - 1).ok).toBe(true);
    expect(verifyIdentity(key, u, s, '/dashboard', NOW + IDENTITY_TTL_MS)).toEqual({ ok: false, reason: 'expired' });
    expect(verifyIdentity(key, u, s, '/dashboard', NOW - 60_000)).toEqual({ ok: false, reason: 'expired' });
  });

  test('paths compare as Next routes them: decoded, any case, no trailing slash', () => {
    const [u, s] = pair('/%61dmin/');
    expect(verifyIdentity(key, u, s, '/admin', NOW).ok).toBe(true);
    expect(canonicalPath('/ADMIN')).toBe('/admin');
    expect(canonicalPath('/')).toBe('/');
    expect(canonicalPath('/%E0%A4%A')).toBe('/%e0%a4%a');
  });

  test('the key depends on the secret, and is 32 bytes', () => {
    expect(key).toHaveLength(32);
    expect(key.equals(deriveIdentityKey('a secret of at least thirty-two characters'))).toBe(true);
    expect(key.equals(other)).toBe(false);
  });
});
