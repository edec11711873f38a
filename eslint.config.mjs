// Lint configuration. The layering rule is the important one: only src/extension may
// import `vscode`, so the core, the providers and the webview stay testable in plain Node.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const noVscode = {
  'no-restricted-imports': [
    'error',
    {
      paths: [{ name: 'vscode', message: 'Only src/extension may import vscode (see STYLE.md).' }],
    },
  ],
};

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', '.tools/**', '**/*.js', '**/*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      'no-console': 'off',
    },
  },
  {
    files: [
      'src/core/**/*.ts',
      'src/providers/**/*.ts',
      'src/webview/**/*.ts',
      'src/shared/**/*.ts',
      'src/demo/**/*.ts',
    ],
    rules: noVscode,
  },
  {
    // Every log line goes through the redactor: the raw log channel exists only inside outputLog.ts.
    files: ['src/**/*.ts'],
    ignores: ['src/extension/outputLog.ts'],
    rules: {
      'no-restricted-properties': [
        'error',
        {
          property: 'createOutputChannel',
          message: 'Log through OutputLog (src/extension/outputLog.ts): it redacts every line.',
        },
      ],
    },
  },
  {
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
);
