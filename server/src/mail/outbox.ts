import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { MailConfig } from '../config/env';
import type { Redis } from '../redis/client';
import type { RedisKeys } from '../redis/keys';
import { defineScript } from '../redis/script';
import type { MailKind, MailMessage } from './message';
import type { Sealer } from './seal';
import type { MailTransport } from './transport';

/** Due mails (score <= now) are leased to the caller: their score moves to the end of
 *  the lease, so another instance (or this one after a crash) takes them again only if
 *  this attempt never reports back. At least once, never lost. */
const claimDue = defineScript(
  'claimDue',
  `
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[3]))
for _, id in ipairs(ids) do redis.call('ZADD', KEYS[1], ARGV[2], id) end
return ids
`,
);

/** Mails claimed per round. */
const BATCH = 10;

interface JobRecord {
  sealed: string;
  kind: MailKind;
  attempts: number;
}

/**
 * The durable mail outbox (ASVS 6.4: recovery must not depend on a request's luck).
 * `enqueue` writes the mail to Redis (sealed: it may carry a live token) and returns;
 * the worker sends it, and on failure retries with exponential backoff until
 * `maxAttempts`. A mail accepted survives an API restart and an SMTP outage; a failure
 * is logged with its reason and the mail's kind and id, never its address or body.
 * Any instance's worker may send any mail.
 */
export function mailOutbox(deps: { redis: Redis; keys: RedisKeys; transport: MailTransport; sealer: Sealer; config: MailConfig; logger: Logger }) {
  const { redis, keys, transport, sealer, config, logger } = deps;
  const log = logger.child({ component: 'mail' });
  const leaseMs = Math.max(60_000, config.timeoutMs * 4);
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let again = false;
  let stopped = true;

  const backoffMs = (attempts: number) => Math.min(config.retryBaseMs * 2 ** (attempts - 1), config.retryMaxMs);

  async function forget(id: string): Promise<void> {
    await redis.multi().zRem(keys.mailOutbox, id).del(keys.mailJob(id)).exec();
  }

  async function deliver(id: string): Promise<void> {
    const raw = await redis.hGetAll(keys.mailJob(id));
    if (!raw.sealed) {
      // Sent and forgotten by another worker between its claim and ours.
      await redis.zRem(keys.mailOutbox, id);
      return;
    }
    const job: JobRecord = { sealed: raw.sealed, kind: raw.kind as MailKind, attempts: Number(raw.attempts ?? 0) };
    const plain = sealer.unseal(job.sealed);
    if (plain === null) {
      log.error({ mailId: id, kind: job.kind }, 'mail dropped: sealed under a secret no longer in SESSION_SECRET');
      await forget(id);
      return;
    }
    const message = JSON.parse(plain) as MailMessage;
    const attempt = job.attempts + 1;
    try {
      await transport.send(message);
      await forget(id);
      log.info({ mailId: id, kind: job.kind, attempt }, 'mail sent');
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      if (attempt >= config.maxAttempts) {
        log.error({ mailId: id, kind: job.kind, attempt, reason }, 'mail given up after its last attempt');
        await forget(id);
        return;
      }
      const retryInMs = backoffMs(attempt);
      log.warn({ mailId: id, kind: job.kind, attempt, reason, retryInMs }, 'mail not sent; will retry');
      await redis
        .multi()
        .hSet(keys.mailJob(id), 'attempts', String(attempt))
        .zAdd(keys.mailOutbox, { score: Date.now() + retryInMs, value: id })
        .exec();
    }
  }

  async function round(): Promise<void> {
    do {
      again = false;
      const now = Date.now();
      const ids = (await claimDue(redis, [keys.mailOutbox], [String(now), String(now + leaseMs), String(BATCH)])) as string[];
      for (const id of ids) await deliver(id);
      if (ids.length === BATCH) again = true;
    } while (again && !stopped);
  }

  /** Runs a round unless one is running (which then goes round once more). */
  function kick(): void {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    running = round()
      .catch((err: unknown) => log.warn({ reason: err instanceof Error ? err.message : String(err) }, 'mail outbox unavailable; will try again'))
      .finally(() => (running = undefined));
  }

  return {
    /** Accepts a mail for sending: once this resolves, it is in Redis and will be sent
     *  (or given up after its attempts, with an error in the log). */
    async enqueue(message: MailMessage): Promise<void> {
      const id = randomUUID();
      await redis
        .multi()
        .hSet(keys.mailJob(id), { sealed: sealer.seal(JSON.stringify(message)), kind: message.kind, attempts: '0' })
        .zAdd(keys.mailOutbox, { score: Date.now(), value: id })
        .exec();
      kick();
    },

    /** Starts sending: now, then every poll interval (mails due for a retry, mails left by
     *  a stopped instance). */
    start(): void {
      if (!stopped) return;
      stopped = false;
      timer = setInterval(kick, config.pollIntervalMs);
      timer.unref();
      kick();
    },

    /** Stops sending and waits for the round in flight. Unsent mails stay queued. */
    async stop(): Promise<void> {
      stopped = true;
      clearInterval(timer);
      await running;
      transport.close();
    },

    /** Mails waiting (due now or later), for tests and probes. */
    pending(): Promise<number> {
      return redis.zCard(keys.mailOutbox);
    },
  };
}

export type MailOutbox = ReturnType<typeof mailOutbox>;
