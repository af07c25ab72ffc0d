// Lint: the TypeScript rules for every source, the React hooks rules for the admin panel.
// Formatting is prettier's (`npm run format`); nothing here argues with it.
import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'dist/',
      'coverage/',
      'playground/.strapi/',
      'playground/dist/',
      'playground/build/',
      'playground/types/',
      'playground/.tmp/',
      'playground/backups/',
      'playground/public/',
      'tests/.tmp/',
      'tests/watched-apps/',
      'bench/.tmp/',
      'bench/results/',
    ],
  },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.tsx'],
    rules: {
      // `_`-prefixed parameters keep their position (Koa, Strapi's signatures); a rest sibling omits fields.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true }],
      // knex's raw results, its clients' internals, Strapi's lifecycle events and admin app are typed
      // `any` by their own packages; `tsc --strict` checks everything else.
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
  {
    // Tests require modules after setting the environment the module reads at load.
    files: ['tests/**/*.ts'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['admin/src/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: {
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'error',
    },
  },
  {
    // Node scripts, the bench and Strapi's entry files are CommonJS.
    files: ['**/*.js'],
    languageOptions: { sourceType: 'commonjs', globals: globals.node },
    rules: {
      '@typescript-eslint/no-require-imports': 'off',
      // `const crypto = require('node:crypto')` is the module, not a second global.
      'no-redeclare': ['error', { builtinGlobals: false }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  {
    files: ['**/*.mjs'],
    languageOptions: { globals: globals.node },
  },
);
