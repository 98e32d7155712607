import fs from 'node:fs';
import path from 'node:path';
import {
  API_ROUTES,
  ERROR_CODES,
  errorCodesOf,
  errorDetailSchema,
  HEADERS,
  openApiPath,
  pathParamNames,
  SESSION_COOKIE_PLAIN,
  SESSION_COOKIE_SECURE,
  type ErrorCode,
  type RouteId,
  type RouteSpec,
  type SuccessHeader,
  type Tag,
} from '@cloakroom/shared';
import { z } from 'zod';
import {
  createDocument,
  type ZodOpenApiOperationObject,
  type ZodOpenApiPathsObject,
  type ZodOpenApiResponseObject,
  type ZodOpenApiResponsesObject,
} from 'zod-openapi';
import { API_DESCRIPTION } from './description';
import { byStatus, ERROR_MEANINGS } from './errors';

export type OpenApiDocument = ReturnType<typeof createDocument>;

/** The two names of the one session cookie, as security schemes: a client has one or the other. */
const SECURITY_SCHEMES = {
  sessionCookie: {
    type: 'apiKey',
    in: 'cookie',
    name: SESSION_COOKIE_SECURE,
    description: 'The session cookie when the API is served over HTTPS (Secure, host-only, Path=/, HttpOnly).',
  },
  sessionCookieHttp: {
    type: 'apiKey',
    in: 'cookie',
    name: SESSION_COOKIE_PLAIN,
    description: 'The same session cookie over plain HTTP (local development only).',
  },
} as const;
const SIGNED_IN: Array<Record<string, string[]>> = [{ sessionCookie: [] }, { sessionCookieHttp: [] }];

const TAGS: Record<Tag, string> = {
  Authentication: 'Signing up, in and out.',
  Account: "The signed-in caller's own account.",
  Recovery: 'Password reset, email verification and email change: each mails a one-time link.',
  Sessions: "The signed-in caller's sessions, by public handle.",
  Administration: 'Users and their sessions, for role admin.',
  Health: 'Probes for load balancers and orchestrators.',
  Reference: 'This document and the page that shows it.',
};

/** Response headers, once each (components.headers). */
const HEADER_OBJECTS = {
  RetryAfter: {
    description: 'Seconds to wait before trying again.',
    schema: { type: 'string', pattern: '^[1-9][0-9]*$' },
  },
  SetSessionCookie: {
    description: `The session cookie (\`${SESSION_COOKIE_SECURE}\` over HTTPS, \`${SESSION_COOKIE_PLAIN}\` over HTTP), HttpOnly: set with a new session ID on sign-in, cleared (expired) on sign-out.`,
    schema: { type: 'string' },
  },
  ClearSiteData: {
    description: 'Asks the browser to drop what it cached or stored for the signed-in user.',
    schema: { type: 'string', const: '"cache", "storage"' },
  },
} as const;
const headerRef = (id: keyof typeof HEADER_OBJECTS) => ({ $ref: `#/components/headers/${id}` });
const SUCCESS_HEADERS: Record<SuccessHeader, keyof typeof HEADER_OBJECTS> = { 'Set-Cookie': 'SetSessionCookie', 'Clear-Site-Data': 'ClearSiteData' };

const pascal = (code: string) => code.replace(/(^|_)([a-z])/g, (_m, _s, c: string) => c.toUpperCase());

/** One error response per set of codes, as a component named after them
 *  (`UnauthenticatedOrInvalidCredentials`), so operations that share one share its reference. */
function errorResponses() {
  const made = new Map<string, ZodOpenApiResponseObject>();
  return (status: number, codes: ErrorCode[]): ZodOpenApiResponseObject => {
    const id = codes.map(pascal).join('Or');
    let response = made.get(id);
    if (!response) {
      // A limit always says when to come back; 503 does so except on readiness (a probe).
      const headers =
        status === 429
          ? { [HEADERS.retryAfter]: { ...HEADER_OBJECTS.RetryAfter, required: true } }
          : status === 503
            ? { [HEADERS.retryAfter]: headerRef('RetryAfter') }
            : undefined;
      const body = z.object({
        error: z.object({
          code: z.enum(codes as [ErrorCode, ...ErrorCode[]]),
          message: z.string().meta({ description: 'Words for a person.' }),
          details: z.array(errorDetailSchema).optional(),
        }),
      });
      response = {
        id,
        description: codes.map((code) => `\`${code}\`: ${ERROR_MEANINGS[code]}`).join('\n\n'),
        ...(headers ? { headers } : {}),
        content: { 'application/json': { schema: body } },
      };
      made.set(id, response);
    }
    return response;
  };
}

function responsesOf(route: RouteSpec, errorResponse: ReturnType<typeof errorResponses>): ZodOpenApiResponsesObject {
  const responses: ZodOpenApiResponsesObject = {};
  for (const [status, spec] of Object.entries(route.responses)) {
    if (!spec) continue;
    const headers = spec.headers?.length ? Object.fromEntries(spec.headers.map((h) => [h, headerRef(SUCCESS_HEADERS[h])])) : undefined;
    const mediaType = spec.mediaType ?? 'application/json';
    const content = spec.body ? { [mediaType]: { schema: spec.body } } : spec.mediaType ? { [mediaType]: { schema: z.string() } } : undefined;
    responses[status as `2${string}`] = { description: spec.description, ...(headers ? { headers } : {}), ...(content ? { content } : {}) };
  }
  for (const [status, codes] of byStatus(errorCodesOf(route, ERROR_CODES))) responses[String(status) as `4${string}`] = errorResponse(status, codes);
  return responses;
}

function operationOf(id: RouteId, route: RouteSpec, errorResponse: ReturnType<typeof errorResponses>): ZodOpenApiOperationObject {
  const names = pathParamNames(route.path);
  const pathParams = names.length
    ? z.object(Object.fromEntries(names.map((name) => [name, z.string().meta({ description: route.params?.[name] ?? name })])))
    : undefined;
  return {
    operationId: id,
    tags: [route.tag],
    summary: route.summary,
    description: route.description,
    security: route.access === 'public' ? [] : SIGNED_IN,
    ...(pathParams || route.query ? { requestParams: { ...(pathParams ? { path: pathParams } : {}), ...(route.query ? { query: route.query } : {}) } } : {}),
    ...(route.body ? { requestBody: { required: true, content: { 'application/json': { schema: route.body } } } } : {}),
    responses: responsesOf(route, errorResponse),
    'x-cloakroom-access': route.access,
    'x-cloakroom-changes-state': route.changesState,
  };
}

function version(): string {
  // server/package.json, from src/http/openapi or dist/http/openapi alike.
  const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '../../../package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

let generated: OpenApiDocument | undefined;

/** The OpenAPI 3.1 document of the route table (shared/src/api), generated by zod-openapi
 *  from the same zod schemas the server parses requests with. It depends on nothing but
 *  the table, so it is generated once per process. */
export function createOpenApiDocument(): OpenApiDocument {
  return (generated ??= generate());
}

function generate(): OpenApiDocument {
  const paths: ZodOpenApiPathsObject = {};
  const errorResponse = errorResponses();
  for (const [id, route] of Object.entries(API_ROUTES) as Array<[RouteId, RouteSpec]>) {
    const key = openApiPath(route.path);
    paths[key] = { ...paths[key], [route.method]: operationOf(id, route, errorResponse) };
  }
  return createDocument(
    {
      openapi: '3.1.0',
      info: {
        title: 'Cloakroom API',
        version: version(),
        description: API_DESCRIPTION,
      },
      servers: [{ url: '/', description: 'The API itself (or a same-origin rewrite of /api to it)' }],
      tags: Object.entries(TAGS).map(([name, description]) => ({ name, description })),
      components: { securitySchemes: SECURITY_SCHEMES, headers: HEADER_OBJECTS },
      paths,
    },
    {
      override: ({ jsonSchema }) => {
        // zod's ISO timestamp pattern restates `format: date-time` in 400 characters.
        if (jsonSchema.format === 'date-time') delete jsonSchema.pattern;
        // A record of any values, said plainly (some readers reject `{}` and propertyNames).
        if (jsonSchema.type === 'object' && jsonSchema.propertyNames && !jsonSchema.properties) {
          delete jsonSchema.propertyNames;
          jsonSchema.additionalProperties = true;
        }
      },
    },
  );
}
