// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * The layers' rules, enforced rather than commented:
 * - workflow code is deterministic and bundled for Temporal's sandbox, so a workflow file may
 *   import only @temporalio/workflow, other workflow files and the pure modules of common/;
 *   anything else only as a type;
 * - common/ imports nothing outside itself (workflows, activities and clients all use it);
 * - the engines know nothing of Temporal;
 * - the command line calls the client library, never activity internals.
 */
const WORKFLOW_MESSAGE =
  'Workflow code runs in Temporal\'s deterministic sandbox: import only @temporalio/workflow, workflow files and common/ (or anything with "import type").';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.cache/**', '.tmp/**', 'state/**', 'bench/out/**', 'workflow-bundle.js', 'schemas/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        require: 'readonly',
        module: 'writable',
        __dirname: 'readonly',
        Buffer: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        performance: 'readonly',
        AbortController: 'readonly',
        AbortSignal: 'readonly',
        URL: 'readonly',
        fetch: 'readonly',
        TextEncoder: 'readonly',
        TextDecoder: 'readonly',
        structuredClone: 'readonly',
        setImmediate: 'readonly',
        queueMicrotask: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    files: ['workflows/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        { patterns: [{ regex: '^(?!@temporalio/workflow$|\\./|\\.\\./common/)', allowTypeImports: true, message: WORKFLOW_MESSAGE }] },
      ],
    },
  },
  {
    files: ['workflows/*/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [{ regex: '^(?!@temporalio/workflow$|\\./|\\.\\./(?!\\.\\./)|\\.\\./\\.\\./common/)', allowTypeImports: true, message: WORKFLOW_MESSAGE }],
        },
      ],
    },
  },
  {
    files: ['common/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(?!\\./)',
              allowTypeImports: true,
              message: 'common/ is shared by workflows, activities and clients: it imports nothing outside itself (types aside).',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['engines/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['@temporalio/*'], message: 'The engines know nothing of Temporal: they report progress and read cancellation through EngineContext.' },
            {
              regex: '(^|/)(activities|workflows|client|cli|worker)(/|$)',
              message: 'The engine layer is below the runbook: it imports only config/, common/ and its own files.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['cli/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        { patterns: [{ regex: '(^|/)activities(/|$)', message: 'The command line calls the client library (client/), never activity internals.' }] },
      ],
    },
  },
  {
    // chai's property assertions (expect(x).to.be.true) are expressions by design.
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-unused-expressions': 'off' },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
