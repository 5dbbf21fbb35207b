// ESLint flat config. The rules follow aws-cdk's own (tools/@aws-cdk/cdk-build-tools/config/eslintrc.js):
// typescript-eslint's type-aware checks, import ordering and dependency checks, and the same code style.
import js from '@eslint/js';
import stylistic from '@stylistic/eslint-plugin';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import importPlugin from 'eslint-plugin-import-x';
import jest from 'eslint-plugin-jest';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const tsconfig = './tsconfig.dev.json';

export default tseslint.config(
  {
    ignores: ['node_modules/', 'handlers/dist/', 'cdk.out/', 'dist/', 'coverage/', '.tmp/', '**/*.d.ts', 'lib/**/*.js'],
  },
  js.configs.recommended,
  importPlugin.flatConfigs.recommended,
  importPlugin.flatConfigs.typescript,
  {
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: 'module',
      globals: { ...globals.node },
    },
    settings: {
      'import-x/resolver-next': [createTypeScriptImportResolver({ project: tsconfig })],
    },
    plugins: { '@stylistic': stylistic },
    rules: {
      // Style, as aws-cdk has it.
      '@stylistic/indent': ['error', 2],
      '@stylistic/quotes': ['error', 'single', { avoidEscape: true }],
      '@stylistic/semi': ['error', 'always'],
      '@stylistic/comma-dangle': ['error', 'always-multiline'],
      '@stylistic/comma-spacing': ['error', { before: false, after: true }],
      '@stylistic/no-multi-spaces': ['error', { ignoreEOLComments: false }],
      '@stylistic/array-bracket-spacing': ['error', 'never'],
      '@stylistic/array-bracket-newline': ['error', 'consistent'],
      '@stylistic/object-curly-spacing': ['error', 'always'],
      '@stylistic/object-curly-newline': ['error', { multiline: true, consistent: true }],
      '@stylistic/object-property-newline': ['error', { allowAllPropertiesOnSameLine: true }],
      '@stylistic/keyword-spacing': 'error',
      '@stylistic/brace-style': ['error', '1tbs', { allowSingleLine: true }],
      '@stylistic/space-before-blocks': 'error',
      '@stylistic/spaced-comment': ['error', 'always', { exceptions: ['/'], markers: ['/'] }],
      '@stylistic/key-spacing': 'error',
      '@stylistic/quote-props': ['error', 'consistent-as-needed'],
      '@stylistic/no-multiple-empty-lines': ['error', { max: 1 }],
      '@stylistic/no-trailing-spaces': 'error',
      '@stylistic/eol-last': ['error', 'always'],
      '@stylistic/max-len': ['error', {
        code: 150,
        ignoreUrls: true,
        ignoreStrings: true,
        ignoreTemplateLiterals: true,
        ignoreComments: true,
        ignoreRegExpLiterals: true,
      }],
      'curly': ['error', 'multi-line', 'consistent'],
      'dot-notation': 'error',
      'no-throw-literal': 'error',
      'no-bitwise': 'error',

      // Imports: ordered, declared in package.json, resolvable, and each module once.
      'import-x/order': ['error', {
        groups: ['builtin', 'external'],
        alphabetize: { order: 'asc', caseInsensitive: true },
      }],
      'import-x/no-extraneous-dependencies': ['error', {
        // The published library (lib/) may use only its dependencies and peers; handlers are bundled at build time,
        // and tests, benchmarks, examples and scripts never ship. Type-only imports vanish from the emitted JS.
        devDependencies: ['handlers/**', 'test/**', 'bench/**', 'examples/**', 'scripts/**', '*.config.*', '*.js'],
        optionalDependencies: false,
        peerDependencies: true,
      }],
      'import-x/no-unresolved': 'error',
      'import-x/no-duplicates': 'error',
      // tsc already checks what these check, and import-x/namespace alone took a third of the lint time.
      'import-x/namespace': 'off',
      'import-x/named': 'off',
      'import-x/default': 'off',
      'import-x/no-named-as-default-member': 'off',
    },
  },
  {
    files: ['**/*.ts'],
    extends: [...tseslint.configs.recommended],
    languageOptions: {
      parserOptions: { project: tsconfig, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@stylistic/member-delimiter-style': 'error',
      '@typescript-eslint/no-require-imports': 'error',
      'no-shadow': 'off',
      '@typescript-eslint/no-shadow': 'error',
      // One of the easiest mistakes to make: a promise nobody awaits loses its rejection.
      '@typescript-eslint/no-floating-promises': 'error',
      // Inside try/catch a returned promise must be awaited, or the catch never sees its rejection.
      '@typescript-eslint/return-await': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/no-unnecessary-type-assertion': 'error',
      'dot-notation': 'off',
      '@typescript-eslint/dot-notation': 'error',
      // `_`-named bindings are there to be left out: `const { secret: _, ...rest } = props`, `(_event, context) =>`.
      '@typescript-eslint/no-unused-vars': ['error', {
        argsIgnorePattern: '^_',
        varsIgnorePattern: '^_',
        destructuredArrayIgnorePattern: '^_',
        caughtErrors: 'none',
      }],
      // jsii's type guards (`Stage.isStage(x: any)`) are public API in every language, and tests read synthesized
      // CloudFormation JSON; aws-cdk's own config does not enable this rule either.
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
  {
    // The library runs inside users' CDK apps: it reports through annotations and errors, never the console.
    files: ['lib/**'],
    rules: { 'no-console': 'error' },
  },
  {
    files: ['test/**'],
    ...jest.configs['flat/recommended'],
    rules: {
      ...jest.configs['flat/recommended'].rules,
      'jest/no-disabled-tests': 'error',
      'jest/no-focused-tests': 'error',
      // As in aws-cdk: table-driven tests assert per case (`if (statement.Resource === '*') expect(...)`), and the
      // lifecycle suites check in beforeEach/afterEach that each deploy and destroy succeeded.
      'jest/no-conditional-expect': 'off',
      'jest/no-standalone-expect': 'off',
      // Tests assert through helpers: expectValidationError(...), fc.assert(...), Annotations/Template matchers.
      'jest/expect-expect': ['error', { assertFunctionNames: ['expect', 'expect*', 'fc.assert', '**.has*', '**.resourceCountIs', '**.templateMatches'] }],
    },
  },
  {
    files: ['**/*.js', '**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
  },
);
