// ESLint flat config. Besides the recommended rules, it enforces where code may run:
// the engine is plain Node (no Electron), shared/ is pure TypeScript (no Node, no
// Electron, no reaching into electron/ or renderer/), the renderer is browser code
// (no Node, no Electron, no engine), the sandboxed preload has no Node. Static imports
// and re-exports are checked by no-restricted-imports, import() and require() by
// no-restricted-syntax. tests/unit/lint-boundaries.test.ts proves each rule fires.
import { builtinModules } from 'node:module';
import { defineConfig, globalIgnores } from 'eslint/config';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const nodeBuiltins = [...new Set(builtinModules.map((name) => name.split('/')[0]))];

/** One forbidden family of module specifiers: a regex over the specifier and why. */
function forbid(regex, message) {
  return { regex, message };
}

const NODE_PREFIX = forbid('^node:', 'Node built-ins are not available here.');
const NODE_BUILTIN = forbid(`^(${nodeBuiltins.join('|')})(/.*)?$`, 'Node built-ins are not available here.');
const ELECTRON = forbid('^electron(/.*)?$', "'electron' is only for electron/main and electron/preload.");
// Relative specifiers that climb into a folder, e.g. '../electron/engine/records.ts'.
const into = (folder) => `^(\\.\\.?/)+(.*/)?${folder}(/|$)`;

const BOUNDARIES = [
  {
    name: 'engine: plain Node, no Electron',
    files: ['electron/engine/**'],
    forbidden: [
      ELECTRON,
      forbid(into('(main|preload)'), 'The engine must not depend on the Electron shell.'),
      forbid(into('renderer'), 'The engine must not depend on the renderer.'),
    ],
  },
  {
    name: 'shared: pure TypeScript',
    files: ['shared/**'],
    forbidden: [
      NODE_PREFIX,
      NODE_BUILTIN,
      ELECTRON,
      forbid(into('(electron|renderer)'), 'shared/ is imported by every side; it must not depend on any of them.'),
    ],
  },
  {
    name: 'renderer: browser only',
    files: ['renderer/**'],
    forbidden: [
      NODE_PREFIX,
      NODE_BUILTIN,
      ELECTRON,
      forbid(into('electron'), 'The renderer reaches the engine only through the API client (lib/api-client.ts).'),
    ],
  },
  {
    name: 'preload: sandboxed, no Node',
    files: ['electron/preload/**'],
    forbidden: [
      NODE_PREFIX,
      NODE_BUILTIN,
      forbid(into('(engine|renderer)'), 'The preload is a thin bridge: Electron and shared/ only.'),
    ],
  },
];

// esquery regex literals cannot contain '/', so slashes are written as \x2F.
const selectorRegex = (regex) => regex.replaceAll('/', '\\x2F');

function boundaryConfig({ name, files, forbidden }) {
  return {
    name: `telltale/boundary: ${name}`,
    files,
    rules: {
      'no-restricted-imports': ['error', { patterns: forbidden.map(({ regex, message }) => ({ regex, message })) }],
      'no-restricted-syntax': [
        'error',
        ...forbidden.flatMap(({ regex, message }) => [
          { selector: `ImportExpression[source.value=/${selectorRegex(regex)}/]`, message },
          { selector: `CallExpression[callee.name='require'][arguments.0.value=/${selectorRegex(regex)}/]`, message },
        ]),
      ],
    },
  };
}

export default defineConfig([
  globalIgnores(['out/', 'dist/', 'node_modules/', 'tests/fixtures/', 'tests/artifacts/', 'test-results/']),
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    name: 'telltale/base',
    languageOptions: { ecmaVersion: 'latest', sourceType: 'module' },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          caughtErrorsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
          ignoreRestSiblings: true,
        },
      ],
      // Generator functions cannot be arrows; `const self = this` is how they reach the instance.
      '@typescript-eslint/no-this-alias': ['error', { allowedNames: ['self'] }],
      // Byte parsers advance their cursor after every field, the last one included; that
      // uniformity is worth more than the dead store it sometimes leaves.
      'no-useless-assignment': 'off',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'separate-type-imports', disallowTypeAnnotations: false }],
    },
  },
  {
    name: 'telltale/node-scripts',
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        Buffer: 'readonly',
        URL: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
      },
    },
  },
  ...BOUNDARIES.map(boundaryConfig),
]);
