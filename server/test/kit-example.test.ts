// A tester's own suite against the API, using the test kit. docs/testing.md ("The test kit")
// shows this file as it is (unit/readme.test.ts checks that they stay the same).
import { createTestApp, sleep, testDatabases, type TestApp } from '@cloakroom/server/testing';

describe.each(testDatabases())('my feature on $name', ({ databaseUrl }) => {
  let kit: TestApp;
  beforeAll(async () => {
    kit = await createTestApp({ databaseUrl }); // own Redis prefix, fresh database
  });
  afterAll(() => kit.close()); // deletes its Redis keys and database

  test('an admin, signed in, sees their role', async () => {
    const { agent, user } = await kit.signedInAgent({ role: 'admin' });
    const res = await agent.get('/api/me').expect(200);
    expect(res.body.user).toMatchObject({ id: user.id, role: 'admin' });
  });

  test('sign up, sign out, and the session is gone', async () => {
    const agent = kit.agent(); // a supertest agent with its own cookie jar
    await agent.post('/api/auth/register').send({ email: 'new@example.test', password: 'a long passphrase' }).expect(201);
    await agent.get('/api/me').expect(200);
    await agent.post('/api/auth/logout').expect(204);
    await agent.get('/api/me').expect(401);
  });

  test('a wrong password', async () => {
    const { email } = await kit.createUser({ password: 'the right passphrase' });
    const res = await kit.agent().post('/api/auth/login').send({ email, password: 'a wrong one' }).expect(401);
    expect(res.body.error.code).toBe('invalid_credentials');
  });
});

test('short session limits, for expiry tests', async () => {
  const kit = await createTestApp({ env: { SESSION_IDLE_TIMEOUT: '1', SESSION_ABSOLUTE_TIMEOUT: '3' } });
  try {
    const { agent } = await kit.signedInAgent();
    await sleep(1_200);
    await agent.get('/api/me').expect(401);
  } finally {
    await kit.close();
  }
});
