const fs = require('fs');
const path = require('path');

/** The plugin is this repository itself: found by walking up to its package.json. */
const pluginRoot = () => {
  for (let dir = __dirname; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg) && JSON.parse(fs.readFileSync(pkg, 'utf8')).name === 'strapi-plugin-backup') return dir;
  }
  throw new Error('strapi-plugin-backup not found above the playground');
};

module.exports = ({ env }) => ({
  backup: {
    // false: the same app without the plugin (bench/idle-cost.js measures the difference).
    enabled: env.bool('BACKUP_PLUGIN_ENABLED', true),
    // BACKUP_PLUGIN_ROOT: a copy of this app outside the repository (a test) says where the plugin is.
    resolve: env('BACKUP_PLUGIN_ROOT') || pluginRoot(),
    config: {
      storage: { directory: env('BACKUP_DIR', 'backups') },
      // Shortened in tests; the defaults suit a real site.
      worker: {
        enabled: env.bool('BACKUP_WORKER', true),
        concurrency: env.int('BACKUP_WORKER_CONCURRENCY', 1),
        pollMs: env.int('BACKUP_POLL_MS', 5000),
        shutdownGraceMs: env.int('BACKUP_SHUTDOWN_GRACE_MS', 30000),
      },
      heartbeatMs: env.int('BACKUP_HEARTBEAT_MS', 10000),
      failsafeCron: env('BACKUP_FAILSAFE_CRON', '* * * * *'),
      // The schedule test fires every second in several processes; a site keeps the one-minute floor.
      schedules: { minIntervalSeconds: env.int('BACKUP_SCHEDULE_MIN_INTERVAL_SECONDS', 60) },
      hooks: {
        failOpen: env.bool('BACKUP_HOOKS_FAIL_OPEN', false),
        waitMs: env.int('BACKUP_HOOKS_WAIT_MS', 10 * 60 * 1000),
      },
      // The retention test checks that a configured rule is the one registered; unset, the plugin's default.
      ...(env('BACKUP_RETENTION_CRON') ? { retention: { cron: env('BACKUP_RETENTION_CRON') } } : {}),
    },
  },
  // SMTP_HOST set: e-mail (the plugin's job notifications included) goes through that SMTP server
  // with Strapi's nodemailer provider; unset, Strapi's default (sendmail), which sends nothing here.
  ...(env('SMTP_HOST')
    ? {
        email: {
          config: {
            provider: 'nodemailer',
            providerOptions: { host: env('SMTP_HOST'), port: env.int('SMTP_PORT', 587), secure: false, ignoreTLS: env.bool('SMTP_IGNORE_TLS', false) },
            settings: { defaultFrom: env('SMTP_FROM', 'strapi@localhost'), defaultReplyTo: env('SMTP_FROM', 'strapi@localhost') },
          },
        },
      }
    : {}),
});
