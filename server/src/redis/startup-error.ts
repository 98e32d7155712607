import { ErrorReply, SocketClosedUnexpectedlyError } from 'redis';

/** Redis answered the connection's handshake (HELLO, AUTH, SELECT) with an error: it is
 *  running, so waiting cannot help and start-up should stop at once with its words. */
export function isHandshakeRefusal(err: unknown): boolean {
  return err instanceof ErrorReply;
}

/** What to do about a refusal, for the few that a setting in REDIS_URL causes. */
function refusalHint(message: string, url: URL): string {
  if (/DB index is out of range/i.test(message)) {
    const db = url.pathname.slice(1) || '0';
    return `REDIS_URL selects database ${db}, and this server has fewer (16 unless its \`databases\` setting says otherwise: 0 to 15). Use a lower number in REDIS_URL.`;
  }
  if (/^(WRONGPASS|NOAUTH)|AUTH .*without any password/i.test(message)) return 'Check the user name and password in REDIS_URL.';
  return 'Check REDIS_URL.';
}

/** One line naming why Redis could not be reached at start-up and what to do about it.
 *  `cause`: the handshake refusal, or else the last connection error seen before
 *  giving up. */
export function explainRedisFailure(shownUrl: string, url: string, cause: Error): string {
  if (isHandshakeRefusal(cause)) {
    return `Redis at ${shownUrl} refused the connection: ${cause.message.replace(/\.$/, '')}. ${refusalHint(cause.message, new URL(url))}`;
  }
  const { code } = cause as { code?: unknown };
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return `Redis at ${shownUrl} cannot be reached: the host ${new URL(url).hostname} is not known (${cause.message}). Check the host in REDIS_URL.`;
  }
  // Something accepted the connection but did not speak RESP: it closed, reset, or sent
  // bytes that are no Redis reply (an HTTP server, PostgreSQL, a TLS-only Redis).
  if (cause instanceof SocketClosedUnexpectedlyError || code === 'ECONNRESET' || /^Unknown RESP type|^Protocol error/.test(cause.message)) {
    return `Redis at ${shownUrl} did not answer as Redis (${cause.message}): something else listens there, or a TLS port (rediss://). Check REDIS_URL.`;
  }
  return `Redis is not answering at ${shownUrl} (${cause.message}). Start it with \`redis-server\` or \`docker compose up local-redis\`, or set REDIS_URL.`;
}
