/** One Jest run for unit specs, adapter int-specs and HTTP e2e specs; each file isolates itself (fresh schema, queue prefix). */
const swcrc = JSON.parse(require('fs').readFileSync(`${__dirname}/.swcrc`, 'utf8'));
// ESM-only packages: Node 20 loads them natively at run time; Jest needs them compiled to CommonJS.
const esmOnly = ['jose', 'content-disposition'].join('|');

module.exports = {
  rootDir: '.',
  testEnvironment: 'node',
  testRegex: '.*\\.(spec|int-spec|e2e-spec)\\.ts$',
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  transform: {
    '^.+\\.ts$': ['@swc/jest', { ...swcrc, swcrc: false, sourceMaps: 'inline' }],
    [`/node_modules/(${esmOnly})/.+\\.js$`]: ['@swc/jest', { swcrc: false, module: { type: 'commonjs' } }],
  },
  // Ignore a file unless the innermost package it belongs to is in the ESM-only list.
  transformIgnorePatterns: [`/node_modules/(?!(?:${esmOnly})/)[^/]+/(?!.*/node_modules/)`],
  moduleNameMapper: {
    '^@mfh/domain/deciders$': '<rootDir>/libs/domain/src/deciders',
    '^@mfh/application/command-executor$': '<rootDir>/libs/application/src/command-executor',
    '^@mfh/(domain|event-store|read-models|config|testing|application|messaging|auth)$': '<rootDir>/libs/$1/src',
  },
  setupFiles: ['reflect-metadata'],
  testTimeout: 30000,
  maxWorkers: 2,
};
