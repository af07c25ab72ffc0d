import config, { configErrors, defaultConfig } from '../../server/src/config';

describe('plugin configuration', () => {
  it('accepts the defaults and a typical override', () => {
    expect(configErrors(defaultConfig)).toEqual([]);
    expect(configErrors({ ...defaultConfig, storage: { directory: '/var/backups/site' }, worker: { ...defaultConfig.worker, enabled: false } })).toEqual([]);
  });

  it('names every unknown or ill-typed key with its path', () => {
    expect(
      configErrors({
        storage: { directory: 42, bucket: 'x' },
        worker: { pollMs: -1, enabled: 'yes' },
        heartbeatMs: 1.5,
        hooks: { failOpen: 1 },
        wrker: {},
      }),
    ).toEqual([
      'storage.directory must be a string',
      'storage.bucket is not a known option (known: directory)',
      'worker.pollMs must be an integer from 100 to 3600000',
      'worker.enabled must be true or false',
      'heartbeatMs must be an integer from 100 to 3600000',
      'hooks.failOpen must be true or false',
      'wrker is not a known option (known: storage, includeEnv, worker, heartbeatMs, failsafeCron, hooks, schedules, contentApi, retention)',
    ]);
    expect(configErrors({ worker: 'on' })).toEqual(['worker must be an object']);
  });

  it('checks the server-only settings: includeEnv, the schedule minimum and the API rate limit; encryptionKey is gone', () => {
    expect(configErrors({ includeEnv: true, schedules: { minIntervalSeconds: 3600 }, contentApi: { rateLimit: { max: 0, intervalMs: 1000 } } })).toEqual([]);
    expect(configErrors({ includeEnv: 'yes', schedules: { minIntervalSeconds: 0 }, contentApi: { rateLimit: { max: -1 } }, encryptionKey: 'k' })).toEqual([
      'includeEnv must be true or false',
      'schedules.minIntervalSeconds must be an integer from 1 to 604800',
      'contentApi.rateLimit.max must be an integer from 0 to 100000',
      expect.stringMatching(/^encryptionKey is not a known option/),
    ]);
  });

  it('checks the retention settings: the daily rule and how long safety backups are spared', () => {
    expect(defaultConfig.retention).toEqual({ cron: '40 4 * * *', safetyBackupDays: 30 });
    expect(configErrors({ retention: { cron: '0 2 * * *', safetyBackupDays: 0 } })).toEqual([]);
    expect(configErrors({ retention: { cron: '', safetyBackupDays: 1.5, keep: 3 } })).toEqual([
      'retention.cron must be a non-empty string',
      'retention.safetyBackupDays must be an integer from 0 to 36500',
      'retention.keep is not a known option (known: cron, safetyBackupDays)',
    ]);
  });

  it('fails with one message that says where the configuration lives', () => {
    expect(() => config.validator({ ...defaultConfig, heartbeatMs: 'often' })).toThrow(
      'Invalid backup plugin configuration (config/plugins → backup.config): heartbeatMs must be an integer from 100 to 3600000',
    );
  });
});
