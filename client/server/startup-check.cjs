'use strict';
/**
 * Installed by preload.cjs: runs the client's start-up check (lib/startup.ts, bundled into
 * dist/startup.cjs by scripts/bundle-startup.mjs) when the server is about to listen.
 * Then and not earlier: `next start`, the standalone server and `next dev` settle
 * NODE_ENV (production or not) before they listen, and the check depends on it. Not
 * later: Next prints its "Ready" banner as soon as it listens, and a bad setting must be
 * the last line a person reads, not one that follows "Ready".
 */
const http = require('node:http');
const path = require('node:path');

const BUNDLE = path.join(__dirname, 'dist', 'startup.cjs');
const EXIT_CONFIG = 78;

function loadCheck() {
  try {
    return require(BUNDLE);
  } catch (err) {
    if (err && err.code === 'MODULE_NOT_FOUND' && String(err.message).includes('startup.cjs')) {
      console.error(`cloakroom client: ${path.relative(process.cwd(), BUNDLE)} is missing: build the client (npm run build) or start it with npm run dev`);
      process.exit(EXIT_CONFIG);
    }
    throw err;
  }
}

function install() {
  const own = Object.prototype.hasOwnProperty.call(http.Server.prototype, 'listen');
  const inherited = http.Server.prototype.listen;
  http.Server.prototype.listen = function listen(...args) {
    // Once: every later server listens as Node made it.
    if (own) http.Server.prototype.listen = inherited;
    else delete http.Server.prototype.listen;
    loadCheck().checkStartup();
    return inherited.apply(this, args);
  };
}

module.exports = { install };
