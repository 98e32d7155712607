import { createTestApp, type TestApp } from '@cloakroom/server/testing';

let kit: TestApp;
beforeAll(async () => {
  kit = await createTestApp();
});
afterAll(() => kit.close());

test('sign up then me', async () => {
  const agent = kit.agent();
  await agent.post('/api/auth/register').send({ email: 'a@example.test', password: 'correct horse battery' }).expect(201);
  const me = await agent.get('/api/me').expect(200);
  expect(me.body.user.email).toBe('a@example.test');
});
