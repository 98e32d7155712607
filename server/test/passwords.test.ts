/** The password policy (ASVS 5.0 6.2) and hashing: at least 8 characters, 64 (and 64
 *  emoji) allowed, a byte cap checked before any hashing, a shipped list of common
 *  passwords, no composition rules, compared exactly as typed; argon2id at OWASP cost
 *  by default. */
import fs from 'node:fs';
import path from 'node:path';
import { PASSWORD_MAX_BYTES, passwordBytes } from '@cloakroom/shared';
import { createTestApp, type TestApp } from '@cloakroom/server/testing';
import { createPasswordHasher } from '../src/auth/passwords/hasher';
import { commonPasswordCount, passwordProblems } from '../src/auth/passwords/policy';
import { ARGON2_OWASP, loadConfig } from '../src/config/env';

let kit: TestApp;
beforeAll(async () => {
  kit = await createTestApp();
});
afterAll(() => kit.close());
afterEach(() => jest.restoreAllMocks());

let n = 0;
const email = () => `pw-${++n}-${Date.now()}@example.test`;
const register = (password: unknown, address = email()) => kit.agent().post('/api/auth/register').send({ email: address, password });
const login = (address: string, password: string) => kit.agent().post('/api/auth/login').send({ email: address, password });

function expectPasswordRefused(res: { status: number; body: { error: { code: string; details?: Array<{ path: string; code: string }> } } }, code?: string) {
  expect(res.status).toBe(400);
  expect(res.body.error.code).toBe('validation_failed');
  expect(res.body.error.details).toEqual([expect.objectContaining({ path: 'password', ...(code ? { code } : {}) })]);
}

describe('length', () => {
  test('7 characters are refused, 8 accepted', async () => {
    expectPasswordRefused(await register('qzx7wvb'));
    await register('qzx7wvb8').expect(201);
  });

  test('length counts characters, not bytes or UTF-16 units: 7 emoji are refused, 8 accepted', async () => {
    expectPasswordRefused(await register('🔑'.repeat(7)));
    await register('🔑'.repeat(8)).expect(201);
  });

  test('the 64 emoji case really is 64 characters of 4 bytes each', () => {
    expect([...'🧥🔐🗝🎟'.repeat(16)]).toHaveLength(64);
    expect(passwordBytes('🧥🔐🗝🎟'.repeat(16))).toBe(256);
  });

  test.each([
    ['64 characters', 'Correct-Horse-Battery-Staple-'.repeat(3).slice(0, 64)],
    ['64 emoji (256 bytes)', '🧥🔐🗝🎟'.repeat(16)],
    ['exactly the byte cap', 'k'.repeat(PASSWORD_MAX_BYTES)],
    ['spaces, inside and around', '  a phrase with spaces  '],
  ])('%s: accepted, and signs in exactly as typed', async (_what, password) => {
    const address = email();
    await register(password, address).expect(201);
    await login(address, password).expect(200);
  });

  test('one byte over the cap is refused before any hashing, on register and on login', async () => {
    const hash = jest.spyOn(kit.infra.hasher, 'hash');
    const verify = jest.spyOn(kit.infra.hasher, 'verify');
    const verifyDummy = jest.spyOn(kit.infra.hasher, 'verifyDummy');
    const over = 'é'.repeat(PASSWORD_MAX_BYTES / 2) + 'k'; // 1025 bytes, 513 characters
    expectPasswordRefused(await register(over));
    expectPasswordRefused(await login('someone@example.test', over));
    expectPasswordRefused(await register('x'.repeat(50_000)));
    expect(hash).not.toHaveBeenCalled();
    expect(verify).not.toHaveBeenCalled();
    expect(verifyDummy).not.toHaveBeenCalled();
  });
});

describe('common passwords', () => {
  test('the shipped list has at least 3,000 entries, all long enough to matter', () => {
    expect(commonPasswordCount()).toBeGreaterThanOrEqual(3_000);
    const file = fs.readFileSync(path.resolve(__dirname, '../assets/common-passwords.txt'), 'utf8');
    const entries = file.split('\n').filter((l) => l && !l.startsWith('#'));
    expect(entries.length).toBe(commonPasswordCount());
    // Every entry is refused by the policy.
    for (const entry of entries) expect(passwordProblems(entry)).toContain('common');
  });

  test.each(['password1', 'PASSWORD1', 'Password1', '12345678', 'iloveyou', 'qwertyuiop'])('"%s" is refused at sign-up', async (password) => {
    expectPasswordRefused(await register(password), 'password_common');
  });

  test('the email address itself is refused as a password', async () => {
    const address = email();
    expectPasswordRefused(await register(address, address), 'password_contains_email');
  });

  test('no composition rules: a long all-lowercase phrase is fine', async () => {
    await register('just some lowercase words').expect(201);
  });
});

describe('exactly as typed', () => {
  test('no trimming and no case folding when signing in', async () => {
    const address = email();
    const password = ' Mixed Case Phrase ';
    await register(password, address).expect(201);
    for (const variant of ['Mixed Case Phrase', ' mixed case phrase ', ' MIXED CASE PHRASE ', ' Mixed Case Phrase', 'Mixed Case Phrase ']) {
      await login(address, variant).expect(401);
    }
    await login(address, password).expect(200);
  });

  test('Unicode is compared as given (no normalisation into another form)', async () => {
    const address = email();
    const composed = 'caf\u00e9 au lait noir';
    await register(composed, address).expect(201);
    await login(address, 'cafe\u0301 au lait noir').expect(401);
    await login(address, composed).expect(200);
  });
});

/** `$argon2id$v=19$m=…,t=…,p=…$salt$hash` (the order of m, t and p varies by library). */
function argon2Params(hash: string): { type: string; m: number; t: number; p: number } {
  const [, type, , params] = hash.split('$');
  const values = Object.fromEntries(
    params!
      .split(',')
      .map((kv) => kv.split('='))
      .map(([k, v]) => [k, Number(v)]),
  );
  return { type: type!, m: values.m, t: values.t, p: values.p };
}

describe('hashing', () => {
  test('the stored hash is argon2id with the configured cost, and never the password', async () => {
    const address = email();
    const res = await register('stored as a hash only', address).expect(201);
    const row = await kit.services.users.findById(res.body.user.id);
    expect(argon2Params(row!.passwordHash)).toEqual({ type: 'argon2id', m: 1024, t: 1, p: 1 });
    expect(row!.passwordHash).not.toContain('stored as a hash only');
  });

  test("the default cost is OWASP's (m=19456 KiB, t=2, p=1), and a hasher built from it uses it", async () => {
    const config = loadConfig({});
    expect(config.passwordHash).toEqual({ memoryKiB: 19_456, timeCost: 2, parallelism: 1 });
    expect(ARGON2_OWASP).toEqual(config.passwordHash);
    const hasher = await createPasswordHasher(config.passwordHash, 1);
    const hash = await hasher.hash('an OWASP cost hash');
    expect(argon2Params(hash)).toEqual({ type: 'argon2id', m: 19_456, t: 2, p: 1 });
    expect(await hasher.verify(hash, 'an OWASP cost hash')).toBe(true);
    expect(await hasher.verify(hash, 'an owasp cost hash')).toBe(false);
    expect(await hasher.verifyDummy('anything')).toBe(false);
  });
});
