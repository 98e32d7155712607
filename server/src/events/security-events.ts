import type { Logger } from 'pino';
import type { SecurityEventType } from '@cloakroom/shared';
import type { ClientContext } from '../auth/client';
import type { SecurityEventRow, SecurityEventsRepository } from '../db/security-events';

/** How many events `GET /api/auth/events` returns at most. */
export const RECENT_EVENTS = 50;

/** The audit trail of each user. Recording never fails the action it records: a write
 *  that fails is logged and dropped. `settled()` waits for writes still in flight
 *  (some are deliberately not awaited by the action, see the login route). */
export function securityEvents(repository: SecurityEventsRepository, logger: Logger) {
  const pending = new Set<Promise<void>>();

  function record(userId: string, type: SecurityEventType, client: ClientContext, details?: Record<string, unknown>): Promise<void> {
    let write: Promise<void>;
    try {
      write = repository.insert({ userId, type, ip: client.ip, userAgent: client.userAgent, details });
    } catch (err) {
      write = Promise.reject(err);
    }
    const done = write.catch((err: unknown) => {
      logger.warn({ type, reason: err instanceof Error ? err.message : String(err) }, 'security event not recorded');
    });
    pending.add(done);
    void done.finally(() => pending.delete(done));
    return done;
  }

  return {
    record,
    recent(userId: string): Promise<SecurityEventRow[]> {
      return repository.listForUser(userId, RECENT_EVENTS);
    },
    async settled(): Promise<void> {
      while (pending.size) await Promise.all([...pending]);
    },
  };
}

export type SecurityEvents = ReturnType<typeof securityEvents>;
