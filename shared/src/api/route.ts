import type { z } from 'zod';
import type { ErrorCode } from '../errors';

/** The shape of one declaration in the route table (routes.ts). The server mounts its
 *  handlers from these, the OpenAPI document is generated from them, and the typed client
 *  calls them: a route exists once, here. */

export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** Who may call a route, checked by the server before anything else of the route runs:
 *  - `public`: anyone, signed in or not;
 *  - `session`: a signed-in caller (401 unauthenticated otherwise);
 *  - `admin`: a signed-in caller whose role, read fresh on this request, is admin (403 forbidden).
 *  A new caller state (such as a session still waiting for its second factor) is a new
 *  member here: the server's mount switches over every member, so it does not compile
 *  until the state has a check. */
export type Access = 'public' | 'session' | 'admin';

export type MediaType = 'application/json' | 'text/html' | 'text/javascript';

/** Headers a successful answer may carry that a client acts on (described in openapi). */
export type SuccessHeader = 'Set-Cookie' | 'Clear-Site-Data';

export interface SuccessResponse {
  description: string;
  /** The body's schema; absent for an empty answer (204) or a body that is not JSON. */
  body?: z.ZodType;
  /** Default: application/json when there is a body. */
  mediaType?: MediaType;
  headers?: readonly SuccessHeader[];
}

export type Tag = 'Authentication' | 'Account' | 'Recovery' | 'Sessions' | 'Administration' | 'Health' | 'Reference';

export interface RouteSpec {
  method: Method;
  /** Express-style: `:name` is a path parameter. */
  path: `/${string}`;
  access: Access;
  /** Whether a successful call changes anything on the server (a GET never does). */
  changesState: boolean;
  /** Needs an authentication within the step-up window (403 otherwise). No route needs it
   *  yet; the server refuses to start if one declares it before the check exists. */
  recentAuth?: boolean;
  tag: Tag;
  summary: string;
  /** Markdown, for the API reference. */
  description: string;
  /** The JSON request body, parsed by the server before the handler runs (400 on failure). */
  body?: z.ZodType;
  /** The query string, parsed by the server before the handler runs (400 on failure). */
  query?: z.ZodObject;
  /** Descriptions of the path parameters (each is a string; the handler decides what names nothing). */
  params?: Readonly<Record<string, string>>;
  /** The successful answers, by status (2xx). */
  responses: Readonly<Partial<Record<200 | 201 | 202 | 204, SuccessResponse>>>;
  /** The error codes this route answers with beyond those every route of its kind can
   *  (implicitErrors); their statuses are fixed in errors.ts. */
  errors: readonly ErrorCode[];
}

/** Keeps the literal types (path, method, access, error codes) that the typed handlers and
 *  the typed client are derived from. */
export function defineRoute<const R extends RouteSpec>(route: R): R {
  return route;
}

/** Methods a browser may send across sites only with our consent: the CSRF check and the
 *  JSON-only rule apply to them (server/src/http/middleware/csrf.ts, json-only.ts). */
export const STATE_CHANGING_METHODS: readonly Method[] = ['post', 'put', 'patch', 'delete'];

/** The errors any route of a kind can answer with, whatever its handler does:
 *  - every route: a request body that is not readable JSON (400), too large (413), or in
 *    an unsupported encoding or charset (415); the body is read before routing;
 *  - a state-changing method: a refused Origin or Sec-Fetch-Site (403 csrf_rejected);
 *  - a signed-in route: no valid session (401); an admin route: another role (403);
 *  - a route that reads a session or changes state: Redis or the database not answering
 *    (503 service_unavailable). */
export function implicitErrors(route: Pick<RouteSpec, 'method' | 'access' | 'changesState'>): ErrorCode[] {
  const codes: ErrorCode[] = ['validation_failed', 'payload_too_large', 'unsupported_media_type'];
  if (STATE_CHANGING_METHODS.includes(route.method)) codes.push('csrf_rejected');
  if (route.access !== 'public') codes.push('unauthenticated');
  if (route.access === 'admin') codes.push('forbidden');
  if (route.access !== 'public' || route.changesState) codes.push('service_unavailable');
  return codes;
}

/** implicitErrors at the type level, so the typed client names the same codes. */
export type ImplicitErrorCode<R extends Pick<RouteSpec, 'method' | 'access' | 'changesState'>> =
  | 'validation_failed'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | (R['method'] extends 'get' ? never : 'csrf_rejected')
  | (R['access'] extends 'public' ? never : 'unauthenticated')
  | (R['access'] extends 'admin' ? 'forbidden' : never)
  | (R['access'] extends 'public' ? (R['changesState'] extends true ? 'service_unavailable' : never) : 'service_unavailable');

/** Every error code a route can answer with, each once, in the order of errors.ts. */
export function errorCodesOf(route: RouteSpec, order: readonly ErrorCode[]): ErrorCode[] {
  const all = new Set<ErrorCode>([...implicitErrors(route), ...route.errors]);
  return order.filter((code) => all.has(code));
}

/** The names of a path's parameters, at the type level: '/a/:id/b/:x' → 'id' | 'x'. */
export type PathParamNames<P extends string> = P extends `${string}:${infer Name}/${infer Rest}`
  ? Name | PathParamNames<`/${Rest}`>
  : P extends `${string}:${infer Name}`
    ? Name
    : never;

/** The same at run time. */
export function pathParamNames(path: string): string[] {
  return [...path.matchAll(/:([A-Za-z0-9_]+)/g)].map((m) => m[1]!);
}
