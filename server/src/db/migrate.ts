import { Migrator, type MigrationProvider } from 'kysely';
import type { Db } from './connection';
import { migrations } from './migrations';

const provider: MigrationProvider = { getMigrations: () => Promise.resolve(migrations) };

/** Brings the schema up to date; throws with the failing migration's name.
 *  `schema` (PostgreSQL, when the app runs in a schema of its own) pins Kysely's
 *  bookkeeping tables there: without it Kysely looks for them in every schema of the
 *  database, finds another app's, and then fails to use its own. */
export async function migrateToLatest(db: Db, schema?: string): Promise<string[]> {
  const { error, results } = await new Migrator({ db, provider, ...(schema ? { migrationTableSchema: schema } : {}) }).migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName;
    const message = error instanceof Error ? error.message : JSON.stringify(error);
    // No failing migration means Kysely never got as far as running one (no connection).
    throw new Error(failed ? `migration ${failed} failed: ${message}` : message, { cause: error });
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
