/** Unit tests (pure engine), integration tests (a real Strapi on a real database) and e2e tests (Chromium against a served app). */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/tests'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.tsx?$': ['ts-jest', { tsconfig: 'tsconfig.json', diagnostics: false }],
  },
  testTimeout: 120000,
  // Integration suites boot Strapi apps; two cores do not gain from running them side by side.
  maxWorkers: process.env.JEST_WORKERS || 1,
  // Test apps are copies of the playground (each with a package.json) and must not be indexed.
  modulePathIgnorePatterns: ['<rootDir>/tests/.tmp', '<rootDir>/tests/watched-apps', '<rootDir>/playground'],
  verbose: true,
};
