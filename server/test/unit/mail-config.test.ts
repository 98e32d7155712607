/**
 * Mail configuration: production refuses to start without SMTP_URL unless the log
 * transport is chosen explicitly; development writes each mail to the log as one
 * readable block with its link.
 */
import { Writable } from 'node:stream';
import { ConfigError, createLogger, loadConfig } from '@cloakroom/server';
import { createMailTransport } from '../../src/mail/transport';
import { mails } from '../../src/mail/templates';

const PROD = { NODE_ENV: 'production', SESSION_SECRET: 's'.repeat(40) };

test('production without SMTP_URL refuses to start, naming the variable and the way out', () => {
  expect(() => loadConfig(PROD)).toThrow(ConfigError);
  expect(() => loadConfig(PROD)).toThrow(/SMTP_URL .*MAIL_TRANSPORT=log/);
  expect(loadConfig({ ...PROD, SMTP_URL: 'smtps://user:pw@mail.example.com:465' }).mail).toMatchObject({ transport: 'smtp' });
  const logged = loadConfig({ ...PROD, MAIL_TRANSPORT: 'log' });
  expect(logged.mail.transport).toBe('log');
  expect(logged.warnings.join('\n')).toMatch(/MAIL_TRANSPORT=log in production/);
});

test('a malformed SMTP_URL is refused without echoing its password', () => {
  let message = '';
  try {
    loadConfig({ SMTP_URL: 'http://user:hunter2@mail.example.com' });
  } catch (err) {
    message = (err as Error).message;
  }
  expect(message).toMatch(/^SMTP_URL must be an smtp:\/\/ or smtps:\/\/ URL/);
  expect(message).not.toContain('hunter2');
});

test('development without SMTP_URL: the log transport writes the mail, link included, as one block', async () => {
  const config = loadConfig({});
  expect(config.mail.transport).toBe('log');
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  const transport = createMailTransport(config.mail, createLogger('info', sink));
  await transport.send(mails.passwordReset('ann@example.test', 'http://localhost:3000/reset-password#token=abc', 30 * 60_000));
  expect(lines).toHaveLength(1);
  const entry = JSON.parse(lines[0]!) as { msg: string };
  expect(entry.msg).toContain('To: ann@example.test');
  expect(entry.msg).toContain('Subject: Reset your Cloakroom password');
  expect(entry.msg).toContain('http://localhost:3000/reset-password#token=abc');
});
