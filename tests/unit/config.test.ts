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
      })
    ).toEqual([
      'storage.directory must be a string',
      'storage.bucket is not a known option (known: directory)',
      'worker.pollMs must be an integer from 100 to 3600000',
      'worker.enabled must be true or false',
      'heartbeatMs must be an integer from 100 to 3600000',
      'hooks.failOpen must be true or false',
      'wrker is not a known option (known: storage, encryptionKey, worker, heartbeatMs, failsafeCron, hooks)',
    ]);
    expect(configErrors({ worker: 'on' })).toEqual(['worker must be an object']);
  });

  it('fails with one message that says where the configuration lives', () => {
    expect(() => config.validator({ ...defaultConfig, heartbeatMs: 'often' })).toThrow(
      'Invalid backup plugin configuration (config/plugins → backup.config): heartbeatMs must be an integer from 100 to 3600000'
    );
  });
});
