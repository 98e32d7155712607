import type { z } from 'zod';
import type { ImplicitErrorCode, PathParamNames, RouteSpec } from './route';
import { accountRoutes } from './routes/account';
import { adminRoutes } from './routes/admin';
import { authRoutes } from './routes/auth';
import { healthRoutes } from './routes/health';
import { recoveryRoutes } from './routes/recovery';
import { referenceRoutes } from './routes/reference';
import { sessionRoutes } from './routes/sessions';

/** The route table: every route of the API, by id. The id is the OpenAPI operationId and
 *  the typed client's method name. */
export const API_ROUTES = {
  ...healthRoutes,
  ...authRoutes,
  ...accountRoutes,
  ...recoveryRoutes,
  ...sessionRoutes,
  ...adminRoutes,
  ...referenceRoutes,
} as const satisfies Record<string, RouteSpec>;

export type ApiRoutes = typeof API_ROUTES;
export type RouteId = keyof ApiRoutes;

export const ROUTE_IDS = Object.keys(API_ROUTES) as RouteId[];

// ---------- types derived from a declaration ----------

type Route<K extends RouteId> = ApiRoutes[K];

/** The request body as a client sends it (undefined when the route takes none). */
export type RequestBodyOf<K extends RouteId> = Route<K> extends { body: infer B extends z.ZodType } ? z.input<B> : undefined;
/** The request body as the handler receives it, parsed. */
export type ParsedBodyOf<K extends RouteId> = Route<K> extends { body: infer B extends z.ZodType } ? z.output<B> : undefined;
/** The query as a client sends it: every field optional. */
export type RequestQueryOf<K extends RouteId> = Route<K> extends { query: infer Q extends z.ZodType } ? Partial<z.output<Q>> : undefined;
/** The query as the handler receives it, parsed (defaults applied). */
export type ParsedQueryOf<K extends RouteId> = Route<K> extends { query: infer Q extends z.ZodType } ? z.output<Q> : undefined;
export type ParamsOf<K extends RouteId> = { [P in PathParamNames<Route<K>['path']>]: string };

type Responses<K extends RouteId> = Route<K>['responses'];
export type SuccessStatusOf<K extends RouteId> = keyof Responses<K> & number;
type DataOfResponse<R> = R extends { body: infer B extends z.ZodType } ? z.output<B> : R extends { mediaType: string } ? string : undefined;
/** What a successful answer carries: the parsed JSON body, text for HTML or JavaScript, or nothing (204). */
export type ResponseDataOf<K extends RouteId> = { [S in SuccessStatusOf<K>]: DataOfResponse<Responses<K>[S]> }[SuccessStatusOf<K>];

/** Every error code a route can answer with: its own and those of its kind. */
export type ErrorCodeOf<K extends RouteId> = Route<K>['errors'][number] | ImplicitErrorCode<Route<K>>;
