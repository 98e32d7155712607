import nodemailer from 'nodemailer';
import type { Logger } from 'pino';
import type { MailConfig } from '../config/env';
import type { MailMessage } from './message';

/** Delivers one message now, or throws with the reason. The outbox retries. */
export interface MailTransport {
  send(message: MailMessage): Promise<void>;
  close(): void;
}

/** nodemailer over SMTP. A server that refuses fails at once; one that accepts the
 *  connection and then says nothing fails after `timeoutMs` (connection, greeting and
 *  socket timeouts), so a hung SMTP server holds up no more than one attempt. */
function smtpTransport(config: MailConfig & { smtpUrl: string }): MailTransport {
  const transporter = nodemailer.createTransport({
    url: config.smtpUrl,
    connectionTimeout: config.timeoutMs,
    greetingTimeout: config.timeoutMs,
    socketTimeout: config.timeoutMs,
    dnsTimeout: config.timeoutMs,
  } as Parameters<typeof nodemailer.createTransport>[0]);
  return {
    async send(message) {
      await transporter.sendMail({ from: config.from, to: message.to, subject: message.subject, text: message.text, html: message.html });
    },
    close: () => transporter.close(),
  };
}

/** Development without SMTP (Django's console backend): each mail is one log line whose
 *  message is the mail as a person would read it, link included. Never in tests that
 *  check the logs for tokens: the test kit sends to its own SMTP server. */
function logTransport(config: MailConfig, logger: Logger): MailTransport {
  return {
    send(message) {
      const block = [`From: ${config.from}`, `To: ${message.to}`, `Subject: ${message.subject}`, '', message.text].join('\n');
      logger.info({ mail: { kind: message.kind, to: message.to, subject: message.subject } }, `mail (MAIL_TRANSPORT=log, not sent)\n${block}`);
      return Promise.resolve();
    },
    close: () => undefined,
  };
}

export function createMailTransport(config: MailConfig, logger: Logger): MailTransport {
  return config.transport === 'smtp' && config.smtpUrl ? smtpTransport({ ...config, smtpUrl: config.smtpUrl }) : logTransport(config, logger);
}
