import { randomUUID } from 'node:crypto';
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

export function securityEventsRepository(db: Db) {
  return {
    async insert(event: NewSecurityEvent, now = Date.now()): Promise<void> {
      await db
        .insertInto('securityEvents')
        .values({
          id: randomUUID(),
          userId: event.userId,
          type: event.type,
          at: now,
          ip: event.ip,
          userAgent: event.userAgent,
          details: event.details ? JSON.stringify(event.details) : null,
        })
        .execute();
    },

    /** The user's newest events first (ties broken by id so pages are stable). */
    async listForUser(userId: string, limit: number): Promise<SecurityEventRow[]> {
      const rows = await db.selectFrom('securityEvents').selectAll().where('userId', '=', userId).orderBy('at', 'desc').orderBy('id', 'desc').limit(limit).execute();
      return rows.map((r) => ({ id: r.id, type: r.type as SecurityEventType, at: r.at, ip: r.ip, userAgent: r.userAgent, details: parseDetails(r.details) }));
    },
  };
}

export type SecurityEventsRepository = ReturnType<typeof securityEventsRepository>;
