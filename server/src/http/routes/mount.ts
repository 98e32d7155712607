import { API_ROUTES, type ApiRoutes, type ParamsOf, type ParsedBodyOf, type ParsedQueryOf, type RouteId, type RouteSpec } from '@cloakroom/shared';
import type { Express, Request, RequestHandler, Response } from 'express';
import type { AuthContext } from '../../auth/session/authenticate';
import { ApiError, unauthenticated } from '../errors';
import type { PendingContext, SessionHttp } from '../middleware/session';
import { requireRole } from '../middleware/require-role';
import { requireRecentAuth, requireSecondFactorSetup, type StepUpPolicy } from '../middleware/step-up';
import { parse } from '../validate';

/** What a handler receives, parsed with the route's own schemas before it runs. */
export type RouteInput<K extends RouteId> = {
  body: ParsedBodyOf<K>;
  query: ParsedQueryOf<K>;
  params: ParamsOf<K>;
} & (ApiRoutes[K]['access'] extends 'public'
  ? object
  : ApiRoutes[K]['access'] extends 'pending'
    ? { /** The pending sign-in the request carries (checked). */ pending: PendingContext }
    : { /** The signed-in caller (the route's access was checked). */ auth: AuthContext });

export interface RouteHandler<K extends RouteId> {
  /** How a signed-in route that changes state reads the session: through express-session
   *  (the default: it writes activity), or 'read-only' for a route that ends or replaces
   *  the caller's session itself (a touch would be written to a record about to go). */
  session?: 'express' | 'read-only';
  /** Middleware of this route alone, after the access check and before its input is
   *  parsed: rate limits, and for public routes that start or end a session, its loading. */
  use?: RequestHandler[];
  handle(input: RouteInput<K>, req: Request, res: Response): Promise<void> | void;
}

export type RouteHandlers = { [K in RouteId]: RouteHandler<K> };

/** Handlers for some routes, each typed by its id: a handler for an id the table does not
 *  declare is a type error. */
export const routeHandlers = <K extends RouteId>(handlers: { [P in K]: RouteHandler<P> }) => handlers;

export class RouteTableError extends Error {
  override readonly name = 'RouteTableError';
}

/** The access check of each kind of route. Reads take the read-only session path
 *  (express-session only when a touch is due); anything that changes state loads the
 *  session through express-session, which owns every write. */
function accessCheck(route: RouteSpec, session: SessionHttp, mode: RouteHandler<RouteId>['session'], policy: StepUpPolicy): RequestHandler[] {
  const signedIn = [
    ...(mode === 'read-only' ? [session.readAuthOnly] : route.changesState ? [session.load, session.requireAuth] : [session.readAuth]),
    ...(route.beforeSecondFactor ? [] : [requireSecondFactorSetup(policy)]),
  ];
  switch (route.access) {
    case 'public':
      return [];
    case 'pending':
      return [session.readPending];
    case 'session':
      return signedIn;
    case 'admin':
      return [...signedIn, requireRole('admin')];
    default: {
      const unknown: never = route.access;
      throw new RouteTableError(`no access check for ${String(unknown)}`);
    }
  }
}

function runHandler(id: RouteId, route: RouteSpec, handler: RouteHandler<RouteId>): RequestHandler {
  return (req, res, next) => {
    const run = async () => {
      const body: unknown = route.body ? parse(route.body, req.body) : undefined;
      const query: unknown = route.query ? parse(route.query, req.query, 'query string') : undefined;
      if (route.access === 'pending' ? !req.pending : route.access !== 'public' && !req.auth) throw unauthenticated();
      const input = { body, query, params: req.params, auth: req.auth, pending: req.pending } as unknown as RouteInput<typeof id>;
      await handler.handle(input, req, res);
    };
    run().catch(next);
  };
}

/** Mounts every route of the table on the app, in one place: the access check its
 *  declaration asks for, the handler's own middleware, the input parsed with its schemas,
 *  then the handler. Any other method on a known path answers 405 with Allow. A route
 *  without a handler, a handler without a route, or a declaration this server cannot honour
 *  stops the start. Returns what was mounted, as `METHOD path` lines. */
export function mountRoutes(app: Express, handlers: RouteHandlers, session: SessionHttp, policy: StepUpPolicy): string[] {
  const ids = Object.keys(API_ROUTES) as RouteId[];
  const missing = ids.filter((id) => !(id in handlers));
  const undeclared = Object.keys(handlers).filter((id) => !(id in API_ROUTES));
  if (missing.length || undeclared.length) {
    throw new RouteTableError(
      [missing.length ? `declared without a handler: ${missing.join(', ')}` : '', undeclared.length ? `handled but not declared: ${undeclared.join(', ')}` : '']
        .filter(Boolean)
        .join('; '),
    );
  }

  const byPath = new Map<string, RouteId[]>();
  for (const id of ids) byPath.set(API_ROUTES[id].path, [...(byPath.get(API_ROUTES[id].path) ?? []), id]);

  const mounted: string[] = [];
  for (const [path, pathIds] of byPath) {
    for (const id of pathIds) {
      const route: RouteSpec = API_ROUTES[id];
      if (route.recentAuth && route.access !== 'session' && route.access !== 'admin')
        throw new RouteTableError(`${id} needs recent authentication, which only a signed-in route can check`);
      const handler = handlers[id] as RouteHandler<RouteId>;
      const stepUp = route.recentAuth ? [requireRecentAuth(policy)] : [];
      app[route.method](path, ...accessCheck(route, session, handler.session, policy), ...stepUp, ...(handler.use ?? []), runHandler(id, route, handler));
      mounted.push(`${route.method.toUpperCase()} ${path}`);
    }
    const methods = pathIds.map((id) => API_ROUTES[id].method.toUpperCase());
    const allow = [...methods, ...(methods.includes('GET') ? ['HEAD'] : [])].join(', ');
    app.route(path).all((_req, res, next) => {
      res.setHeader('Allow', allow);
      next(new ApiError('method_not_allowed', `Use ${allow} on this path`));
    });
  }
  return mounted;
}
