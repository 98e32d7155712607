import { errorBodySchema, type ErrorCode, type ErrorDetail } from '../errors';
import { HEADERS } from '../names';
import type { SuccessResponse } from './route';
import { routePath } from './paths';
import {
  API_ROUTES,
  type ErrorCodeOf,
  type ParamsOf,
  type RequestBodyOf,
  type RequestQueryOf,
  type ResponseDataOf,
  type RouteId,
  type SuccessStatusOf,
} from './routes';

/**
 * A typed client of the API, derived from the route table: one method per route id,
 * typed bodies, queries, path parameters, answers and error codes.
 *
 *   const api = createApiClient({ baseUrl: 'https://api.example.com', credentials: 'include' });
 *   const res = await api.login({ body: { email, password } });
 *   if (res.ok) show(res.data.user);
 *   else if (res.error.code === 'too_many_attempts') wait(res.error.retryAfterSeconds);
 *
 * It never throws for an answer: every failure, including an unreachable API or an answer
 * outside the contract, comes back as `{ ok: false, error }` in the contract's shape.
 */

/** Failures that are not the API's own words: the API could not be reached (status 0), or
 *  something between answered outside the contract (a proxy's error page, a 5xx). */
export type TransportErrorCode = 'service_unavailable' | 'internal_error';

export interface ApiError<C extends ErrorCode = ErrorCode> {
  code: C;
  message: string;
  details?: ErrorDetail[];
  /** The HTTP status (fixed per code in errors.ts); 0 when no answer arrived. */
  status: number;
  /** From Retry-After (429, 503): when trying again can help, in seconds. */
  retryAfterSeconds?: number;
}

/** What the client needs of fetch, declared here so that both the browser's fetch and
 *  Node's (or a test's) fit without either's type library. */
export type Credentials = 'include' | 'same-origin' | 'omit';
export interface FetchInit {
  method: string;
  credentials: Credentials;
  cache: 'no-store';
  headers: Record<string, string>;
  body?: string;
  signal?: AbortSignal;
}
export interface ResponseHeaders {
  get(name: string): string | null;
}
export interface FetchResponse {
  ok: boolean;
  status: number;
  headers: ResponseHeaders;
  text(): Promise<string>;
}
export type FetchLike = (url: string, init: FetchInit) => Promise<FetchResponse>;

export type ApiSuccess<K extends RouteId> = { ok: true; status: SuccessStatusOf<K>; data: ResponseDataOf<K>; headers: ResponseHeaders };
export type ApiFailure<K extends RouteId> = { ok: false; status: number; error: ApiError<ErrorCodeOf<K> | TransportErrorCode> };
export type ApiResult<K extends RouteId> = ApiSuccess<K> | ApiFailure<K>;

type BodyArg<K extends RouteId> = RequestBodyOf<K> extends undefined ? object : { body: RequestBodyOf<K> };
type QueryArg<K extends RouteId> = RequestQueryOf<K> extends undefined ? object : { query?: RequestQueryOf<K> };
type ParamsArg<K extends RouteId> = keyof ParamsOf<K> extends never ? object : { params: ParamsOf<K> };
export type CallArgs<K extends RouteId> = BodyArg<K> & QueryArg<K> & ParamsArg<K> & { signal?: AbortSignal };

/** Arguments are optional where a route needs none. */
type Call<K extends RouteId> = (...args: object extends CallArgs<K> ? [CallArgs<K>?] : [CallArgs<K>]) => Promise<ApiResult<K>>;

export type ApiClient = { [K in RouteId]: Call<K> };

export interface ApiClientOptions {
  /** The API's origin, e.g. `https://api.example.com`; '' (the default) for same-origin
   *  relative URLs in a browser. */
  baseUrl?: string;
  /** Default: the global fetch. */
  fetch?: FetchLike;
  /** `include` for a mobile-web app on another origin (the API must list it in
   *  CORS_ORIGINS); `same-origin` (the default) behind a same-origin rewrite. */
  credentials?: Credentials;
  /** Headers sent with every request. */
  headers?: Record<string, string>;
}

const UNREACHABLE = 'The service could not be reached. Please try again in a moment.';
const OUTSIDE = 'The service answered outside its contract. Please try again in a moment.';

function retryAfter(res: FetchResponse): number | undefined {
  const seconds = Number(res.headers.get(HEADERS.retryAfter));
  return Number.isFinite(seconds) && seconds > 0 ? seconds : undefined;
}

async function readBody(res: FetchResponse): Promise<{ text: string; json: unknown }> {
  const text = await res.text();
  if (!/^application\/json/i.test(res.headers.get('content-type') ?? '')) return { text, json: undefined };
  try {
    return { text, json: text ? (JSON.parse(text) as unknown) : undefined };
  } catch {
    return { text, json: undefined };
  }
}

export function createApiClient(options: ApiClientOptions = {}): ApiClient {
  const baseUrl = (options.baseUrl ?? '').replace(/\/+$/, '');
  const send: FetchLike = options.fetch ?? ((url, init) => fetch(url, init));

  async function call(
    id: RouteId,
    args: { body?: unknown; query?: Record<string, string | number | boolean | null | undefined>; params?: Record<string, string>; signal?: AbortSignal } = {},
  ) {
    const route = API_ROUTES[id];
    let url = baseUrl + (routePath as (id: RouteId, params?: Record<string, string>) => string)(id, args.params);
    const query = new URLSearchParams();
    for (const [name, value] of Object.entries(args.query ?? {})) if (value !== undefined && value !== null && value !== '') query.set(name, String(value));
    const search = query.toString();
    if (search) url += `?${search}`;

    const hasBody = 'body' in route && args.body !== undefined;
    let res: FetchResponse;
    try {
      res = await send(url, {
        method: route.method.toUpperCase(),
        credentials: options.credentials ?? 'same-origin',
        cache: 'no-store',
        headers: { accept: 'application/json', ...(hasBody ? { 'content-type': 'application/json' } : {}), ...options.headers },
        ...(hasBody ? { body: JSON.stringify(args.body) } : {}),
        ...(args.signal ? { signal: args.signal } : {}),
      });
    } catch {
      return { ok: false, status: 0, error: { code: 'service_unavailable', message: UNREACHABLE, status: 0 } };
    }

    const { text, json } = await readBody(res);
    const outside = () => ({
      ok: false,
      status: res.status,
      error: { code: res.status >= 500 ? 'service_unavailable' : 'internal_error', message: OUTSIDE, status: res.status, retryAfterSeconds: retryAfter(res) },
    });
    if (res.ok) {
      const spec = (route.responses as Record<number, SuccessResponse | undefined>)[res.status];
      if (!spec) return outside();
      if (spec.body) {
        const parsed = spec.body.safeParse(json);
        return parsed.success ? { ok: true, status: res.status, data: parsed.data, headers: res.headers } : outside();
      }
      return { ok: true, status: res.status, data: spec.mediaType ? text : undefined, headers: res.headers };
    }
    const parsed = errorBodySchema.safeParse(json);
    if (!parsed.success) return outside();
    return { ok: false, status: res.status, error: { ...parsed.data.error, status: res.status, retryAfterSeconds: retryAfter(res) } };
  }

  const client: Record<string, (args?: object) => Promise<unknown>> = {};
  for (const id of Object.keys(API_ROUTES) as RouteId[]) client[id] = (args) => call(id, args);
  return client as unknown as ApiClient;
}
