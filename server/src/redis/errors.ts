/** node-redis errors that mean "Redis is not answering" (down, restarting, too slow),
 *  as opposed to a bug. They become a fast 503, never a 500. */
const UNAVAILABLE = new Set([
  'ClientClosedError',
  'ClientOfflineError',
  'ConnectionTimeoutError',
  'SocketTimeoutError',
  'SocketClosedUnexpectedlyError',
  'DisconnectsClientError',
  'ReconnectStrategyError',
  'TimeoutError',
  'SocketTimeoutDuringMaintenanceError',
  'CommandTimeoutDuringMaintenanceError',
  'RedisDeadlineError',
]);

export function isRedisUnavailable(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  if (UNAVAILABLE.has(err.constructor.name) || UNAVAILABLE.has(err.name)) return true;
  // Redis answering but refusing work: loading a dump, a replica gone read-only, out of memory.
  return /^(LOADING|READONLY|OOM|MASTERDOWN|BUSY)\b/.test(err.message);
}
