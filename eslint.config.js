import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/**
 * The engine/UI boundary is a lint rule, not a convention (after excalidraw's eslintrc):
 * src/ never imports React, Zustand or app/ and never touches the DOM; app/ never imports TF.js.
 */
export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'test-results/', 'playwright-report/', 'public/', 'gpu-check/', 'bench-results/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    files: ['src/**/*.ts'],
    languageOptions: { globals: { ...globals.worker } },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['react', 'react-dom', 'react/*', 'react-dom/*'], message: 'The engine (src/) never imports React.' },
            { group: ['zustand', 'zustand/*'], message: 'The engine (src/) never imports Zustand.' },
            { group: ['**/app/**', '../app', '../../app'], message: 'The engine (src/) never imports app/.' },
          ],
        },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'document', message: 'The engine (src/) never touches the DOM.' },
        { name: 'window', message: 'The engine (src/) runs in a Worker and in Node: no window.' },
        { name: 'localStorage', message: 'Browser storage goes through src/storage/ only.' },
      ],
    },
  },
  {
    files: ['app/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['@tensorflow/*'], message: 'app/ never imports TF.js: talk to the engine through src/index.ts.' },
            {
              group: ['**/src/*', '!**/src/index', '!**/src/index.ts'],
              message: 'app/ imports the engine only through src/index.ts.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['scripts/**/*.ts', 'e2e/**/*.ts', '*.config.ts', '*.config.js'],
    languageOptions: { globals: { ...globals.node } },
  },
);
