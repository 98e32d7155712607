import { randomBytes } from 'node:crypto';
import type { SecurityEventType } from '@cloakroom/shared';
import type { Db } from './connection';

export interface NewSecurityEvent {
  userId: string;
  type: SecurityEventType;
  ip: string | null;
  userAgent: string | null;
  details?: Record<string, unknown> | undefined;
}

export interface SecurityEventRow {
  id: string;
  type: SecurityEventType;
  at: number;
  ip: string | null;
  userAgent: string | null;
  details: Record<string, unknown> | null;
}

function parseDetails(text: string | null): Record<string, unknown> | null {
  if (!text) return null;
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** Ids that sort in recording order: the time, a counter within the millisecond, then
 *  randomness. Two events of one action (a failed login that also locks) share a
 *  millisecond; listing by (at, id) still shows them in the order they happened. */
let lastMs = 0;
let sequence = 0;
function eventId(at: number): string {
  sequence = at === lastMs ? sequence + 1 : 0;
  lastMs = at;
  return `${at.toString(36).padStart(9, '0')}${sequence.toString(36).padStart(4, '0')}${randomBytes(8).toString('hex')}`;
}

export function securityEventsRepository(db: Db) {
  return {
    async insert(event: NewSecurityEvent, now = Date.now()): Promise<void> {
      await db
        .insertInto('securityEvents')
        .values({
          id: eventId(now),
          userId: event.userId,
          type: event.type,
          at: now,
          ip: event.ip,
          userAgent: event.userAgent,
          details: event.details ? JSON.stringify(event.details) : null,
        })
        .execute();
    },

    /** The user's newest events first. */
    async listForUser(userId: string, limit: number): Promise<SecurityEventRow[]> {
      const rows = await db
        .selectFrom('securityEvents')
        .selectAll()
        .where('userId', '=', userId)
        .orderBy('at', 'desc')
        .orderBy('id', 'desc')
        .limit(limit)
        .execute();
      return rows.map((r) => ({ id: r.id, type: r.type as SecurityEventType, at: r.at, ip: r.ip, userAgent: r.userAgent, details: parseDetails(r.details) }));
    },
  };
}

export type SecurityEventsRepository = ReturnType<typeof securityEventsRepository>;
