#!/usr/bin/env node
'use strict';

// Until the command settles, an exit is a failure (e.g. a stream that ended without an answer).
process.exitCode = 1;

require('../dist/server/src/cli')
  .main(process.argv.slice(2))
  .then((code) => {
    process.exitCode = code;
    // Strapi may leave timers or pools open after destroy(); the command's work is done.
    setImmediate(() => process.exit(code));
  });
