'use strict';
/**
 * Installed by preload.cjs: attaches lib/edge.ts (bundled into dist/edge.cjs by
 * scripts/bundle-edge.mjs) to every HTTP server of the process just before it listens.
 * Then and not earlier: `next start`, the standalone server and `next dev` settle NODE_ENV
 * (production or not) before they listen, and the configuration check depends on it.
 * Not later: Next prints its "Ready" banner as soon as it listens, and a bad setting must
 * be the last line a person reads, not one that follows "Ready".
 */
const http = require('node:http');
const https = require('node:https');
const path = require('node:path');

const BUNDLE = path.join(__dirname, 'dist', 'edge.cjs');
const EXIT_CONFIG = 78;

let edge;
function loadEdge() {
  if (edge) return edge;
  try {
    edge = require(BUNDLE);
    return edge;
  } catch (err) {
    if (err && err.code === 'MODULE_NOT_FOUND' && String(err.message).includes(BUNDLE)) {
      console.error(`cloakroom client: ${path.relative(process.cwd(), BUNDLE)} is missing: build the client (npm run build) or start it with npm run dev`);
      process.exit(EXIT_CONFIG);
    }
    throw err;
  }
}

function install() {
  for (const Server of [http.Server, https.Server]) {
    const listen = Server.prototype.listen;
    Server.prototype.listen = function listenWithEdge(...args) {
      loadEdge().attach(this);
      return listen.apply(this, args);
    };
  }
}

module.exports = { install };
