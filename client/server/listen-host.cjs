'use strict';
/**
 * Installed by preload.cjs, before Next's standalone server reads HOSTNAME. The client
 * signs its identity headers with a key from IDENTITY_HEADER_SECRET or SESSION_SECRET,
 * and without either from the public development secret (lib/config.ts). Anyone who can
 * reach a process signing with a public secret can sign what it trusts, so such a
 * process listens on loopback only, unless WEB_HOST names another address, and then it
 * says so. With a secret of its own, HOSTNAME is left as the start script or the image
 * set it.
 */

/** The public development secret, from the shared package when it can be found (not in
 *  the Docker image, which refuses that secret anyway). */
function developmentSecret() {
  try {
    return require('@cloakroom/shared/dist/secrets').DEV_SESSION_SECRET;
  } catch {
    return undefined;
  }
}

const isLoopback = (host) => host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);

/**
 * @param {Record<string, string | undefined>} env
 * @returns {{ host: string | undefined, warning: string | undefined }}
 */
function chooseHost(env) {
  const trimmed = (name) => (env[name] || '').trim() || undefined;
  const secret = trimmed('IDENTITY_HEADER_SECRET') || (trimmed('SESSION_SECRET') || '').split(',')[0].trim() || undefined;
  const dev = secret === undefined || secret === developmentSecret();
  const chosen = trimmed('WEB_HOST');
  if (chosen !== undefined) {
    const warning =
      dev && !isLoopback(chosen)
        ? `signing identity headers with the public development secret while listening on WEB_HOST=${chosen}: anyone who can reach it can forge them. Set IDENTITY_HEADER_SECRET (or SESSION_SECRET) before exposing the client.`
        : undefined;
    return { host: chosen, warning };
  }
  return { host: dev ? '127.0.0.1' : undefined, warning: undefined };
}

function install() {
  const { host, warning } = chooseHost(process.env);
  if (host !== undefined) process.env.HOSTNAME = host;
  if (warning) console.warn(`cloakroom client: ${warning}`);
}

module.exports = { chooseHost, install };
