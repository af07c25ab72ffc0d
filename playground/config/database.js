const path = require('path');

/**
 * Strapi's usual variables: SQLite by default, PostgreSQL or MySQL/MariaDB with DATABASE_CLIENT.
 * Runs from dist/config (the app is compiled), hence two levels up to the app directory.
 */
module.exports = ({ env }) => {
  const client = env('DATABASE_CLIENT', 'sqlite');
  const network = {
    host: env('DATABASE_HOST', '127.0.0.1'),
    database: env('DATABASE_NAME', 'strapi'),
    user: env('DATABASE_USERNAME', 'strapi'),
    password: env('DATABASE_PASSWORD', ''),
  };
  const connections = {
    sqlite: {
      connection: { filename: path.resolve(__dirname, '..', '..', env('DATABASE_FILENAME', '.tmp/data.db')) },
      useNullAsDefault: true,
    },
    postgres: {
      connection: { ...network, port: env.int('DATABASE_PORT', 5432), schema: env('DATABASE_SCHEMA', 'public') },
      pool: { min: env.int('DATABASE_POOL_MIN', 2), max: env.int('DATABASE_POOL_MAX', 10) },
    },
    mysql: {
      connection: { ...network, port: env.int('DATABASE_PORT', 3306) },
      pool: { min: env.int('DATABASE_POOL_MIN', 2), max: env.int('DATABASE_POOL_MAX', 10) },
    },
  };
  return {
    connection: { client, ...connections[client], acquireConnectionTimeout: env.int('DATABASE_CONNECTION_TIMEOUT', 60000) },
  };
};
