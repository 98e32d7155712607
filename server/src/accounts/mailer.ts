import type { Logger } from 'pino';
import { PAGES, tokenLink } from '@cloakroom/shared';
import type { ClientContext } from '../auth/client';
import type { UserRow } from '../db/users';
import type { MailOutbox } from '../mail/outbox';
import { mails } from '../mail/templates';
import type { MailTokens } from '../tokens/mail-tokens';

/** The account mails: each issues its token (if any), builds the message and hands it
 *  to the outbox. The domain calls these; none of them knows about HTTP. */
export function accountMailer(deps: {
  outbox: MailOutbox;
  tokens: MailTokens;
  appOrigin: string;
  ttls: { resetMs: number; verifyMs: number };
  logger: Logger;
}) {
  const { outbox, tokens, appOrigin, ttls, logger } = deps;
  const device = (client: ClientContext) => ({ at: new Date(), userAgent: client.userAgent, ip: client.ip });

  return {
    async passwordReset(user: UserRow): Promise<void> {
      const token = await tokens.issue(user.id, 'password_reset', user.email);
      await outbox.enqueue(mails.passwordReset(user.email, tokenLink(appOrigin, PAGES.resetPassword, token), ttls.resetMs));
    },

    async verification(user: Pick<UserRow, 'id' | 'email'>): Promise<void> {
      const token = await tokens.issue(user.id, 'email_verify', user.email);
      await outbox.enqueue(mails.verifyEmail(user.email, tokenLink(appOrigin, PAGES.verifyEmail, token), ttls.verifyMs));
    },

    async emailChange(user: UserRow, newEmail: string, client: ClientContext): Promise<void> {
      const token = await tokens.issue(user.id, 'email_change', newEmail);
      await outbox.enqueue(mails.emailChangeConfirm(newEmail, tokenLink(appOrigin, PAGES.verifyEmail, token), ttls.verifyMs));
      await outbox.enqueue(mails.emailChangeNotice(user.email, newEmail, device(client)));
    },

    /** A notice is a courtesy: if it cannot even be queued, the change it reports stands
     *  and the failure is logged. */
    async passwordChanged(user: Pick<UserRow, 'id' | 'email'>, client: ClientContext): Promise<void> {
      await outbox.enqueue(mails.passwordChanged(user.email, device(client))).catch((err: unknown) => {
        logger.warn({ kind: 'password_changed', reason: err instanceof Error ? err.message : String(err) }, 'mail not queued');
      });
    },

    /** A recovery code stood in for the second factor: the owner should know at once. */
    async recoveryCodeUsed(user: Pick<UserRow, 'id' | 'email'>, client: ClientContext): Promise<void> {
      await outbox.enqueue(mails.recoveryCodeUsed(user.email, device(client))).catch((err: unknown) => {
        logger.warn({ kind: 'recovery_code_used', reason: err instanceof Error ? err.message : String(err) }, 'mail not queued');
      });
    },
  };
}

export type AccountMailer = ReturnType<typeof accountMailer>;
