/** ESM-only packages (the Kubernetes client and its OIDC dependencies) compiled to CommonJS for jest. */
const ESM_PACKAGES = '@kubernetes/client-node|openid-client|oauth4webapi|jose';

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } },
    ],
    [`^.+/node_modules/(${ESM_PACKAGES})/.+\\.js$`]: [
      '@swc/jest',
      { jsc: { parser: { syntax: 'ecmascript' }, target: 'es2022' }, module: { type: 'commonjs' } },
    ],
  },
  transformIgnorePatterns: [`/node_modules/(?!(${ESM_PACKAGES})/)`],
  moduleFileExtensions: ['ts', 'js', 'json'],
  reporters: ['default', '<rootDir>/test/support/summaryReporter.js'],
  testTimeout: 60000,
  maxWorkers: 2,
};
