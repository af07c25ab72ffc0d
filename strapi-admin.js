'use strict';

// The admin entry, compiled by `npm run build` (package.json `exports['./strapi-admin']` points
// bundlers at the ES module build of the same file).
module.exports = require('./dist/admin');
