/**
 * The README's examples compile. Its TypeScript examples are CDK app code: jsii-rosetta compiles each one inside the
 * stack of `rosetta/default.ts-fixture` and translates it to the other jsii languages (`npm run rosetta:extract`, in
 * `npm test`). Run-time code for a backend (the AWS SDK for JavaScript, which rosetta cannot translate and which has no
 * meaning in another CDK language) is shown as JavaScript, as aws-cdk's READMEs show handler code: those blocks are
 * type-checked here against the SDK's own types, as is the testing kit's jest example (against jest's and the kit's).
 */
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';

const ROOT = path.join(__dirname, '..');
const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
const fences = [...readme.matchAll(/^```(\S*)([^\n]*)\n([\s\S]*?)^```$/gm)].map(([, language, parameters, code]) => ({ language, parameters, code }));

test('TypeScript examples are fenced `ts` (what jsii-rosetta extracts), and only the complete app opts out of the fixture', () => {
  expect(fences.filter(({ language }) => language === 'typescript' || language === 'tsx')).toEqual([]);
  const typescript = fences.filter(({ language }) => language === 'ts');
  expect(typescript.length).toBeGreaterThan(10);
  // `nofixture`: compiled as it stands, so it must be a whole app, not statements inside a stack.
  expect(typescript.filter(({ parameters }) => parameters.trim() !== '').map(({ parameters, code }) => [parameters.trim(), code.includes('new App()')]))
    .toEqual([['nofixture', true]]);
});

test("the README's JavaScript examples type-check against the AWS SDK's and the testing kit's types", () => {
  const snippets = fences.filter(({ language }) => language === 'js');
  expect(snippets.length).toBeGreaterThanOrEqual(3);
  // beside the project's node_modules, so that the SDK packages resolve; ES modules, so top-level await is allowed.
  const dir = fs.mkdtempSync(path.join(ROOT, '.tmp-readme-'));
  try {
    const files = snippets.map(({ code }, index) => {
      const file = path.join(dir, `snippet-${index}.mjs`);
      fs.writeFileSync(file, code);
      return file;
    });
    const program = ts.createProgram(files, {
      allowJs: true,
      checkJs: true,
      noEmit: true,
      strict: true,
      skipLibCheck: true,
      module: ts.ModuleKind.Node20,
      moduleResolution: ts.ModuleResolutionKind.Node16,
      target: ts.ScriptTarget.ES2022,
      // jest's globals, for the testing kit's example (a jest test).
      types: ['node', 'jest'],
    });
    const diagnostics = ts.getPreEmitDiagnostics(program).map((diagnostic) =>
      `${path.basename(diagnostic.file?.fileName ?? '')}: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n')}`);
    expect(diagnostics).toEqual([]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
