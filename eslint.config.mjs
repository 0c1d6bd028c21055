// The TypeScript linter gated by `npm test` (scripts/gates.sh): ESLint's and typescript-eslint's
// recommended rules over the wrapper, the demos, the benchmarks, the scripts and the JS tests.
// Formatting is Prettier's (.prettierrc.json), so no stylistic rules here.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      'pkg/',
      'dist/',
      'target/',
      'www/api/',
      'www/data/',
      'tests/consumers/',
      'test-results/',
      'bench/results/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.{ts,mjs,js}'],
    languageOptions: { globals: { ...globals.browser, ...globals.node } },
    rules: {
      // `_`-prefixed parameters and bindings are deliberately unused.
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
    },
  },
);
