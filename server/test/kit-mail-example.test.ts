// Reading the mail the app sent, with the test kit. docs/testing.md ("The mail the app
// sends") shows this file as it is (readme.test.ts checks that they stay the same).
import request from 'supertest';
import { createTestApp } from '@cloakroom/server/testing';

test('forgot password: the link arrives and resets the password', async () => {
  const kit = await createTestApp();
  try {
    const { email } = await kit.createUser();
    await request(kit.app).post('/api/auth/password/forgot').send({ email }).expect(202);
    const mail = await kit.lastMail(email);
    expect(mail.subject).toBe('Reset your Cloakroom password');
    expect(mail.links[0]).toMatch(/\/reset-password#token=/);
    await request(kit.app).post('/api/auth/password/reset').send({ token: mail.token, newPassword: 'a new passphrase 2026' }).expect(200);
    await request(kit.app).post('/api/auth/login').send({ email, password: 'a new passphrase 2026' }).expect(200);
  } finally {
    await kit.close();
  }
});
