import type { RequestHandler, Router } from 'express';
import { ApiError } from '../errors';

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** Registers a path's handlers by method; any other method on that path answers 405
 *  with an Allow header instead of falling through to 404. */
export function route(router: Router, path: string, handlers: Partial<Record<Method, RequestHandler[]>>): void {
  const methods = Object.keys(handlers) as Method[];
  for (const method of methods) router[method](path, ...handlers[method]!);
  const allow = methods
    .map((m) => m.toUpperCase())
    .concat(methods.includes('get') ? ['HEAD'] : [])
    .join(', ');
  router.all(path, (_req, res, next) => {
    res.setHeader('Allow', allow);
    next(new ApiError('method_not_allowed', `Use ${allow} on this path`));
  });
}

/** An async handler whose rejection reaches the error handler (Express 5 does this for
 *  returned promises; the wrapper keeps handler types simple). */
export const handle =
  (fn: (...args: Parameters<RequestHandler>) => Promise<unknown>): RequestHandler =>
  (req, res, next) =>
    fn(req, res, next).catch(next);
