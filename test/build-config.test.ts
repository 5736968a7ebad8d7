// What `npm run build` compiles into dist/ (the published package): the product only. Tests and test
// support must stay out, or the package ships test servers and fixtures nobody asked for. The check
// asks the compiler itself for the program of tsconfig.build.json, imports followed, without type-checking.
import { dirname, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../', import.meta.url));

/** Every project file (node_modules left out) the build program reads, relative to the repository root. */
function buildProgramFiles(): string[] {
  const configPath = `${root}tsconfig.build.json`;
  const read = ts.readConfigFile(configPath, (path) => ts.sys.readFile(path));
  if (read.error) throw new Error(ts.flattenDiagnosticMessageText(read.error.messageText, '\n'));
  const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, dirname(configPath), undefined, configPath);
  expect(parsed.errors).toEqual([]);
  const program = ts.createProgram({ rootNames: parsed.fileNames, options: parsed.options });
  return program
    .getSourceFiles()
    .map((file) => relative(root, file.fileName))
    .filter((path) => !path.startsWith('..') && !path.includes('node_modules/'));
}

describe('the build (tsconfig.build.json)', () => {
  // Parsing every source takes seconds on a busy machine; the bound only guards against a hang.
  it('compiles sources under src/ and no tests or test support', { timeout: 120_000 }, () => {
    const files = buildProgramFiles();
    expect(files).toContain('src/cli/main.ts');
    expect(files.filter((path) => !path.startsWith('src/'))).toEqual([]);
    expect(files.filter((path) => /\.test\.tsx?$/.test(path))).toEqual([]);
    expect(files.filter((path) => /(^|\/)(testing|support)\//.test(path))).toEqual([]);
  });
});

/** The compiler options a tsconfig ends up with, `extends` followed. */
function compilerOptions(configPath: string): ts.CompilerOptions {
  const read = ts.readConfigFile(configPath, (path) => ts.sys.readFile(path));
  if (read.error) throw new Error(ts.flattenDiagnosticMessageText(read.error.messageText, '\n'));
  return ts.parseJsonConfigFileContent(read.config, ts.sys, dirname(configPath), undefined, configPath).options;
}

describe('the stricter checks stay on', () => {
  it.each(['tsconfig.json', 'tsconfig.build.json', 'web/tsconfig.json'])('%s: exact optional properties, no implicit returns, no switch fallthrough', (file) => {
    const options = compilerOptions(`${root}${file}`);
    expect({ strict: options.strict, exact: options.exactOptionalPropertyTypes, returns: options.noImplicitReturns, fallthrough: options.noFallthroughCasesInSwitch, index: options.noUncheckedIndexedAccess })
      .toEqual({ strict: true, exact: true, returns: true, fallthrough: true, index: true });
  });

  // The lint config is asked what it applies to each kind of file, so a later override that switches a
  // rule off for some folder shows up here.
  it.each(['src/http/app.ts', 'src/realtime/realtime.ts', 'web/src/main.tsx', 'test/support/app.ts', 'bench/run.ts'])('%s is linted with the typed promise and switch rules', { timeout: 120_000 }, async (file) => {
    const { ESLint } = await import('eslint');
    const config = (await new ESLint({ cwd: root }).calculateConfigForFile(file)) as { rules: Record<string, unknown[]> };
    const severity = (rule: string) => config.rules[rule]?.[0];
    for (const rule of ['no-floating-promises', 'no-misused-promises', 'switch-exhaustiveness-check', 'no-unnecessary-type-assertion']) {
      expect([rule, severity(`@typescript-eslint/${rule}`)]).toEqual([rule, 2]);
    }
  });
});
