/** Passkeys' relying party (WebAuthn): whose credentials these are and where a ceremony may
 *  take place. The browser scopes a passkey to the RP ID (a host name), and signs the
 *  origin it ran on into every response; the server accepts only the origins listed. */
export interface WebAuthnConfig {
  /** The host name passkeys are scoped to: the app's host, or a registrable parent of it. */
  rpId: string;
  /** Shown by the browser and authenticator when a passkey is created. */
  rpName: string;
  /** Every origin a registration or sign-in may come from (scheme, host, port). */
  origins: string[];
}

export interface WebAuthnEnv {
  rpId: string | undefined;
  origins: string[];
  rpName: string;
}

/** A host is within the RP ID when it is the RP ID or a subdomain of it (WebAuthn §5.1.3
 *  step 8: the browser refuses any other, so a mismatch here is a passkey nobody can use). */
export function hostWithinRpId(host: string, rpId: string): boolean {
  return host === rpId || host.endsWith(`.${rpId}`);
}

/** The configured values, each defaulting from APP_ORIGIN: its host is the RP ID and it is
 *  the one origin. Returns the variable at fault and why, when the two cannot work together. */
export function webauthnConfig(env: WebAuthnEnv, appOrigin: string): WebAuthnConfig | { variable: string; problem: string } {
  const origins = env.origins.length > 0 ? env.origins : [appOrigin];
  const rpId = env.rpId ?? new URL(origins[0]!).hostname;
  const outside = origins.filter((o) => !hostWithinRpId(new URL(o).hostname, rpId));
  if (outside.length > 0) {
    return {
      variable: env.rpId !== undefined ? 'WEBAUTHN_RP_ID' : 'WEBAUTHN_ORIGINS',
      problem: `"${rpId}" must be the host of every WebAuthn origin or a parent domain of it (not so for ${outside.join(', ')})`,
    };
  }
  return { rpId, rpName: env.rpName, origins };
}

const isIpAddress = (host: string) => /^[\d.]+$/.test(host) || host.startsWith('[');

/** Why passkeys cannot work with this configuration, if they cannot (a warning, not a
 *  refusal: the rest of the API works, and the default APP_ORIGIN of some set-ups is an
 *  address). Browsers offer WebAuthn only on HTTPS or localhost, and never for an IP address. */
export function webauthnWarning(config: WebAuthnConfig): string | undefined {
  if (isIpAddress(config.rpId)) {
    return `Passkeys cannot work: the WebAuthn RP ID "${config.rpId}" is an IP address, which browsers refuse. Serve the app under a host name (APP_ORIGIN, or WEBAUTHN_RP_ID and WEBAUTHN_ORIGINS).`;
  }
  const insecure = config.origins.filter((o) => {
    const { protocol, hostname } = new URL(o);
    return protocol === 'http:' && hostname !== 'localhost' && !hostname.endsWith('.localhost');
  });
  if (insecure.length > 0) return `Passkeys will not work from ${insecure.join(', ')}: browsers offer WebAuthn only on https:// origins and http://localhost.`;
  return undefined;
}
