import fs from 'node:fs';
import path from 'node:path';
import type { Database as SQLiteDatabase, Statement as SQLiteStatement } from 'better-sqlite3';
import { CamelCasePlugin, Kysely, PostgresDialect, SqliteDialect, type LogEvent, type SqliteDatabase } from 'kysely';
import type { Database } from './schema';

export type Db = Kysely<Database>;
export type DatabaseKind = 'sqlite' | 'postgres';

export interface DatabaseOptions {
  /** PostgreSQL only: a schema to use instead of `public` (test isolation). */
  schema?: string;
  /** Told the text of every SQL statement run, however it is run (Kysely or the SQLite
   *  statement of users.findById): how tests count queries. */
  onQuery?: (sql: string) => void;
  /** PostgreSQL only: DATABASE_POOL_MAX and DATABASE_STATEMENT_TIMEOUT_MS. */
  pool?: { max: number; statementTimeoutMs: number };
}

/** How long a request waits for a free pooled connection before it fails (503): when
 *  every connection is busy, answering fast beats queueing until the client gives up. */
const POOL_WAIT_MS = 2000;

export function databaseKind(url: string): DatabaseKind {
  return url.startsWith('sqlite:') ? 'sqlite' : 'postgres';
}

/** `sqlite::memory:` → in memory; `sqlite:./data/x.db` → that file (folder created). */
function sqliteFile(url: string): string {
  const file = url.slice('sqlite:'.length);
  if (file === ':memory:' || file === '') return ':memory:';
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  return file;
}

/** Kysely's SQLite driver prepares every query anew, and preparing cost as much as
 *  running the user lookup of GET /api/me (CPU profile, docs/performance.md). The
 *  app issues a small fixed set of SQL strings, so prepared statements are kept and
 *  reused; a statement still busy (an open iterator) is never shared, and the cache is
 *  bounded in case some query ever varies its text. */
function withStatementCache(sqlite: SQLiteDatabase, max = 256): SqliteDatabase {
  const cache = new Map<string, SQLiteStatement>();
  return {
    close: () => sqlite.close(),
    prepare(sql: string) {
      let statement = cache.get(sql);
      if (!statement || statement.busy) {
        statement = sqlite.prepare(sql);
        if (cache.size >= max) cache.clear();
        cache.set(sql, statement);
      }
      return statement;
    },
  };
}

const sqliteHandles = new WeakMap<Db, SQLiteDatabase>();

/** The better-sqlite3 connection behind a database made by createDatabase, if it is
 *  SQLite: for the one query hot enough to skip Kysely's executor (users.findById). */
export function sqliteHandle(db: Db): SQLiteDatabase | undefined {
  return sqliteHandles.get(db);
}

export async function createDatabase(url: string, options: DatabaseOptions = {}): Promise<Db> {
  const plugins = [new CamelCasePlugin()];
  if (databaseKind(url) === 'sqlite') {
    const { default: SQLite } = await import('better-sqlite3');
    // A locked database blocks the event loop while better-sqlite3 waits, so keep the
    // wait short; WAL lets readers proceed while a writer holds the lock.
    const sqlite = new SQLite(sqliteFile(url), { timeout: 500, ...(options.onQuery ? { verbose: (text: unknown) => options.onQuery!(String(text)) } : {}) });
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('foreign_keys = ON');
    const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }), plugins });
    sqliteHandles.set(db, sqlite);
    return db;
  }
  const pg = await import('pg');
  // int8 (bigint) columns hold millisecond times, well inside Number's exact range.
  pg.types.setTypeParser(pg.types.builtins.INT8, (v: string) => Number(v));
  const { max, statementTimeoutMs } = options.pool ?? { max: 10, statementTimeoutMs: 5000 };
  const pool = new pg.Pool({
    connectionString: url,
    max,
    connectionTimeoutMillis: POOL_WAIT_MS,
    // The server cancels a statement running longer (SQLSTATE 57014, a 503), which frees
    // its connection and its locks; the client-side limit a second later only covers a
    // server that stopped answering altogether.
    statement_timeout: statementTimeoutMs,
    query_timeout: statementTimeoutMs + 1000,
    ...(options.schema ? { options: `-c search_path=${options.schema}` } : {}),
  });
  // An idle client losing its connection emits 'error' on the pool; unhandled, it
  // would crash the process. Queries report the outage themselves.
  pool.on('error', () => undefined);
  const onQuery = options.onQuery;
  const log =
    onQuery &&
    ((event: LogEvent) => {
      if (event.level === 'query') onQuery(event.query.sql);
    });
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }), plugins, ...(log ? { log } : {}) });
}

/** Answers quickly whether the database responds (readiness, start-up check). */
export async function pingDatabase(db: Db): Promise<void> {
  await db
    .selectFrom('users')
    .select((eb) => eb.lit(1).as('one'))
    .limit(1)
    .execute();
}
