/** Times are integer milliseconds since the epoch in both SQLite and PostgreSQL, so
 *  one migration set serves both and comparisons need no date parsing. */
export interface UsersTable {
  id: string;
  email: string;
  name: string | null;
  role: 'user' | 'admin';
  passwordHash: string;
  createdAt: number;
  updatedAt: number;
  passwordChangedAt: number;
  /** Bumped with every credential change (migrations/003_credential_version.ts). */
  credentialVersion: number;
  /** When the user confirmed they receive mail at `email`; null while unverified
   *  (migrations/004_mail_tokens.ts). */
  emailVerifiedAt: number | null;
}

export type MailTokenPurpose = 'password_reset' | 'email_verify' | 'email_change';

/** A one-time token of a mailed link, by the SHA-256 of the token (migrations/004). */
export interface MailTokensTable {
  tokenHash: string;
  userId: string;
  purpose: MailTokenPurpose;
  /** The address the link was mailed to: for an email change, the new address. */
  email: string;
  createdAt: number;
  expiresAt: number;
}

/** One entry of a user's audit trail (see migrations/002_security_events.ts). */
export interface SecurityEventsTable {
  id: string;
  userId: string;
  type: string;
  at: number;
  ip: string | null;
  userAgent: string | null;
  /** JSON text, or null. */
  details: string | null;
}

export interface Database {
  users: UsersTable;
  securityEvents: SecurityEventsTable;
  mailTokens: MailTokensTable;
}

export type UserRow = UsersTable;
