// ESLint (flat config): typescript-eslint's recommended rules, the layering of the sources, and style
// rules the code already follows (@stylistic), so the linter guards the style instead of reformatting it.
import tseslint from 'typescript-eslint';
import stylistic from '@stylistic/eslint-plugin';

import { builtinModules } from 'node:module';

const restrict = (message, ...group) => ({ group, message });
/** Node.js modules by their bare names (`fs`, `fs/promises`): exact names, not path patterns. */
const nodeBuiltins = message => builtinModules.map(name => ({ name, message }));

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'out/', 'test-results/', '**/*.d.ts'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.mjs', '**/*.js', '**/*.cjs'],
    plugins: { '@stylistic': stylistic },
    rules: {
      '@stylistic/quotes': ['error', 'single', { avoidEscape: true, allowTemplateLiterals: 'always' }],
      '@stylistic/semi': ['error', 'always'],
      '@stylistic/indent': ['error', 2, { SwitchCase: 1, ignoredNodes: ['TemplateLiteral *', 'ConditionalExpression *', 'TSUnionType', 'TSIntersectionType'] }],
      '@stylistic/no-trailing-spaces': 'error',
      '@stylistic/eol-last': 'error',
      '@stylistic/no-tabs': 'error',
      '@stylistic/linebreak-style': ['error', 'unix'],
      '@stylistic/no-multiple-empty-lines': ['error', { max: 2, maxBOF: 0, maxEOF: 0 }],
      '@stylistic/comma-dangle': ['error', 'always-multiline'],
      '@stylistic/keyword-spacing': 'error',
      '@stylistic/space-infix-ops': 'error',
      '@stylistic/comma-spacing': 'error',
    },
  },
  // CommonJS files: require is their import
  { files: ['**/*.cjs', 'bin/*.js'], rules: { '@typescript-eslint/no-require-imports': 'off' } },
  // Layers (README "Development"): the engine is pure, the protocol neutral, the webview a browser app.
  {
    files: ['extension/src/engine/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [{ name: 'vscode', message: 'The engine runs anywhere: no VS Code API.' }, ...nodeBuiltins('The engine touches no file, process or network: no Node.js module.')],
        patterns: [
          restrict('The engine touches no file, process or network: no Node.js module.', 'node:*'),
          restrict('The engine knows no front end: not the webview, the extension host or the CLI.', '**/webview/**', '**/vscode/**', '**/cli/**'),
        ],
      }],
    },
  },
  {
    files: ['protocol/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [
        { regex: '^(?!\\./)', message: 'The protocol is shared by the host and the webview: it imports neither, nor anything else.' },
      ] }],
    },
  },
  {
    files: ['webview/src/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [{ name: 'vscode', message: 'The webview talks to the extension host only through protocol/.' }, ...nodeBuiltins('The webview runs in a browser: no Node.js module.')],
        patterns: [
          restrict('The webview talks to the extension host only through protocol/: no import from extension/.', '**/extension/**'),
          restrict('The webview runs in a browser: no Node.js module.', 'node:*'),
        ],
      }],
    },
  },
);
