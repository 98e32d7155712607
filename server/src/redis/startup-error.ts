import { ErrorReply, SocketClosedUnexpectedlyError } from 'redis';
import type { RedisTopology } from '../config/env';

/** The Redis reply behind an error: node-redis's Sentinel client wraps a node's error
 *  ("Master Client (host:port): …", the reply as its `cause`). */
function replyIn(err: unknown): ErrorReply | undefined {
  for (let e = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) if (e instanceof ErrorReply) return e;
  return undefined;
}

/** Node's codes for a TLS certificate it does not trust, or that does not name the host. */
const UNTRUSTED_CERTIFICATE = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_GET_ISSUER_CERT',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

const codeOf = (err: unknown): unknown => (err as { code?: unknown } | undefined)?.code;

/** Redis answered the connection's handshake (HELLO, AUTH, SELECT) with an error, or its
 *  TLS certificate was refused: it is running, so waiting cannot help and start-up should
 *  stop at once with its words. */
export function isHandshakeRefusal(err: unknown): boolean {
  return replyIn(err) !== undefined || UNTRUSTED_CERTIFICATE.has(codeOf(err) as string);
}

/** The variables that say where a topology is (what to check when it cannot be reached). */
function whereVariable(topology: RedisTopology): string {
  return topology.kind === 'single' ? 'REDIS_URL' : topology.kind === 'sentinel' ? 'REDIS_SENTINELS' : 'REDIS_CLUSTER_NODES';
}

/** The credentials a refusal is about: on a Sentinel set, a Sentinel's own unless the
 *  error came from the master or a replica (node-redis names them in its message). */
function credentialVariables(topology: Exclude<RedisTopology, { kind: 'single' }>, message: string) {
  if (topology.kind === 'sentinel' && !/^(Master|Replica) Client /.test(message)) {
    return { user: 'REDIS_SENTINEL_USERNAME', password: 'REDIS_SENTINEL_PASSWORD', whose: "the Sentinels' own" };
  }
  return { user: 'REDIS_USERNAME', password: 'REDIS_PASSWORD', whose: topology.kind === 'sentinel' ? "the master's and replicas'" : "the Cluster nodes'" };
}

/** What to do about a refusal, for the ones a setting causes. */
function refusalHint(message: string, topology: RedisTopology): string {
  if (topology.kind === 'single') {
    if (/DB index is out of range/i.test(message)) {
      const db = new URL(topology.url).pathname.slice(1) || '0';
      return `REDIS_URL selects database ${db}, and this server has fewer (16 unless its \`databases\` setting says otherwise: 0 to 15). Use a lower number in REDIS_URL.`;
    }
    if (/(^|: )(WRONGPASS|NOAUTH)|AUTH .*without any password/i.test(message)) return 'Check the user name and password in REDIS_URL.';
    return 'Check REDIS_URL.';
  }
  const { user, password, whose } = credentialVariables(topology, message);
  if (/(^|: )NOAUTH/.test(message)) return `It needs a password: set ${password} (and ${user} for an ACL user other than \`default\`) to ${whose} credentials.`;
  if (/(^|: )WRONGPASS/.test(message)) return `Check ${user} and ${password} (${whose} credentials).`;
  if (/AUTH .*without any password/i.test(message)) return `${password} is set, but this server has no password: unset it (or give the server one).`;
  return `Check ${whereVariable(topology)}.`;
}

/** One line naming why Redis could not be reached at start-up and what to do about it.
 *  `shown`: where Redis is, with no password in it (a redacted URL, or the Sentinels' or
 *  Cluster nodes' addresses). `cause`: the refusal, or else the last connection error seen
 *  before giving up. */
export function explainRedisFailure(shown: string, topology: RedisTopology, cause: Error): string {
  const where = whereVariable(topology);
  if (replyIn(cause)) {
    return `Redis at ${shown} refused the connection: ${cause.message.replace(/\.$/, '')}. ${refusalHint(cause.message, topology)}`;
  }
  const code = codeOf(cause);
  const tlsSetting = topology.kind === 'single' ? 'rediss:// in REDIS_URL' : 'REDIS_TLS=true';
  if (UNTRUSTED_CERTIFICATE.has(code as string)) {
    return `Redis at ${shown}: its TLS certificate is not trusted (${String(code)}: ${cause.message}). If a private CA signed it, set REDIS_TLS_CA_FILE to that CA's PEM file; the certificate must name the host or address connected to.`;
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    const host = (cause as { hostname?: string }).hostname ?? (topology.kind === 'single' ? new URL(topology.url).hostname : '?');
    return `Redis at ${shown} cannot be reached: the host ${host} is not known (${cause.message}). Check the host in ${where}.`;
  }
  if (typeof code === 'string' && code.startsWith('ERR_SSL_')) {
    return `Redis at ${shown} did not answer the TLS handshake (${cause.message}): a port without TLS? Check ${tlsSetting} and ${where}.`;
  }
  // Something accepted the connection but did not speak RESP: it closed, reset, or sent
  // bytes that are no Redis reply (an HTTP server, PostgreSQL, a TLS-only Redis).
  if (cause instanceof SocketClosedUnexpectedlyError || code === 'ECONNRESET' || /^Unknown RESP type|^Protocol error/.test(cause.message)) {
    return `Redis at ${shown} did not answer as Redis (${cause.message}): something else listens there, or a TLS port (${tlsSetting}). Check ${where}.`;
  }
  if (topology.kind !== 'single') return `Redis is not answering at ${shown} (${cause.message}). Check ${where}.`;
  return `Redis is not answering at ${shown} (${cause.message}). Start it with \`redis-server\` or \`docker compose up local-redis\`, or set REDIS_URL.`;
}
