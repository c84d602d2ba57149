/** Layer rules: the domain is pure TypeScript, apps never import each other, libs never import apps. */
/** Tests may stand on anything: libs/testing, other libs' fixtures. */
const SPECS = '\\.(spec|int-spec|e2e-spec)\\.ts$';

module.exports = {
  forbidden: [
    {
      name: 'domain-is-pure',
      comment: 'libs/domain imports nothing but TypeScript and itself (no packages, no Node built-ins, no other lib).',
      severity: 'error',
      from: { path: '^libs/domain/', pathNot: '\\.spec\\.ts$' },
      to: { pathNot: '^libs/domain/' },
    },
    {
      name: 'apps-are-independent',
      comment: 'An app never imports another app.',
      severity: 'error',
      from: { path: '^apps/([^/]+)/' },
      to: { path: '^apps/', pathNot: '^apps/$1/' },
    },
    {
      name: 'libs-never-import-apps',
      severity: 'error',
      from: { path: '^libs/' },
      to: { path: '^apps/' },
    },
    {
      name: 'event-store-stands-on-the-domain',
      comment: 'The event store knows the domain\'s types and nothing above it.',
      severity: 'error',
      from: { path: '^libs/event-store/', pathNot: SPECS },
      to: { path: '^libs/', pathNot: '^libs/(event-store|domain)/' },
    },
    {
      name: 'read-models-below-use-cases',
      comment: 'Read models are built from the log; they know neither use cases, messaging nor auth.',
      severity: 'error',
      from: { path: '^libs/read-models/', pathNot: SPECS },
      to: { path: '^libs/(application|messaging|auth)/' },
    },
    {
      name: 'application-uses-read-model-entrances',
      comment: 'Use cases read views through what @mfh/read-models exports, never its tables or projections directly.',
      severity: 'error',
      from: { path: '^libs/application/', pathNot: SPECS },
      to: { path: '^libs/read-models/src/', pathNot: '^libs/read-models/src/index\\.ts$' },
    },
    {
      name: 'application-knows-no-transport',
      comment: 'Use cases are the same for HTTP, jobs and the CLI: no queues, no HTTP framework.',
      severity: 'error',
      from: { path: '^libs/application/', pathNot: SPECS },
      to: { path: '(^libs/messaging/)|(node_modules/(bullmq|@nestjs/bullmq|fastify|@nestjs/platform-fastify)/)' },
    },
    {
      name: 'apps-never-decide',
      comment: 'Apps translate a transport into a command or query: they import no decider and not the executor (type-only imports excepted).',
      severity: 'error',
      from: { path: '^apps/', pathNot: SPECS },
      to: {
        path: '^libs/(domain/src/deciders\\.ts|application/src/command-executor\\.ts|event-store/src/handle-command\\.ts)$',
        dependencyTypesNot: ['type-only'],
      },
    },
    {
      name: 'apps-use-lib-entrances',
      comment: 'Apps import a lib through its index (@mfh/<lib>), so each lib decides what it offers.',
      severity: 'error',
      from: { path: '^apps/', pathNot: SPECS },
      to: { path: '^libs/[^/]+/src/', pathNot: '^libs/[^/]+/src/index\\.ts$' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^dist/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};
