/**
 * The reference: GET /api/me the way the seed lesson (and most tutorials) build it on
 * this stack. express-session with connect-redis, passport-local, and passport.session()
 * deserializing the user from the database on every request; every option left at its
 * default, exactly as a first version of such an app ships. No helmet, no CORS, no
 * request log: it does less than the Cloakroom API on every request.
 *
 * Env: PORT, REDIS_URL, REDIS_PREFIX, DATABASE_FILE (the bench's SQLite users table),
 * SESSION_SECRET.
 */
import argon2 from 'argon2';
import SQLite from 'better-sqlite3';
import { RedisStore } from 'connect-redis';
import express from 'express';
import session from 'express-session';
import { CamelCasePlugin, Kysely, SqliteDialect } from 'kysely';
import passport from 'passport';
import { Strategy as LocalStrategy } from 'passport-local';
import { createClient } from 'redis';

interface User {
  id: string;
  email: string;
  name: string | null;
  role: string;
  passwordHash: string;
  createdAt: number;
}

interface Db {
  users: User;
}

const env = (name: string) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
};

async function main() {
  const db = new Kysely<Db>({ dialect: new SqliteDialect({ database: new SQLite(env('DATABASE_FILE')) }), plugins: [new CamelCasePlugin()] });
  const redis = createClient({ url: env('REDIS_URL') });
  redis.on('error', (err: Error) => console.error('redis:', err.message));
  await redis.connect();

  passport.use(
    new LocalStrategy({ usernameField: 'email' }, (email, password, done) => {
      db.selectFrom('users')
        .selectAll()
        .where('email', '=', email)
        .executeTakeFirst()
        .then(async (user) => done(null, user && (await argon2.verify(user.passwordHash, password)) ? user : false), done);
    }),
  );
  passport.serializeUser((user, done) => done(null, (user as User).id));
  passport.deserializeUser((id: string, done) => {
    db.selectFrom('users')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst()
      .then((user) => done(null, user ?? false), done);
  });

  const app = express();
  app.use(express.json());
  app.use(session({ store: new RedisStore({ client: redis, prefix: env('REDIS_PREFIX') }), secret: env('SESSION_SECRET') }));
  app.use(passport.initialize());
  app.use(passport.session());

  const publicUser = (u: User) => ({ id: u.id, email: u.email, name: u.name, role: u.role, createdAt: new Date(u.createdAt).toISOString() });

  app.post('/api/auth/login', passport.authenticate('local') as express.RequestHandler, (req, res) => {
    res.json({ user: publicUser(req.user as User) });
  });
  // The same JSON as the Cloakroom API's /api/me.
  app.get('/api/me', (req, res) => {
    if (!req.user) return void res.status(401).json({ error: { code: 'unauthenticated', message: 'Sign in to continue' } });
    const expires = req.session.cookie.expires ?? new Date(Date.now() + 86_400_000);
    res.json({
      user: publicUser(req.user as User),
      session: { id: req.sessionID, createdAt: new Date().toISOString(), expiresAt: expires.toISOString(), idleExpiresAt: expires.toISOString() },
    });
  });
  app.get('/healthz', (_req, res) => void res.json({ status: 'ok' }));

  const server = app.listen(Number(env('PORT')), '127.0.0.1');
  process.on('SIGTERM', () => server.close(() => void redis.close().finally(() => process.exit(0))));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
