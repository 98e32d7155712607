/**
 * Issue 8.10: password hashes other systems can read. argon2 0.45 writes its PHC string
 * with the parameters in the order m, p, t; the PHC format and libargon2 (PHP, Java,
 * Python's argon2-cffi) require m, t, p, so a team moving its users table to another
 * stack could not verify its own users. Hashes are now written in the canonical order
 * (checked here with Debian's python3-argon2, which is libargon2's verifier); hashes in
 * the old order still verify, and are rewritten on the next sign-in.
 */
import { spawnSync } from 'node:child_process';
import argon2 from 'argon2';
import { createTestApp, type TestApp } from '@cloakroom/server/testing';

/** Debian's interpreter (a python3 earlier on PATH may lack the package). */
const PYTHON = '/usr/bin/python3';
const CANONICAL = /^\$argon2id\$v=19\$m=\d+,t=\d+,p=\d+\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/;

/** What libargon2 says of this hash and password, through python3-argon2. */
function libargon2Verifies(hash: string, password: string): boolean {
  const script = [
    'import json, sys',
    'from argon2 import PasswordHasher',
    'from argon2.exceptions import VerificationError, InvalidHash',
    'd = json.load(sys.stdin)',
    'try:',
    '    print("ok" if PasswordHasher().verify(d["hash"], d["password"]) else "no")',
    'except (VerificationError, InvalidHash) as e:',
    '    print("no: " + str(e))',
  ].join('\n');
  const run = spawnSync(PYTHON, ['-c', script], { input: JSON.stringify({ hash, password }), encoding: 'utf8' });
  if (run.error || run.status !== 0) {
    throw new Error(`${PYTHON} with python3-argon2 is needed (apt-get install -y python3-argon2): ${run.error?.message ?? run.stderr}`);
  }
  return run.stdout.trim() === 'ok';
}

let kit: TestApp;
beforeAll(async () => {
  kit = await createTestApp();
});
afterAll(() => kit.close());

test('a freshly written hash is a canonical PHC string (m, t, p) that libargon2 verifies', async () => {
  const password = 'a portable passphrase é 😀';
  const res = await kit
    .agent()
    .post('/api/auth/register')
    .send({ email: `phc-${Date.now()}@example.test`, password })
    .expect(201);
  const { passwordHash } = (await kit.services.users.findById(res.body.user.id as string))!;
  expect(passwordHash).toMatch(CANONICAL);
  expect(libargon2Verifies(passwordHash, password)).toBe(true);
  expect(libargon2Verifies(passwordHash, `${password}!`)).toBe(false);
  // ...and so does the hasher's own output, under the production parameters too.
  const production = await kit.infra.hasher.hash(password);
  expect(libargon2Verifies(production, password)).toBe(true);
});

test('a hash in the old order (m, p, t) still signs in, and is rewritten in the canonical order; sessions are unaffected', async () => {
  const { user, email, password } = await kit.createUser();
  const p = kit.infra.hasher.params;
  const old = await argon2.hash(password, { type: argon2.argon2id, memoryCost: p.memoryKiB, timeCost: p.timeCost, parallelism: p.parallelism });
  expect(old).toMatch(/\$m=\d+,p=\d+,t=\d+\$/);
  expect(libargon2Verifies(old, password)).toBe(false); // what other stacks made of it
  await kit.infra.db.updateTable('users').set({ passwordHash: old }).where('id', '=', user.id).execute();
  const before = await kit.agent().post('/api/auth/login').send({ email, password }).expect(200);

  const rewritten = (await kit.services.users.findById(user.id))!.passwordHash;
  expect(rewritten).toMatch(CANONICAL);
  expect(libargon2Verifies(rewritten, password)).toBe(true);
  await kit.agent().post('/api/auth/login').send({ email, password }).expect(200);
  // Same password, same credential: the session made before the rewrite lives on.
  await kit.agent().get('/api/me').set('Cookie', before.headers['set-cookie']![0]!.split(';')[0]!).expect(200);
});
