import { API_ROUTES, type ParamsOf, type RouteId } from './routes';

/** A route's concrete path: `routePath('revokeSession', { id })` → `/api/auth/sessions/<id>`,
 *  each parameter percent-encoded. */
export function routePath<K extends RouteId>(id: K, ...[params]: keyof ParamsOf<K> extends never ? [] : [ParamsOf<K>]): string {
  const values = (params ?? {}) as Record<string, string>;
  return API_ROUTES[id].path.replace(/:([A-Za-z0-9_]+)/g, (_, name: string) => {
    const value = values[name];
    if (typeof value !== 'string') throw new TypeError(`routePath(${id}): the path parameter "${name}" is missing`);
    return encodeURIComponent(value);
  });
}

/** Express's `/a/:id` as OpenAPI's `/a/{id}`. */
export const openApiPath = (path: string): string => path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
