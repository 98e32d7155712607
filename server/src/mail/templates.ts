import type { MailMessage } from './message';

/** The mails the API sends. Plain words, one link each; the HTML part says the same as
 *  the text part. Tokens appear only inside the link (in its fragment). */

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function message(kind: MailMessage['kind'], to: string, subject: string, paragraphs: string[], link?: { url: string; label: string }): MailMessage {
  const text = [...paragraphs, ...(link ? [`${link.label}:\n${link.url}`] : [])].join('\n\n');
  const html = [
    ...paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`),
    ...(link ? [`<p><a href="${escapeHtml(link.url)}">${escapeHtml(link.label)}</a></p>`] : []),
  ].join('\n');
  return { kind, to, subject, text: `${text}\n`, html };
}

const minutes = (ms: number) => Math.round(ms / 60_000);
const hours = (ms: number) => Math.round(ms / 3_600_000);

export interface Device {
  at: Date;
  userAgent: string | null;
  ip: string | null;
}

const deviceLine = (d: Device) => `When: ${d.at.toUTCString()}. Device: ${d.userAgent ?? 'unknown'}${d.ip ? ` (address ${d.ip})` : ''}.`;

export const mails = {
  passwordReset: (to: string, url: string, ttlMs: number) =>
    message(
      'password_reset',
      to,
      'Reset your Cloakroom password',
      [
        'Someone (hopefully you) asked to reset the password of the Cloakroom account for this address.',
        `The link below works once, for ${minutes(ttlMs)} minutes. If you did not ask, ignore this mail: your password stays as it is.`,
      ],
      { url, label: 'Choose a new password' },
    ),

  passwordChanged: (to: string, device: Device) =>
    message('password_changed', to, 'Your Cloakroom password was changed', [
      'The password of your Cloakroom account was just changed, and every session of the account was signed out.',
      deviceLine(device),
      'If this was not you, reset your password at once from the sign-in page ("Forgot password?") and check your account.',
    ]),

  recoveryCodeUsed: (to: string, device: Device) =>
    message('recovery_code_used', to, 'A recovery code was used to sign in to Cloakroom', [
      'One of the recovery codes of your Cloakroom account was just used to sign in, in place of your authenticator app. That code will not work again.',
      deviceLine(device),
      'If this was not you, someone has your password and a recovery code: reset your password from the sign-in page ("Forgot password?"), then make new recovery codes on the Security page.',
    ]),

  verifyEmail: (to: string, url: string, ttlMs: number) =>
    message(
      'email_verify',
      to,
      'Confirm your email address for Cloakroom',
      ['Confirm that this address belongs to your Cloakroom account.', `The link works once, for ${hours(ttlMs)} hours.`],
      { url, label: 'Confirm my email address' },
    ),

  emailChangeConfirm: (to: string, url: string, ttlMs: number) =>
    message(
      'email_change_confirm',
      to,
      'Confirm your new email address for Cloakroom',
      [
        'Someone asked to move a Cloakroom account to this address. The change applies only once you follow the link below.',
        `The link works once, for ${hours(ttlMs)} hours. If you did not ask for this, ignore this mail.`,
      ],
      { url, label: 'Confirm my new email address' },
    ),

  emailChangeNotice: (to: string, newEmail: string, device: Device) =>
    message('email_change_notice', to, 'Your Cloakroom email address is about to change', [
      `Someone signed in to your Cloakroom account asked to change its email address to ${newEmail}. It changes only when the new address confirms.`,
      deviceLine(device),
      'If this was not you, change your password now: that signs out every other session and voids the request.',
    ]),
};
