import type { Logger } from 'pino';
import { createPasswordHasher } from './auth/passwords/hasher';
import type { Config } from './config/env';
import { createDatabase, databaseKind, type DatabaseOptions, type Db } from './db/connection';
import { secondFactorsRepository } from './db/second-factors';
import { migrateToLatest } from './db/migrate';
import { explainDatabaseFailure } from './db/startup-error';
import { connectRedis, createRedis } from './redis/client';
import { redactUrl, StartupError } from './startup';
import type { Infrastructure } from './services';

async function within<T>(ms: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([work, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

/** Opens the database and brings its schema up to date, or fails within a few seconds
 *  with a one-line StartupError naming the cause and what to do (db/startup-error.ts). Returns the migrations applied. */
export async function connectDatabase(databaseUrl: string, dbOptions: DatabaseOptions = {}): Promise<{ db: Db; applied: string[] }> {
  let db: Db | undefined;
  try {
    db = await createDatabase(databaseUrl, dbOptions);
    return { db, applied: await within(5000, migrateToLatest(db, dbOptions.schema)) };
  } catch (err) {
    await db?.destroy().catch(() => undefined);
    throw new StartupError(explainDatabaseFailure(redactUrl(databaseUrl), databaseUrl, err));
  }
}

/** Connects Redis and the database and migrates the schema, or fails within a few
 *  seconds with a StartupError saying which service is missing and how to start it. */
export async function connectInfrastructure(config: Config, logger: Logger, dbOptions: DatabaseOptions = {}): Promise<Infrastructure> {
  const redis = createRedis(config.redis.topology, config.redis.timeoutMs, logger);
  await connectRedis(redis, config.redis);

  let db: Db;
  try {
    const connected = await connectDatabase(config.databaseUrl, { pool: config.databasePool, ...dbOptions });
    db = connected.db;
    if (connected.applied.length) logger.info({ applied: connected.applied }, 'database migrated');
  } catch (err) {
    await redis.close().catch(() => undefined);
    throw err;
  }

  // Without DATA_ENCRYPTION_KEY (production), stored second factors could not be read:
  // every such user would be locked out. Refuse to start instead, saying why.
  if (config.mfa.encryptionKeys.length === 0 && (await secondFactorsRepository(db).anyTotp())) {
    await Promise.allSettled([redis.close(), db.destroy()]);
    throw new StartupError(
      'DATA_ENCRYPTION_KEY is not set, but users have second factors encrypted under it: set DATA_ENCRYPTION_KEY (the same key list as before) and start again',
    );
  }

  const hasher = await createPasswordHasher(config.passwordHash);
  // Readiness asks "does the database answer?", not "is a pooled connection free?": with
  // every instance's pool busy at a peak, the second answer would take them all out of
  // the load balancer at once. The probe's pool opens its one connection when first asked.
  const probeDb =
    databaseKind(config.databaseUrl) === 'postgres'
      ? await createDatabase(config.databaseUrl, {
          pool: { max: 1, statementTimeoutMs: config.databasePool.statementTimeoutMs },
          ...(dbOptions.schema ? { schema: dbOptions.schema } : {}),
        })
      : undefined;
  return { config, logger, redis, db, ...(probeDb ? { probeDb } : {}), hasher };
}

export async function closeInfrastructure(infra: Pick<Infrastructure, 'redis' | 'db' | 'probeDb'>): Promise<void> {
  await Promise.allSettled([infra.redis.isOpen ? infra.redis.close() : Promise.resolve(), infra.db.destroy(), infra.probeDb?.destroy()]);
}
