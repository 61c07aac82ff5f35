// Lint configuration (ESLint flat config with typescript-eslint, type-checked). CI runs it with zero warnings.
import js from '@eslint/js';
import jsdoc from 'eslint-plugin-jsdoc';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['.dependency-cruiser.cjs', 'dist/**', 'node_modules/**', '.dualpipe/**', 'bench/results/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      // The TypeScript project (tsconfig.json) gives the typed rules their types.
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
      globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', performance: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', URL: 'readonly', NodeJS: 'readonly' },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-control-regex': 'off',
      eqeqeq: ['error', 'always'],
      // A promise nobody awaits loses its rejection and its ordering: the bugs these rules exist for.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
    },
  },
  {
    // The plain JavaScript files (this config, scripts/) are not part of the TypeScript project.
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    // .dependency-cruiser.cjs is CommonJS.
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { module: 'writable', require: 'readonly', __dirname: 'readonly' } },
  },
  {
    // Every exported name of the product has a doc comment (/** … */) saying what it is or does,
    // checked by eslint-plugin-jsdoc's require-jsdoc. Only presence: no other jsdoc rule is on
    // (no @param/@returns tag pedantry). schema/migrations is left out: each migration exports
    // knex's `up` and `down`, which its header explains.
    files: ['{src,schema,sync,backup,ops,api,cli,bin}/**/*.ts'],
    ignores: ['schema/migrations/**'],
    plugins: { jsdoc },
    rules: {
      'jsdoc/require-jsdoc': [
        'error',
        {
          // Exported names only (`export` in an ES module).
          publicOnly: true,
          require: { FunctionDeclaration: true, ClassDeclaration: true },
          contexts: [
            'TSInterfaceDeclaration',
            'TSTypeAliasDeclaration',
            'TSEnumDeclaration',
            // Only the exported declaration itself: with publicOnly, a bare `VariableDeclaration`
            // also flags every `const` inside an exported function.
            'ExportNamedDeclaration > VariableDeclaration',
          ],
          // An empty /** */ inserted by --fix would satisfy the rule and say nothing.
          enableFixer: false,
        },
      ],
    },
  },
  {
    files: ['test/**/*.ts'],
    rules: {
      // vitest's asymmetric matchers (`expect.stringContaining(…)` in an expected object) are typed
      // `any`; in a test that is an assertion, not an unchecked value.
      '@typescript-eslint/no-unsafe-assignment': 'off',
    },
  },
);
