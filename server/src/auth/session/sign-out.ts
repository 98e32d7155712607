import type { SecurityEvents } from '../../events/security-events';
import type { ClientContext } from '../client';
import { sessionRef } from './session-id';
import type { HashedRedisStore } from './store';

/** Signing out ends every session the request named by a validly signed cookie: one
 *  normally; two when a second cookie was planted next to the real one (ending only
 *  one, or neither, would leave a session the user believes is gone). Each session
 *  ended once, its owner's audit trail told. */
export function signOut(store: HashedRedisStore, events: SecurityEvents) {
  return async function end(sessionIds: readonly string[], client: ClientContext): Promise<void> {
    for (const sid of sessionIds) {
      const ref = sessionRef(sid);
      const ended = ref && (await store.remove(ref));
      if (ended?.userId) await events.record(ended.userId, 'logout', client);
    }
  };
}

export type SignOut = ReturnType<typeof signOut>;
