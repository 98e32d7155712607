import cors from 'cors';
import express, { type Express, type RequestHandler } from 'express';
import helmet from 'helmet';
import { errorHandler, notFound } from './http/middleware/error-handler';
import { jsonOnly } from './http/middleware/json-only';
import { sessionMiddleware } from './http/middleware/session';
import { authRoutes } from './http/routes/auth';
import { healthRoutes } from './http/routes/health';
import { meRoutes } from './http/routes/me';
import { requestLogger } from './logging/logger';
import { createServices, type Infrastructure, type Services } from './services';

export type { Infrastructure, Services };

/** Nothing a response of this API says may be stored by a browser or a shared cache. */
const noStore: RequestHandler = (_req, res, next) => {
  res.setHeader('Cache-Control', 'no-store');
  next();
};

/** Builds the Express app from its dependencies; it does not listen (supertest and
 *  main.ts decide that). */
export function createApp(infra: Infrastructure): { app: Express; services: Services } {
  const { config, logger, redis, db } = infra;
  const services = createServices(infra);
  const session = sessionMiddleware({
    store: services.store,
    cookie: services.cookie,
    secrets: config.session.secrets,
    limits: services.limits,
    authenticate: services.authenticate,
  });

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('trust proxy', config.trustProxy);

  app.use(requestLogger(logger));
  app.use(
    helmet({
      contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"], baseUri: ["'none'"], formAction: ["'none'"] } },
      referrerPolicy: { policy: 'no-referrer' },
      strictTransportSecurity: config.cookie.secure ? { maxAge: 31_536_000, includeSubDomains: true } : false,
    }),
  );
  // Exact-match allowlist; never a reflected origin, never `*` with credentials.
  const allowed = new Set(config.cors.origins);
  app.use(cors({ origin: (origin, cb) => cb(null, origin !== undefined && allowed.has(origin)), credentials: true, maxAge: 600 }));
  app.use(noStore);
  app.use(jsonOnly);
  app.use(express.json({ limit: '100kb' }));

  app.use(healthRoutes(redis, db));
  app.use('/api/auth', authRoutes({ accounts: services.accounts, passport: services.passport, session, cookie: services.cookie, secrets: config.session.secrets }));
  app.use('/api', meRoutes(session));

  app.use(notFound);
  app.use(errorHandler(logger));
  return { app, services };
}
