/**
 * ASVS 5.0 V7.2 Fundamental session management security: the server verifies every
 * token (7.2.1), tokens are per-session and dynamic (7.2.2), random with ≥128 bits
 * (7.2.3), and renewed on (re-)authentication with the old one terminated (7.2.4).
 * Also the "Security at the edges" attacks on tokens: fixation and cookie tossing.
 * Proven elsewhere and not repeated here: forged and tampered cookies on /api/me
 * (me.test.ts), a planted pre-login session and signing in as A then B (fixation.test.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import signature from 'cookie-signature';
import request from 'supertest';
import { createTestApp, testDatabases, type TestApp } from '@cloakroom/server/testing';
import { signIn, sessionIdOf, sessionKey, sessionSetCookie } from './helpers';
import { sessionKeyOf } from '../../src/auth/session/session-id';

const SRC = path.resolve(__dirname, '../../src');

describe.each(testDatabases())('V7.2 session tokens ($name)', ({ databaseUrl }) => {
  let kit: TestApp;
  beforeAll(async () => {
    kit = await createTestApp({ databaseUrl });
  });
  afterAll(() => kit.close());

  const name = () => kit.services.cookieName;
  const signed = (sid: string, secret = kit.config.session.secrets[0]) => `${name()}=${encodeURIComponent(`s:${signature.sign(sid, secret)}`)}`;
  const me = (cookie: string) => request(kit.app).get('/api/me').set('Cookie', cookie);

  test('7.2.1 only the server decides: the account-security routes refuse forged, unsigned and never-issued cookies, and none creates a record', async () => {
    const who = await kit.createUser({ role: 'admin' });
    const { sid } = await signIn(kit, who);
    const neverIssued = `0a0a.${'N'.repeat(32)}`; // the shape of an ID, never issued
    const attempts = [
      `${name()}=${sid}`, // the bare ID without its signature
      `${name()}=${encodeURIComponent(`s:${sid}.${'A'.repeat(43)}`)}`, // forged signature
      signed(sid, 'some-other-secret-that-is-long-enough-32'), // signed with a key we do not hold
      signed(neverIssued), // well signed, but never issued
    ];
    for (const cookie of attempts) {
      for (const path of ['/api/auth/sessions', '/api/auth/events', '/api/admin/users']) {
        const res = await request(kit.app).get(path).set('Cookie', cookie).expect(401);
        expect(res.body.error.code).toBe('unauthenticated');
      }
      await request(kit.app).delete('/api/auth/sessions').set('Cookie', cookie).expect(401);
      await request(kit.app)
        .post('/api/auth/password')
        .set('Cookie', cookie)
        .send({ currentPassword: who.password, newPassword: 'forged change attempt' })
        .expect(401);
    }
    // Loading an unknown ID must not create a record for it (a DoS vector otherwise).
    await request(kit.app).post('/api/auth/logout').set('Cookie', signed(neverIssued)).expect(204);
    expect(await kit.infra.redis.exists(sessionKey(kit, neverIssued))).toBe(0);
  });

  test('7.2.2 no static key or identity header grants access: only a session cookie does', async () => {
    const admin = await kit.createUser({ role: 'admin' });
    const { sid } = await signIn(kit, admin);
    const headers: Array<Record<string, string>> = [
      { 'X-User-Id': admin.user.id },
      { 'X-Cloakroom-User': admin.user.id },
      { 'X-User-Role': 'admin' },
      { Authorization: `Bearer ${sid}` },
      { 'X-Api-Key': kit.config.session.secrets[0] },
      { 'X-Session-Id': sid },
    ];
    for (const h of headers) {
      await request(kit.app).get('/api/me').set(h).expect(401);
      await request(kit.app).get('/api/admin/users').set(h).expect(401);
    }
  });

  test('7.2.3 1,000 logins give 1,000 distinct session IDs of 192 random bits (CSPRNG) after a routing tag, and Redis holds none of them', async () => {
    const who = await kit.createUser();
    const sids: string[] = [];
    const batch = 25;
    for (let i = 0; i < 1000; i += batch) {
      const responses = await Promise.all(
        Array.from({ length: batch }, () => request(kit.app).post('/api/auth/login').send({ email: who.email, password: who.password }).expect(200)),
      );
      for (const res of responses) sids.push(sessionIdOf(kit, res));
    }
    expect(new Set(sids).size).toBe(1000);
    const bitCounts = new Array<number>(192).fill(0);
    for (const sid of sids) {
      // The owner's routing tag (4 hex, the same for all of one user's sessions), then
      // 32 base64url characters = 24 random bytes.
      expect(sid).toMatch(/^[0-9a-f]{4}\.[A-Za-z0-9_-]{32}$/);
      const bytes = Buffer.from(sid.slice(5), 'base64url');
      expect(bytes).toHaveLength(24);
      bytes.forEach((byte, i) => {
        for (let b = 0; b < 8; b++) bitCounts[i * 8 + b]! += (byte >> b) & 1;
      });
    }
    // Every one of the 192 bit positions is set about half the time: no fixed bits, no
    // counter or timestamp in the ID. (For fair bits 0.40-0.60 is more than 6 sigma.)
    for (const count of bitCounts) {
      expect(count / 1000).toBeGreaterThan(0.4);
      expect(count / 1000).toBeLessThan(0.6);
    }
    // Redis keys are hashes of the IDs: a dump of Redis yields no cookie.
    const keys: string[] = [];
    for await (const chunk of kit.infra.redis.scanIterator({ MATCH: `${kit.services.keys.sessionPrefix}*`, COUNT: 1000 })) keys.push(...chunk);
    const dump = keys.join('\n') + (await kit.infra.redis.mGet(keys.slice(0, 50))).join('\n');
    for (const sid of sids.slice(0, 200)) expect(dump).not.toContain(sid);
    expect(keys).toContain(sessionKeyOf(kit.services.keys, sids[0]!));
    await kit.services.sessions.revokeAll(who.user.id);
  }, 120_000);

  test('7.2.3 IDs are made in one place, from crypto.randomBytes (24 bytes after the routing tag): the session middleware is the only genid, and it calls it', () => {
    const files = fs.readdirSync(SRC, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
    expect(files.length).toBeGreaterThan(20);
    const withGenid = files.filter((file) => /\bgenid\b/.test(fs.readFileSync(path.join(SRC, file), 'utf8')));
    expect(withGenid.map((f) => f.split(path.sep).join('/'))).toEqual(['http/middleware/session.ts']);
    expect(fs.readFileSync(path.join(SRC, 'http/middleware/session.ts'), 'utf8')).toMatch(/genid: \(req\) => newSessionId\(/);
    expect(fs.readFileSync(path.join(SRC, 'auth/session/session-id.ts'), 'utf8')).toMatch(/randomBytes\(24\)\.toString\('base64url'\)/);
  });

  test('7.2.4 re-authentication (password change) issues a new ID and ends the old one', async () => {
    const who = await kit.createUser();
    const s = await signIn(kit, who);
    const res = await request(kit.app)
      .post('/api/auth/password')
      .set('Cookie', s.cookie)
      .send({ currentPassword: who.password, newPassword: 'fresh passphrase 2026' })
      .expect(200);
    expect(sessionIdOf(kit, res)).not.toBe(s.sid);
    expect(await kit.infra.redis.exists(sessionKey(kit, s.sid))).toBe(0);
    await me(s.cookie).expect(401);
  });

  test('cookie tossing: with a tossed cookie beside the real one, the new routes see nobody, and signing in gives a fresh ID', async () => {
    const victim = await kit.createUser();
    const attacker = await kit.createUser();
    const v = await signIn(kit, victim);
    const a = await signIn(kit, attacker);

    // Whichever comes first, the request is nobody's: neither the attacker's session
    // (login-as-attacker) nor the victim's is used. (/api/me: see me.test.ts.)
    for (const header of [`${a.cookie}; ${v.cookie}`, `${v.cookie}; ${a.cookie}`]) {
      await request(kit.app).get('/api/auth/sessions').set('Cookie', header).expect(401);
      await request(kit.app).delete('/api/auth/sessions').set('Cookie', header).expect(401);
      await request(kit.app)
        .post('/api/auth/password')
        .set('Cookie', header)
        .send({ currentPassword: victim.password, newPassword: 'tossed passphrase ok' })
        .expect(401);
    }
    const res = await request(kit.app)
      .post('/api/auth/login')
      .set('Cookie', `${a.cookie}; ${v.cookie}`)
      .send({ email: victim.email, password: victim.password })
      .expect(200);
    const fresh = sessionIdOf(kit, res);
    expect([a.sid, v.sid]).not.toContain(fresh);
    const mine = await me(`${name()}=${encodeURIComponent(sessionSetCookie(kit, res)!.value)}`).expect(200);
    expect(mine.body.user.id).toBe(victim.user.id);
  });
});
