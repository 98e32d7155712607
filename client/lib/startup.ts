import { clientConfig, ClientConfigError } from './config';

/** Exit status for a configuration the client cannot run with (sysexits' EX_CONFIG). */
export const EXIT_CONFIG = 78;

/** Reads and checks the configuration before the server serves anything: the warnings,
 *  or one line naming the variable and the exit. Run just before Next listens
 *  (lib/edge.ts, attached by server/preload.cjs). */
export function checkStartup(): void {
  try {
    const config = clientConfig();
    for (const warning of config.warnings) console.warn(`cloakroom client: ${warning}`);
  } catch (err) {
    if (!(err instanceof ClientConfigError)) throw err;
    console.error(`cloakroom client: invalid configuration: ${err.message}`);
    process.exit(EXIT_CONFIG);
  }
}
