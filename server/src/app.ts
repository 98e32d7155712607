import express, { type Express, type RequestHandler } from 'express';
import { deviceCookie } from './http/device-cookie';
import { corsPolicy } from './http/middleware/cors';
import { csrfOriginCheck } from './http/middleware/csrf';
import { errorHandler, notFound } from './http/middleware/error-handler';
import { jsonOnly } from './http/middleware/json-only';
import { rateLimits } from './http/middleware/rate-limits';
import { securityHeaders } from './http/middleware/security-headers';
import { sessionMiddleware } from './http/middleware/session';
import { localCredentials } from './http/passport';
import { adminRoutes } from './http/routes/admin';
import { authRoutes } from './http/routes/auth';
import { eventRoutes } from './http/routes/events';
import { healthRoutes } from './http/routes/health';
import { meRoutes } from './http/routes/me';
import { passwordRoutes } from './http/routes/password';
import { sessionRoutes } from './http/routes/sessions';
import { sessionCookie } from './http/session-cookie';
import { requestLogger } from './logging/logger';
import { createServices, type Infrastructure, type Services } from './services';

export type { Infrastructure, Services };

/** Nothing a response of this API says may be stored by a browser or a shared cache,
 *  and what it says depends on who is signed in (ASVS 14.2.2, 14.3.2). */
const noStore: RequestHandler = (_req, res, next) => {
  res.setHeader('Cache-Control', 'no-store');
  res.vary('Cookie');
  next();
};

/** Builds the Express app from its dependencies; it does not listen (supertest and
 *  main.ts decide that). */
export function createApp(infra: Infrastructure): { app: Express; services: Services } {
  const { config, logger, redis, db } = infra;
  const services = createServices(infra);
  const cookie = sessionCookie(config);
  const session = sessionMiddleware({
    store: services.store,
    cookie,
    secrets: config.session.secrets,
    limits: services.limits,
    authenticate: services.authenticate,
    readSession: services.readSession,
  });

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('trust proxy', config.trustProxy);

  app.use(requestLogger(logger));
  app.use(securityHeaders(config));
  app.use(corsPolicy(config.cors.origins));
  app.use(noStore);
  // Before anything reads a body or a session: a refused request changes nothing.
  app.use(csrfOriginCheck([config.appOrigin, ...config.cors.origins]));
  app.use(jsonOnly);
  app.use(express.json({ limit: '100kb' }));

  app.use(healthRoutes(redis, db));
  const limits = rateLimits(redis, services.keys, config.limits, logger);
  app.use(
    '/api/auth',
    authRoutes({
      accounts: services.accounts,
      credentials: localCredentials(services.accounts),
      session,
      cookie,
      device: deviceCookie(services.devices, cookie, config.deviceTrustMs),
      secrets: config.session.secrets,
      signIn: services.signIn,
      signOut: services.signOut,
      events: services.events,
      limits,
    }),
  );
  app.use('/api/auth', sessionRoutes({ session, sessions: services.sessions, cookie }));
  app.use('/api/auth', passwordRoutes({ session, change: services.passwordChange, limits: limits.passwordChange }));
  app.use('/api/auth', eventRoutes({ session, events: services.events }));
  app.use('/api/admin', adminRoutes({ session, admin: services.admin }));
  app.use('/api', meRoutes(session));

  app.use(notFound);
  app.use(errorHandler(logger));
  return { app, services };
}
