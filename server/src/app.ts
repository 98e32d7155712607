import express, { type Express, type RequestHandler } from 'express';
import { REQUEST_BODY_LIMIT_BYTES } from '@cloakroom/shared';
import { deviceCookie } from './http/device-cookie';
import { withMeFastPath, type ApiHandler } from './http/me-fast-path';
import { corsPolicy } from './http/middleware/cors';
import { csrfOriginCheck } from './http/middleware/csrf';
import { errorHandler, notFound } from './http/middleware/error-handler';
import { jsonOnly } from './http/middleware/json-only';
import { rateLimits } from './http/middleware/rate-limits';
import { securityHeaders } from './http/middleware/security-headers';
import { sessionMiddleware } from './http/middleware/session';
import { createOpenApiDocument, type OpenApiDocument } from './http/openapi/document';
import { referenceBundle } from './http/reference/bundle';
import { adminHandlers } from './http/routes/admin';
import { authHandlers } from './http/routes/auth';
import { eventHandlers } from './http/routes/events';
import { healthHandlers } from './http/routes/health';
import { createLifecycle, type Lifecycle } from './http/lifecycle';
import { meHandlers } from './http/routes/me';
import { mountRoutes, type RouteHandlers } from './http/routes/mount';
import { passkeyHandlers } from './http/routes/passkeys';
import { passwordHandlers } from './http/routes/password';
import { recoveryHandlers } from './http/routes/recovery';
import { referenceHandlers } from './http/routes/reference';
import { sessionHandlers } from './http/routes/sessions';
import { twoFactorHandlers } from './http/routes/two-factor';
import { localCredentials } from './http/passport';
import { passkeyChallengeCookie } from './http/passkey-cookie';
import { passkeyProofs } from './http/passkey-proof';
import { sessionCookie } from './http/session-cookie';
import { requestLogger } from './logging/logger';
import { createServices, type Infrastructure, type Services } from './services';

export type { ApiHandler, Infrastructure, OpenApiDocument, Services };

/** Nothing a response of this API says may be stored by a browser or a shared cache,
 *  and what it says depends on who is signed in (ASVS 14.2.2, 14.3.2). */
const noStore: RequestHandler = (_req, res, next) => {
  res.setHeader('Cache-Control', 'no-store');
  res.vary('Cookie');
  next();
};

export interface Api {
  /** What production serves: the Express app behind the GET /api/me fast path. main.ts
   *  listens with it and the test kit runs it; pass it to http.createServer or supertest. */
  handler: ApiHandler;
  services: Services;
  /** Set `draining` when the instance starts shutting down (main.ts). */
  lifecycle: Lifecycle;
  /** The OpenAPI document served at GET /api/openapi.json. */
  openapi: OpenApiDocument;
  /** The Express app behind `handler`, for tests that read what it mounted. Serving it
   *  alone would skip the fast path: serve `handler`. */
  express: Express;
}

/** Builds the API from its dependencies; it does not listen (main.ts and the test kit
 *  decide that). Every route comes from the route table (shared/src/api), mounted by
 *  http/routes/mount.ts with the handlers below. */
export function createApp(infra: Infrastructure): Api {
  const { config, logger, redis, db } = infra;
  const services = createServices(infra);
  const lifecycle = createLifecycle();
  const cookie = sessionCookie(config);
  const session = sessionMiddleware({
    store: services.store,
    cookie,
    secrets: config.session.secrets,
    limits: services.limits,
    authenticate: services.authenticate,
    readSession: services.readSession,
  });
  const openapi = createOpenApiDocument();

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
  app.use(express.json({ limit: REQUEST_BODY_LIMIT_BYTES }));

  const limits = rateLimits(redis, services.keys, config.limits, logger);
  const device = deviceCookie(services.devices, cookie, config.deviceTrustMs);
  const handlers: RouteHandlers = {
    ...healthHandlers(redis, infra.probeDb ?? db, lifecycle),
    ...authHandlers({
      accounts: services.accounts,
      credentials: localCredentials(services.accounts),
      session,
      cookie,
      device,
      secrets: config.session.secrets,
      signIn: services.signIn,
      signOut: services.signOut,
      events: services.events,
      secondFactor: services.secondFactor,
      limits,
      verification: { required: config.requireEmailVerification, service: services.emailVerification },
    }),
    ...twoFactorHandlers({
      secondFactor: services.secondFactor,
      session,
      users: services.users,
      accounts: services.accounts,
      signIn: services.signIn,
      pendingFailures: services.pendingFailures,
      device,
      passkeys: passkeyProofs(services.passkeys.assertion),
      onRecoveryCodeUsed: (user, client) => services.mailer.recoveryCodeUsed(user, client),
    }),
    ...meHandlers(),
    ...passkeyHandlers({
      ...services.passkeys,
      users: services.users,
      events: services.events,
      session,
      device,
      challengeCookie: passkeyChallengeCookie(cookie),
      limits,
    }),
    ...passwordHandlers({ session, change: services.passwordChange, limits: limits.passwordChange }),
    ...recoveryHandlers({ reset: services.passwordReset, verification: services.emailVerification, limits }),
    ...eventHandlers({ events: services.events }),
    ...sessionHandlers({ sessions: services.sessions, cookie }),
    ...adminHandlers({ admin: services.admin }),
    ...referenceHandlers({ document: openapi, bundle: referenceBundle() }),
  };
  mountRoutes(app, handlers, session, {
    reauthWindowMs: config.mfa.reauthWindowMs,
    mustSetUpSecondFactor: (user, signInMethods) => services.secondFactor.mustSetUp(user, signInMethods),
  });

  app.use(notFound);
  app.use(errorHandler(logger));
  return { handler: withMeFastPath(app, { services, config, logger }), services, openapi, express: app, lifecycle };
}
