/** Runs once when the server starts: lib/startup.ts stops the process with one clear
 *  line if the configuration is unusable (above all, no identity-header secret in
 *  production). */
export async function register() {
  if (process.env.NEXT_RUNTIME === 'nodejs') (await import('./lib/startup')).checkStartup();
}
