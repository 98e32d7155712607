import type { Migration } from 'kysely';
import * as users from './001_users';
import * as securityEvents from './002_security_events';
import * as credentialVersion from './003_credential_version';
import * as mailTokens from './004_mail_tokens';

/** One migration set for SQLite and PostgreSQL, applied in name order. Listed here
 *  rather than read from disk so the same code runs from src (tests) and dist. */
export const migrations: Record<string, Migration> = {
  '001_users': users,
  '002_security_events': securityEvents,
  '003_credential_version': credentialVersion,
  '004_mail_tokens': mailTokens,
};
