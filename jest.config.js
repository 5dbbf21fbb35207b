/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // the app the install test (test/install/package-install.slow.ts) copies out and runs against the packed package.
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/install/app/'],
  // ts before js: jsii leaves compiled .js beside every lib/*.ts, and the tests must exercise the sources.
  moduleFileExtensions: ['ts', 'js', 'json'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.dev.json' }],
  },
  testTimeout: 60000,
  // a fake server or timer a suite leaves open must not hold CI after the last test has reported (jest would wait).
  forceExit: true,
};
