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
  /** When the user's second factor was turned on; null without one (migrations/005). */
  secondFactorAt: number | null;
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

/** A user's authenticator app (migrations/005_second_factor.ts). */
export interface TotpCredentialsTable {
  userId: string;
  /** Encrypted (mfa/secret-box.ts), never the secret itself. */
  secret: string;
  createdAt: number;
  confirmedAt: number | null;
  lastUsedStep: number | null;
}

/** One recovery code, as its hash. */
export interface RecoveryCodesTable {
  userId: string;
  codeHash: string;
  createdAt: number;
  usedAt: number | null;
}

export interface Database {
  users: UsersTable;
  securityEvents: SecurityEventsTable;
  totpCredentials: TotpCredentialsTable;
  recoveryCodes: RecoveryCodesTable;
  mailTokens: MailTokensTable;
}

export type UserRow = UsersTable;
