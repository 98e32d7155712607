import type { RequestHandler } from 'express';
import { ApiError } from '../errors';

const WITH_BODY = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

function hasBody(headers: Record<string, unknown>): boolean {
  return headers['transfer-encoding'] !== undefined || (headers['content-length'] !== undefined && headers['content-length'] !== '0');
}

/** State-changing requests carry JSON or nothing. text/plain, forms and multipart are
 *  what a hostile page can send cross-site without a preflight, so they are refused
 *  (415) before anything reads them, even when empty. */
export const jsonOnly: RequestHandler = (req, _res, next) => {
  if (!WITH_BODY.has(req.method)) return next();
  const type = req.headers['content-type'];
  if (type === undefined && !hasBody(req.headers)) return next();
  const media = (type ?? '').split(';')[0]!.trim().toLowerCase();
  if (media === 'application/json') return next();
  next(new ApiError('unsupported_media_type', 'Send the request body as application/json'));
};
