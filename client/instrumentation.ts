/** Runs once when the server starts. The configuration itself is checked earlier, by
 *  server/preload.cjs (before Next listens); this only refuses a server started without
 *  that preload, which would also pass browsers' own X-Forwarded-For to the API. */
export function register() {
  if (process.env.NEXT_RUNTIME === 'nodejs' && process.env.CLOAKROOM_CLIENT_PRELOADED !== '1') {
    console.error('cloakroom client: started without its preload: run it with `node --require ./server/preload.cjs` (npm start and npm run dev do)');
    process.exit(78);
  }
}
