/** What the outbox sends: one message to one address. `kind` names it in logs (never
 *  the body, which may hold a link with a token). */
export type MailKind = 'password_reset' | 'password_changed' | 'email_verify' | 'email_change_confirm' | 'email_change_notice' | 'recovery_code_used';

export interface MailMessage {
  kind: MailKind;
  to: string;
  subject: string;
  text: string;
  html: string;
}
