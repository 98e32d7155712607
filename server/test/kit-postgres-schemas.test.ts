/**
 * The test kit on PostgreSQL: every app has a schema of its own, dropped by close(). Apps
 * closing in one Jest worker must not break apps starting in another: CI once failed with
 * "schema test_… does not exist" from a start-up whose migrator looked at every schema
 * while another worker dropped its own (server/testing/pg-schemas.ts).
 * PostgreSQL only: it runs when TEST_DATABASE_URL is set (`.ci/run` sets it).
 */
import { Client } from 'pg';
import { createTestApp, testDatabases } from '@cloakroom/server/testing';
import { dropSchema, newSchemaName } from '../testing/pg-schemas';

jest.setTimeout(120_000);

const postgres = testDatabases().find((d) => d.name === 'postgres');

async function query<R extends object>(url: string, text: string, values: unknown[] = []) {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<R>(text, values)).rows;
  } finally {
    await client.end();
  }
}

if (postgres)
  describe('test apps on PostgreSQL', () => {
    const { databaseUrl } = postgres;

    test('apps start while other tests drop their schemas, one after another: every app starts, and every dropped schema is gone', async () => {
      // Many schemas with tables, as a full run has: the migrator's look at every schema
      // takes long enough for drops to land in the middle of it.
      const others = Array.from({ length: 120 }, newSchemaName);
      await query(databaseUrl, others.map((schema) => `create schema ${schema}; create table ${schema}.t (id serial primary key, a text, b text)`).join(';'));

      let dropping = true;
      const drops = (async () => {
        for (const schema of others) await dropSchema(databaseUrl, schema);
        dropping = false;
      })();
      const started: string[] = [];
      try {
        // Three rounds of four: before the fix the first round already failed.
        for (let round = 0; round < 3 && dropping; round++) {
          const starts = await Promise.allSettled(Array.from({ length: 4 }, () => createTestApp({ databaseUrl })));
          const kits = starts.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
          started.push(...kits.map((kit) => kit.schema!));
          await Promise.all(kits.map((kit) => kit.close()));
          for (const s of starts) if (s.status === 'rejected') throw s.reason;
        }
      } finally {
        await drops;
      }

      expect(started.length).toBeGreaterThanOrEqual(4);
      const left = await query<{ nspname: string }>(databaseUrl, 'select nspname from pg_namespace where nspname = any($1)', [[...others, ...started]]);
      expect(left).toEqual([]);
    });
  });
else test.todo('test apps on PostgreSQL (set TEST_DATABASE_URL)');
