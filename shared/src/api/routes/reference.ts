import { z } from 'zod';
import { defineRoute } from '../route';

/** The OpenAPI document is JSON Schema all the way down; its own shape is checked by
 *  `npm run lint:openapi`, so clients only learn that it is an OpenAPI 3.1 object. */
export const openApiDocumentSchema = z
  .looseObject({
    openapi: z.string().regex(/^3\.1\./),
    info: z.looseObject({ title: z.string(), version: z.string() }),
    paths: z.record(z.string(), z.unknown()),
  })
  .meta({ id: 'OpenApiDocument' });

/** The machine-readable contract and the page that shows it. */
export const referenceRoutes = {
  openApiDocument: defineRoute({
    method: 'get',
    path: '/api/openapi.json',
    access: 'public',
    changesState: false,
    tag: 'Reference',
    summary: 'This document',
    description: 'The OpenAPI 3.1 document of every route the server mounts, generated from the same route table the server mounts its handlers from.',
    responses: { 200: { description: 'The OpenAPI document.', body: openApiDocumentSchema } },
    errors: [],
  }),
  apiReference: defineRoute({
    method: 'get',
    path: '/api/docs',
    access: 'public',
    changesState: false,
    tag: 'Reference',
    summary: 'API reference page',
    description: "An HTML reference of this document (Scalar's API reference, served by the API itself: no CDN).",
    responses: { 200: { description: 'The reference page.', mediaType: 'text/html' } },
    errors: [],
  }),
  apiReferenceScript: defineRoute({
    method: 'get',
    path: '/api/docs/reference.js',
    access: 'public',
    changesState: false,
    tag: 'Reference',
    summary: "The reference page's script",
    description: "Scalar's standalone API reference bundle, loaded by GET /api/docs.",
    responses: { 200: { description: 'JavaScript.', mediaType: 'text/javascript' } },
    errors: [],
  }),
} as const;
