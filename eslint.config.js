// Lint rules, plus the architecture's import arrows (docs/architecture.md, "Folders and the arrows"):
// a folder under src/ may import only the barrels (index.ts) of the folders it is allowed to.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

export const AREAS = ['core', 'storage', 'identity', 'sessions', 'cookies', 'tokens', 'oauth', 'federation',
  'realtime', 'mail', 'balancer', 'http', 'cluster', 'lab', 'cli'];

export const ALLOWED = {
  core: [],
  storage: ['core'],
  identity: ['core', 'storage'],
  sessions: ['core', 'storage'],
  cookies: ['core'],
  tokens: ['core', 'storage'],
  oauth: ['core', 'storage', 'identity', 'sessions', 'tokens'],
  federation: ['core', 'storage', 'identity'],
  realtime: ['core', 'storage', 'sessions', 'tokens'],
  mail: ['core', 'storage'],
  balancer: ['core'],
  http: AREAS.filter((a) => !['http', 'cluster', 'cli', 'balancer', 'lab'].includes(a)),
  cluster: ['core', 'balancer', 'http'],
  lab: ['core'],
  cli: AREAS.filter((a) => a !== 'cli'),
};

function boundaryFor(area) {
  const forbidden = AREAS.filter((a) => a !== area && !ALLOWED[area].includes(a));
  const allowed = ALLOWED[area];
  const patterns = [];
  if (forbidden.length) {
    patterns.push({
      group: forbidden.flatMap((a) => [`../${a}`, `../${a}/*`, `../../${a}`, `../../${a}/*`, `../../../${a}`, `../../../${a}/*`]),
      message: `src/${area}/ may import only: ${allowed.join(', ') || 'nothing inside src/'} (docs/architecture.md).`,
    });
  }
  if (allowed.length) {
    // Only the barrel: '../core/index.js', never '../core/errors.js'.
    patterns.push({
      regex: `^(\\.\\./)+(${allowed.join('|')})/(?!index\\.js$).+`,
      message: 'Import another folder through its index.ts barrel only.',
    });
  }
  return {
    files: [`src/${area}/**/*.ts`],
    ignores: ['src/**/*.test.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns }] },
  };
}

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'web/dist/', 'coverage/', 'test-output/', 'bench/results/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node }, ecmaVersion: 2023, sourceType: 'module' },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
      eqeqeq: ['error', 'smart'],
      '@typescript-eslint/no-empty-object-type': ['error', { allowInterfaces: 'with-single-extends' }],
      // Named exports only (docs/architecture.md, "Conventions").
      'no-restricted-syntax': ['error', { selector: 'ExportDefaultDeclaration', message: 'Use named exports.' }],
    },
  },
  {
    // Rules that need the type checker: a promise nobody awaits or catches is an unhandled rejection
    // (a crashed process), a promise where a callback's result is ignored drops its error, a switch
    // over a union must name every member, and an assertion the types already prove hides a real one.
    files: ['**/*.{ts,tsx}'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
      '@typescript-eslint/no-unnecessary-type-assertion': 'error',
    },
  },
  { files: ['*.config.{js,ts}', '*.config.d.ts', 'web/vite.config.ts'], rules: { 'no-restricted-syntax': 'off' } },
  { files: ['web/**/*.{ts,tsx}'], languageOptions: { globals: { ...globals.browser } } },
  { files: ['test/**/*.ts', '**/*.test.ts', 'bench/**/*.ts'], rules: { '@typescript-eslint/no-explicit-any': 'off' } },
  ...AREAS.map(boundaryFor),
);
