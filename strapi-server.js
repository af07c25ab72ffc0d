'use strict';

// Strapi loads the compiled server code (`npm run build` writes dist/).
module.exports = require('./dist/server/src').default;
