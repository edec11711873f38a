// Lint configuration. The layering rules are the important ones: only src/extension may import
// `vscode`, and each layer imports only the ones below it, so the core, the providers and the
// webview stay testable in plain Node.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * The layers (STYLE.md): core imports none of the others; providers only core; the webview only
 * shared; shared neither side (only the dependency-free core/format); only src/extension imports
 * `vscode`. Each folder gets one rule listing what it may not import.
 */
const VSCODE = { name: 'vscode', message: 'Only src/extension may import vscode (see STYLE.md).' };
function layer(folder, forbidden) {
  return {
    files: [`src/${folder}/**/*.ts`],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [VSCODE],
          patterns: [
            {
              regex: `^(\\.\\./)+(${forbidden})(/|$)`,
              message: `src/${folder} may not import this layer (see the layer rules in eslint.config.mjs and STYLE.md).`,
            },
          ],
        },
      ],
    },
  };
}
const LAYERS = [
  layer('core', 'providers|extension|webview|demo|shared'),
  layer('providers', 'extension|webview|demo|shared'),
  layer('webview', 'core|providers|extension|demo'),
  // The one exception: shared re-exports the dependency-free core/format, so money and durations
  // read the same on both sides of the webview.
  layer('shared', 'core(?!/format$)|providers|extension|webview|demo'),
  layer('demo', 'extension|webview'),
];

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
  ...LAYERS,
  {
    // A promise nobody awaits hides its failure: await it, return it, or mark it `void` on purpose.
    files: ['src/**/*.ts', 'test/**/*.ts', 'bench/**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: { '@typescript-eslint/no-floating-promises': 'error' },
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
