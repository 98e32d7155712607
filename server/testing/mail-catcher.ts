/**
 * A real SMTP server for tests (the `smtp-server` package), on a free port of 127.0.0.1:
 * the kit's app sends its mail here, and tests read what arrived, parsed by `mailparser`,
 * with the links of each mail and the token of a link's fragment.
 */
import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { sleep } from './helpers';

export interface CaughtMail {
  /** Recipients as the SMTP envelope named them (lower-case). */
  to: string[];
  from: string;
  subject: string;
  text: string;
  html: string;
  /** Every http(s) link of the text part, in order. */
  links: string[];
  /** The `token` fragment parameter of the first link that has one (reset, verify). */
  token: string | undefined;
  receivedAt: Date;
}

export interface MailCatcher {
  /** The SMTP_URL to give the app: smtp://127.0.0.1:<port>. */
  url: string;
  port: number;
  /** Every mail received so far, oldest first. */
  mails(): CaughtMail[];
  /** The newest mail to `to` received after `after` mails in all (default: any), waiting
   *  up to `timeoutMs` for one to arrive. */
  lastMail(to: string, options?: { timeoutMs?: number; after?: number }): Promise<CaughtMail>;
  /** Waits until `count` mails in all have arrived. */
  waitForCount(count: number, timeoutMs?: number): Promise<CaughtMail[]>;
  /** Stops listening (the port then refuses connections, as a dead SMTP server would). */
  stop(): Promise<void>;
  /** Listens again on the same port. */
  start(): Promise<void>;
}

const LINK = /https?:\/\/[^\s<>"]+/g;

function tokenOf(links: string[]): string | undefined {
  for (const link of links) {
    const hash = new URL(link).hash.slice(1);
    const token = new URLSearchParams(hash).get('token');
    if (token) return token;
  }
  return undefined;
}

async function waitUntil<T>(find: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = find();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`mail catcher: ${what} did not arrive within ${timeoutMs} ms`);
    await sleep(25);
  }
}

/** `port`: listen there (for a test that brings SMTP back where the app expects it); a
 *  free port by default. */
export async function createMailCatcher(options: { port?: number } = {}): Promise<MailCatcher> {
  const received: CaughtMail[] = [];
  const newServer = () =>
    new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData(stream, session, callback) {
        simpleParser(stream).then(
          (parsed) => {
            const text = parsed.text ?? '';
            const links = text.match(LINK) ?? [];
            received.push({
              to: session.envelope.rcptTo.map((r) => r.address.toLowerCase()),
              from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
              subject: parsed.subject ?? '',
              text,
              html: typeof parsed.html === 'string' ? parsed.html : '',
              links,
              token: tokenOf(links),
              receivedAt: new Date(),
            });
            callback();
          },
          (err: Error) => callback(err),
        );
      },
    });

  let server = newServer();
  let port = options.port ?? 0;
  const listen = () =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        port = (server.server.address() as AddressInfo).port;
        resolve();
      });
    });
  await listen();

  const catcher: MailCatcher = {
    url: `smtp://127.0.0.1:${port}`,
    port,
    mails: () => [...received],
    lastMail(to, options = {}) {
      const address = to.toLowerCase();
      return waitUntil(
        () =>
          received
            .slice(options.after ?? 0)
            .filter((m) => m.to.includes(address))
            .at(-1),
        options.timeoutMs ?? 10_000,
        `a mail to ${to}`,
      );
    },
    waitForCount(count, timeoutMs = 10_000) {
      return waitUntil(() => (received.length >= count ? [...received] : undefined), timeoutMs, `${count} mails`);
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
    async start() {
      server = newServer();
      await listen();
    },
  };
  return catcher;
}
