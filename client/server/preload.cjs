'use strict';
// `node --require ./server/preload.cjs`: see forwarded-headers.cjs.
require('./forwarded-headers.cjs').install();
