import { ClientConfigError } from './config';

/** The /api rewrite is fixed when the app is built (Next writes it into the routes
 *  manifest); the proxy reads API_INTERNAL_URL when it runs. If the two differ, the
 *  proxy would vouch for sessions of one API while the browser talks to another, so
 *  start-up refuses. next.config.ts compiles the build-time value in. */
export function checkBuildMatchesRuntime(runtimeApiUrl: string, builtApiUrl: string | undefined = process.env.CLOAKROOM_BUILT_API_URL): void {
  if (builtApiUrl && builtApiUrl !== runtimeApiUrl) {
    throw new ClientConfigError(
      'API_INTERNAL_URL',
      `is ${runtimeApiUrl} now but the app was built with ${builtApiUrl} (the /api rewrite is fixed at build time): rebuild with the same value`,
    );
  }
}
