/**
 * The framework's ceiling: an Express 5 route that answers GET /api/me with a fixed
 * body (the JSON the Cloakroom API returned for the bench user), doing no work at all.
 * ETag and X-Powered-By are off, as in the API, so the two send comparable responses.
 *
 * Env: PORT, BODY (the JSON to send).
 */
import express from 'express';

const body: unknown = JSON.parse(process.env.BODY ?? '{}');
const app = express();
app.disable('x-powered-by');
app.set('etag', false);
app.get('/api/me', (_req, res) => void res.json(body));
app.get('/healthz', (_req, res) => void res.json({ status: 'ok' }));
const server = app.listen(Number(process.env.PORT), '127.0.0.1');
process.on('SIGTERM', () => server.close(() => process.exit(0)));
