/**
 * Each test app on PostgreSQL gets a schema of its own in the one test database, dropped
 * when the app closes. Kysely's migrator asks PostgreSQL about the tables of every schema
 * (`has_schema_privilege`, `pg_get_serial_sequence` per row) before it takes its own
 * lock, and PostgreSQL raises "schema … does not exist" when one of them is dropped during
 * that query: another worker closing its app broke this one's start-up. So drops and
 * start-ups meet at an advisory lock: start-ups hold it shared (any number together), a
 * drop holds it alone.
 */
import { randomBytes } from 'node:crypto';

/** An advisory lock key of the test kit's own (not Kysely's migration lock). */
const SCHEMA_LOCK = 7_340_021_113;

async function connected(url: string) {
  const { Client } = await import('pg');
  const client = new Client({ connectionString: url });
  await client.connect();
  return client;
}

/** Runs `work` (an app starting up: its migrations) while no test schema is dropped. */
export async function whileNoSchemaIsDropped<T>(url: string, work: () => Promise<T>): Promise<T> {
  // A server that cannot be reached is for `work` to report, in its own words.
  const client = await connected(url).catch(() => undefined);
  if (!client) return work();
  try {
    await client.query('select pg_advisory_lock_shared($1)', [SCHEMA_LOCK]);
    return await work();
  } finally {
    // Ending the session lets the lock go.
    await client.end();
  }
}

/** Drops a test schema and everything in it, once no app is starting up. */
export async function dropSchema(url: string, schema: string): Promise<void> {
  const client = await connected(url);
  try {
    await client.query('select pg_advisory_lock($1)', [SCHEMA_LOCK]);
    await client.query(`drop schema if exists ${schema} cascade`);
  } finally {
    await client.end();
  }
}

export const newSchemaName = () => `test_${randomBytes(6).toString('hex')}`;

export async function createSchema(url: string): Promise<{ schema: string; drop: () => Promise<void> }> {
  const schema = newSchemaName();
  const admin = await connected(url);
  await admin.query(`create schema ${schema}`).finally(() => admin.end());
  return { schema, drop: () => dropSchema(url, schema) };
}
