// Lint rules: typescript-eslint's recommended type-aware set, with Prettier owning formatting.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';

export default tseslint.config(
  {
    ignores: [
      'node_modules',
      'dist',
      '.data',
      'coverage',
      'reports',
      '.stryker-tmp',
      'subgraph/generated',
      '*.js',
      '*.mjs',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  { languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } } },
  {
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Memory adapters and plugin hooks implement async ports: `async` keeps a throw inside them a rejection,
      // which is what their callers handle, even where the body happens to need no await.
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    // Jest's asymmetric matchers (expect.any, expect.stringMatching) are typed `any` by @types/jest: in
    // tests, placing them inside expected objects is their purpose, not an unsafe value.
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  // Plain JavaScript (build scripts) is outside the TypeScript project: linted without type information.
  { files: ['**/*.mjs', '**/*.cjs', '**/*.js'], ...tseslint.configs.disableTypeChecked },
  // CommonJS shared by an ES module worker and the compiled TypeScript (repeated-texts.cjs).
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { exports: 'writable', module: 'writable' } },
  },
  {
    // The development page's module runs in the browser: the browser globals it uses, and nothing of Node's.
    files: ['subgraph/http/dev-page/**/*.mjs'],
    languageOptions: {
      globals: Object.fromEntries(
        ['atob', 'CloseEvent', 'document', 'fetch', 'globalThis', 'location', 'sessionStorage'].map(
          (name) => [name, 'readonly'],
        ),
      ),
    },
  },
  prettier,
);
