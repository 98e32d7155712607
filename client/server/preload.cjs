'use strict';
// `node --require ./server/preload.cjs` (every script, the e2e stack and the Docker image
// start the client this way): the API learns who the browser really is
// (forwarded-headers.cjs), a process signing with the public development secret listens
// on loopback only (listen-host.cjs), a bad configuration stops the server before it
// listens, and /api is served in front of Next (edge.cjs). The marker lets
// instrumentation.ts refuse a start without it.
require('./forwarded-headers.cjs').install();
require('./listen-host.cjs').install();
require('./edge.cjs').install();
process.env.CLOAKROOM_CLIENT_PRELOADED = '1';
