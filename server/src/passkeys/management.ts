import type { ClientContext } from '../auth/client';
import type { PasskeyRow, PasskeysRepository } from '../db/passkeys';
import type { SecurityEvents } from '../events/security-events';

/** A user's own passkeys: list, rename, remove (removal is audited). Someone else's
 *  passkey ID finds nothing. */
export function passkeyManagement(deps: { passkeys: PasskeysRepository; events: SecurityEvents }) {
  const { passkeys, events } = deps;
  return {
    list: (userId: string): Promise<PasskeyRow[]> => passkeys.listForUser(userId),
    rename: (userId: string, id: string, name: string): Promise<PasskeyRow | undefined> => passkeys.rename(userId, id, name),
    async remove(userId: string, id: string, client: ClientContext): Promise<boolean> {
      const removed = await passkeys.remove(userId, id);
      if (!removed) return false;
      await events.record(userId, 'passkey_removed', client, { passkey: removed.id, name: removed.name });
      return true;
    },
    /** Whether the user can prove possession of a passkey (re-authentication, second factor). */
    has: async (userId: string): Promise<boolean> => (await passkeys.countForUser(userId)) > 0,
  };
}

export type PasskeyManagement = ReturnType<typeof passkeyManagement>;
