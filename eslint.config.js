import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node, ...globals.mocha } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-restricted-imports': 'off',
    },
  },
  {
    // CommonJS files (the mocha reporter, which mocha loads with require).
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // The console's plain browser modules, served as they are.
    files: ['src/server/console/**/*.js'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    // The domain knows nothing of frameworks or backends.
    files: ['src/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: ['koa', '@koa/*', 'ioredis', 'inversify', 'ajv', '*/server/*', '*/adapters/*'] },
      ],
    },
  },
);
