/**
 * The mail outbox under SMTP trouble: a server that refuses, one that hangs, an API
 * restart with mail still queued. The request that caused a mail answers as usual in
 * every case; the mail is retried (the log says why, never the token) and delivered
 * once SMTP is back, by this instance or the next.
 */
import request from 'supertest';
import { createMailCatcher, createTestApp, freePort, type TestApp } from '@cloakroom/server/testing';
import { createApp } from '../../src/app';
import { eventually, hangingSmtpServer } from './helpers';

const forgot = (kit: TestApp, email: string) => request(kit.app).post('/api/auth/password/forgot').send({ email });

test('SMTP refusing connections: forgot still answers 202 {}, the mail is retried and arrives once SMTP is back', async () => {
  const port = await freePort();
  const kit = await createTestApp({ env: { SMTP_URL: `smtp://127.0.0.1:${port}` }, captureLogs: true });
  try {
    const who = await kit.createUser();
    await forgot(kit, who.email).expect(202, {});
    await eventually(() => kit.logs().includes('mail not sent; will retry'));
    const failure = kit
      .logs()
      .split('\n')
      .find((l) => l.includes('mail not sent'))!;
    expect(JSON.parse(failure)).toMatchObject({ level: 40, kind: 'password_reset', reason: expect.stringMatching(/ECONNREFUSED/) });
    expect(await kit.services.outbox.pending()).toBe(1);

    const catcher = await createMailCatcher({ port });
    try {
      const mail = await catcher.lastMail(who.email);
      expect(kit.logs()).not.toContain(mail.token!);
      await request(kit.app).post('/api/auth/password/reset').send({ token: mail.token, newPassword: 'back in business 2026' }).expect(200);
      await eventually(async () => (await kit.services.outbox.pending()) === 0);
    } finally {
      await catcher.stop();
    }
  } finally {
    await kit.close();
  }
});

test('SMTP that accepts and never answers: the request does not wait for it; the attempt times out and is retried', async () => {
  const hung = await hangingSmtpServer();
  const kit = await createTestApp({ env: { SMTP_URL: `smtp://127.0.0.1:${hung.port}`, SMTP_TIMEOUT_MS: '300' }, captureLogs: true });
  try {
    const who = await kit.createUser();
    await forgot(kit, who.email).expect(202, {});
    await eventually(() => kit.logs().includes('mail not sent; will retry'));
    expect(await kit.services.outbox.pending()).toBe(1);
    // Other requests are served meanwhile.
    await request(kit.app).get('/healthz').expect(200);
  } finally {
    await kit.close();
    await hung.close();
  }
});

test('a mail accepted before an API restart is delivered by the next instance', async () => {
  const port = await freePort();
  const kit = await createTestApp({ env: { SMTP_URL: `smtp://127.0.0.1:${port}` } });
  const catcher = await createMailCatcher({ port });
  await catcher.stop();
  try {
    const who = await kit.createUser();
    await forgot(kit, who.email).expect(202);
    await eventually(async () => (await kit.services.outbox.pending()) === 1);
    // The first instance stops with the mail unsent (its worker and memory are gone).
    await kit.services.outbox.stop();

    await catcher.start();
    const next = createApp(kit.infra);
    next.services.outbox.start();
    try {
      const mail = await catcher.lastMail(who.email);
      expect(mail.subject).toMatch(/reset/i);
      await request(next.handler).post('/api/auth/password/reset').send({ token: mail.token, newPassword: 'restarted and fine 11' }).expect(200);
    } finally {
      await next.services.outbox.stop();
    }
  } finally {
    await catcher.stop();
    await kit.close();
  }
});
