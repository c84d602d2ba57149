import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Stored events reach projections and reactors only through the checkpointed log, never an in-memory bus. */
const NO_IN_MEMORY_EVENTS = {
  name: '@nestjs/cqrs',
  importNames: ['EventBus', 'AggregateRoot', 'EventPublisher', 'Saga', 'EventsHandler', 'IEventHandler', 'ofType'],
  message: 'Commands and queries only: stored events travel through the checkpointed log, not @nestjs/cqrs events or sagas.',
};

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', '*.js', '*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'off',
      'no-console': ['error', { allow: ['warn', 'error'] }],
    },
  },
  {
    rules: { '@typescript-eslint/no-restricted-imports': ['error', { paths: [NO_IN_MEMORY_EVENTS] }] },
  },
  {
    // Apps translate a transport into a command or query; deciding and appending happen in use-case handlers.
    files: ['apps/**/*.ts'],
    ignores: ['**/*.spec.ts', '**/*.int-spec.ts', '**/*.e2e-spec.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [
            NO_IN_MEMORY_EVENTS,
            {
              name: '@mfh/domain/deciders',
              message: 'Deciders run only inside use-case handlers (libs/application): send a command through the CommandBus.',
              allowTypeImports: true,
            },
            {
              name: '@mfh/domain',
              importNames: ['evolveSubscription'],
              message: 'Folding a stream is a query: ask a query handler (libs/application).',
              allowTypeImports: true,
            },
            {
              name: '@mfh/application/command-executor',
              message: 'Only use-case handlers append: send a command through the CommandBus.',
              allowTypeImports: true,
            },
            {
              name: '@mfh/event-store',
              importNames: ['handleCommand', 'loadState'],
              message: 'Reads and writes of aggregates go through a query or a command handler.',
              allowTypeImports: true,
            },
          ],
        },
      ],
    },
  },
  {
    files: ['libs/domain/**/*.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        { selector: "MemberExpression[object.name='Date'][property.name='now']", message: 'The clock arrives in the command.' },
        { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: 'The clock arrives in the command.' },
        { selector: "CallExpression[callee.name='randomUUID']", message: 'New ids arrive in the command.' },
        { selector: 'AwaitExpression', message: 'The domain is pure: no I/O.' },
      ],
    },
  },
  {
    // Tests read loosely typed JSON bodies.
    files: ['test/**/*.ts', '**/*.spec.ts', '**/*.int-spec.ts', '**/*.e2e-spec.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['bench/**/*.ts', 'apps/*/src/cli/**/*.ts'],
    rules: { 'no-console': 'off' },
  },
);
