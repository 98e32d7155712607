import type { OpenApiDocument } from '../openapi/document';
import type { ReferenceBundle } from '../reference/bundle';
import { REFERENCE_CSP, REFERENCE_PAGE } from '../reference/page';
import { routeHandlers } from './mount';

/** The bundle changes only with a deploy; an hour in the browser's cache is plenty. */
const BUNDLE_CACHE = 'public, max-age=3600';

/** GET /api/openapi.json, /api/docs and its script. */
export function referenceHandlers(deps: { document: OpenApiDocument; bundle: ReferenceBundle }) {
  const { document, bundle } = deps;
  const json = JSON.stringify(document);
  return routeHandlers({
    openApiDocument: { handle: (_input, _req, res) => void res.type('application/json').send(json) },
    apiReference: {
      handle(_input, _req, res) {
        res.setHeader('Content-Security-Policy', REFERENCE_CSP);
        res.type('text/html').send(REFERENCE_PAGE);
      },
    },
    apiReferenceScript: {
      async handle(_input, req, res) {
        const gzipped = /\bgzip\b/.test(req.get('accept-encoding') ?? '');
        const body = await bundle.read(gzipped);
        res.setHeader('Cache-Control', BUNDLE_CACHE);
        res.vary('Accept-Encoding');
        if (gzipped) res.setHeader('Content-Encoding', 'gzip');
        res.type('text/javascript').send(body);
      },
    },
  });
}
