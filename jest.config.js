// Two suites: `unit` does no I/O; `integration` runs against DynamoDB Local and fauxqs started by globalSetup.
const transform = { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022' } }] }

/** @type {import('jest').Config} */
module.exports = {
  // Read from here only, not per project: integration tests start processes and wait on them.
  testTimeout: 60_000,
  projects: [
    {
      displayName: 'unit',
      testMatch: ['<rootDir>/test/unit/**/*.test.ts'],
      transform,
    },
    {
      displayName: 'integration',
      testMatch: ['<rootDir>/test/integration/**/*.test.ts'],
      transform,
      globalSetup: '<rootDir>/test/support/emulators/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/emulators/global-teardown.ts',
    },
  ],
}
