import { checkBuildMatchesRuntime } from './build-check';
import { clientConfig, ClientConfigError } from './config';

/** Reads and checks the configuration before the server serves anything. */
export function checkStartup(): void {
  try {
    const config = clientConfig();
    checkBuildMatchesRuntime(config.apiInternalUrl);
    for (const warning of config.warnings) console.warn(`cloakroom client: ${warning}`);
  } catch (err) {
    if (!(err instanceof ClientConfigError)) throw err;
    console.error(`cloakroom client: invalid configuration: ${err.message}`);
    process.exit(78);
  }
}
