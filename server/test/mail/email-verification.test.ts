/**
 * Email verification and email change over real SMTP (ASVS 5.0 V6.4.3 for the change's
 * re-authentication and notice): register mails a link; the link verifies; resend voids
 * the older link; REQUIRE_EMAIL_VERIFICATION refuses only a right password; an email
 * change needs the current password, confirms at the new address, notifies the old one,
 * keeps sessions, and loses the race to a registration of the new address (409).
 */
import request from 'supertest';
import { createTestApp, testDatabases, type TestApp } from '@cloakroom/server/testing';

const PASSWORD = 'correct horse battery 9';
const verify = (kit: TestApp, token: string) => request(kit.app).post('/api/auth/email/verify').send({ token });
const codeOf = (res: request.Response) => (res.body as { error?: { code: string } }).error?.code;

async function register(kit: TestApp, email: string) {
  const agent = request.agent(kit.app);
  const before = kit.mails().length;
  await agent.post('/api/auth/register').send({ email, password: PASSWORD }).expect(201);
  const mail = await kit.lastMail(email, { after: before });
  return { agent, mail };
}

let n = 0;
const fresh = (tag: string) => `${tag}-${process.pid}-${++n}-${Date.now()}@example.test`;

describe.each(testDatabases())('email verification and change ($name)', ({ databaseUrl }) => {
  let kit: TestApp;
  beforeAll(async () => {
    kit = await createTestApp({ databaseUrl });
  });
  afterAll(() => kit.close());

  test('register mails a verification link (token in the fragment); following it verifies the address, once', async () => {
    const email = fresh('ann');
    const { agent, mail } = await register(kit, email);
    expect(new URL(mail.links[0]!).pathname).toBe('/verify-email');
    expect((await agent.get('/api/me').expect(200)).body.user.emailVerified).toBe(false);
    const res = await verify(kit, mail.token!).expect(200);
    expect(res.body.user).toMatchObject({ email, emailVerified: true });
    expect((await agent.get('/api/me').expect(200)).body.user.emailVerified).toBe(true);
    expect(codeOf(await verify(kit, mail.token!).expect(400))).toBe('invalid_token');
  });

  test('resend (signed in) mails a new link and voids the older one', async () => {
    const email = fresh('bob');
    const { agent, mail: first } = await register(kit, email);
    const before = kit.mails().length;
    await agent.post('/api/auth/email/verify/resend').expect(202, {});
    const second = await kit.lastMail(email, { after: before });
    expect(second.token).not.toBe(first.token);
    expect(codeOf(await verify(kit, first.token!).expect(400))).toBe('invalid_token');
    await verify(kit, second.token!).expect(200);
    await request(kit.app).post('/api/auth/email/verify/resend').expect(401);
  });

  test('email change: the current password, a confirmation at the new address, a notice at the old, sessions kept', async () => {
    const { agent, email, password } = await kit.signedInAgent();
    const newEmail = fresh('moved');
    const wrong = await agent.post('/api/auth/email').send({ newEmail, currentPassword: 'not it at all' }).expect(401);
    expect(codeOf(wrong)).toBe('invalid_credentials');
    const taken = await kit.createUser();
    expect(codeOf(await agent.post('/api/auth/email').send({ newEmail: taken.email, currentPassword: password }).expect(409))).toBe('email_taken');

    const before = kit.mails().length;
    await agent.post('/api/auth/email').send({ newEmail, currentPassword: password }).expect(202, {});
    const confirm = await kit.lastMail(newEmail, { after: before });
    const notice = await kit.lastMail(email, { after: before });
    expect(confirm.token).toBeDefined();
    expect(notice.token).toBeUndefined();
    expect(notice.text).toContain(newEmail);
    expect(notice.text).toMatch(/When: .*Device: /s);
    // Nothing changes until the new address confirms.
    expect((await agent.get('/api/me').expect(200)).body.user.email).toBe(email);

    const res = await verify(kit, confirm.token!).expect(200);
    expect(res.body.user).toMatchObject({ email: newEmail, emailVerified: true });
    expect((await agent.get('/api/me').expect(200)).body.user.email).toBe(newEmail);
    await request(kit.app).post('/api/auth/login').send({ email: newEmail, password }).expect(200);
    await request(kit.app).post('/api/auth/login').send({ email, password }).expect(401);
    expect(codeOf(await verify(kit, confirm.token!).expect(400))).toBe('invalid_token');
  });

  test('someone registers the new address before the confirmation: 409 email_taken, the account keeps its address', async () => {
    const { agent, email, password } = await kit.signedInAgent();
    const newEmail = fresh('contested');
    const before = kit.mails().length;
    await agent.post('/api/auth/email').send({ newEmail, currentPassword: password }).expect(202);
    const confirm = await kit.lastMail(newEmail, { after: before });
    await request(kit.app).post('/api/auth/register').send({ email: newEmail, password: PASSWORD }).expect(201);
    expect(codeOf(await verify(kit, confirm.token!).expect(409))).toBe('email_taken');
    expect((await agent.get('/api/me').expect(200)).body.user.email).toBe(email);
  });

  test('a verification link for an address the account has since left verifies nothing', async () => {
    const email = fresh('left');
    const { agent, mail } = await register(kit, email);
    const newEmail = fresh('arrived');
    const before = kit.mails().length;
    await agent.post('/api/auth/email').send({ newEmail, currentPassword: PASSWORD }).expect(202);
    await verify(kit, (await kit.lastMail(newEmail, { after: before })).token!).expect(200);
    expect(codeOf(await verify(kit, mail.token!).expect(400))).toBe('invalid_token');
  });
});

describe('REQUIRE_EMAIL_VERIFICATION=true', () => {
  let kit: TestApp;
  beforeAll(async () => {
    kit = await createTestApp({ env: { REQUIRE_EMAIL_VERIFICATION: 'true' } });
  });
  afterAll(() => kit.close());

  test('a wrong password is 401 as ever; a right one on an unverified account is 403 email_unverified with a fresh link; once verified, 200', async () => {
    const who = await kit.createUser();
    const login = (password: string) => request(kit.app).post('/api/auth/login').send({ email: who.email, password });
    expect(codeOf(await login('wrong password here').expect(401))).toBe('invalid_credentials');
    expect(kit.mails().filter((m) => m.to.includes(who.email))).toHaveLength(0);

    const refused = await login(who.password).expect(403);
    expect(codeOf(refused)).toBe('email_unverified');
    expect(refused.headers['set-cookie']).toBeUndefined();
    const mail = await kit.lastMail(who.email);
    await verify(kit, mail.token!).expect(200);
    await login(who.password).expect(200);
  });
});
