'use strict';
// `node --require ./server/preload.cjs`: see forwarded-headers.cjs and listen-host.cjs.
require('./forwarded-headers.cjs').install();
require('./listen-host.cjs').install();
