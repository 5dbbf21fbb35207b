/**
 * Generates the testing kit's API reference (testing/API.md) from its TypeScript declarations, as jsii-docgen makes
 * API.md for the constructs: every value and type `testing/index.ts` exports, with its doc comment and signatures (a
 * class's public instance members; its static ones too when the class itself is exported as a value).
 *
 * It also lists the types the public API reaches (in a signature of an exported member) that the entry point does not
 * export: a user's test could meet a value of such a type and not name it. `npm run docgen:testing` writes the
 * reference and fails if there is any; `test/testing/public-api.test.ts` checks the committed reference is current.
 *
 *   npx tsx scripts/docgen-testing.ts [--check]
 */
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';

const ROOT = path.resolve(__dirname, '..');
const ENTRY = path.join(ROOT, 'testing', 'index.ts');
const TESTING_DIR = path.join(ROOT, 'testing') + path.sep;
export const REFERENCE_FILE = path.join(ROOT, 'testing', 'API.md');

/** How a user's test project might compile against the kit. */
export const COMPILER_OPTIONS: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.CommonJS,
  strict: true,
  skipLibCheck: true,
  noEmit: true,
  esModuleInterop: true,
  resolveJsonModule: true,
  types: ['node'],
};

const has = (flags: number, flag: number): boolean => (flags & flag) !== 0; // eslint-disable-line no-bitwise

export interface TestingReference {
  readonly markdown: string;
  /** `Type (reached from Export.member)` for each type of testing/ the public API reaches and the entry does not export. */
  readonly unexported: string[];
  /** The names exported as values and as types only. */
  readonly values: string[];
  readonly types: string[];
}

export function generateTestingReference(): TestingReference {
  const program = ts.createProgram([ENTRY], COMPILER_OPTIONS);
  const checker = program.getTypeChecker();
  const entry = program.getSourceFile(ENTRY)!;
  const exported = checker.getExportsOfModule(checker.getSymbolAtLocation(entry)!);
  const resolve = (symbol: ts.Symbol): ts.Symbol => (has(symbol.flags, ts.SymbolFlags.Alias) ? checker.getAliasedSymbol(symbol) : symbol);
  const exportedTargets = new Set(exported.map(resolve));
  const typeOnly = new Set(exported
    .filter(symbol => symbol.declarations?.some(d => ts.isExportSpecifier(d) && (d.isTypeOnly || d.parent.parent.isTypeOnly)))
    .map(resolve));
  const unexported = new Map<string, string>();

  /** Reports every type of testing/ a type node names that the entry does not export. */
  const walkTypes = (node: ts.Node | undefined, from: string): void => {
    if (!node) return;
    const visit = (child: ts.Node): void => {
      if (ts.isTypeReferenceNode(child) || ts.isExpressionWithTypeArguments(child) || ts.isTypeQueryNode(child)) {
        const name = ts.isTypeReferenceNode(child) ? child.typeName : ts.isTypeQueryNode(child) ? child.exprName : child.expression;
        const symbol = checker.getSymbolAtLocation(name);
        const target = symbol && resolve(symbol);
        const declaration = target?.declarations?.[0];
        if (target && declaration && path.resolve(declaration.getSourceFile().fileName).startsWith(TESTING_DIR)
          && !exportedTargets.has(target) && !has(target.flags, ts.SymbolFlags.TypeParameter)) {
          unexported.set(target.getName(), unexported.get(target.getName()) ?? from);
        }
      }
      ts.forEachChild(child, visit);
    };
    visit(node);
  };

  const docOf = (symbol: ts.Symbol): string => ts.displayPartsToString(symbol.getDocumentationComment(checker)).trim();
  const tagsOf = (symbol: ts.Symbol): string => symbol.getJsDocTags(checker)
    .filter(tag => tag.name !== 'internal')
    .map(tag => `@${tag.name}${tag.text ? ' ' + ts.displayPartsToString(tag.text) : ''}`).join(' ');
  const isInternal = (symbol: ts.Symbol): boolean => symbol.getJsDocTags(checker).some(tag => tag.name === 'internal');
  const text = (node: ts.Node | undefined): string => (node ? node.getText().replace(/\s+/g, ' ') : 'unknown');
  const signature = (declaration: ts.SignatureDeclaration): string => {
    const typeParameters = declaration.typeParameters ? `<${declaration.typeParameters.map(text).join(', ')}>` : '';
    return `${typeParameters}(${declaration.parameters.map(text).join(', ')})`;
  };

  const sections: string[] = [];
  const values: string[] = [];
  const types: string[] = [];
  for (const symbol of [...exported].sort((a, b) => a.getName().localeCompare(b.getName()))) {
    const target = resolve(symbol);
    const name = symbol.getName();
    const declaration = target.declarations![0];
    const lines: string[] = [];
    const doc = docOf(target);
    if (ts.isClassDeclaration(declaration)) {
      const asType = typeOnly.has(target);
      (asType ? types : values).push(name);
      lines.push(`### ${name} (class${asType ? ', exported as a type: you get instances from the kit' : ''})`, '');
      if (doc) lines.push(doc, '');
      for (const clause of declaration.heritageClauses ?? []) {
        lines.push(`\`${text(clause)}\``, '');
        clause.types.forEach(type => walkTypes(type, `${name} (extends)`));
      }
      for (const member of declaration.members) {
        const modifiers = ts.canHaveModifiers(member) ? ts.getModifiers(member) ?? [] : [];
        if (modifiers.some(m => m.kind === ts.SyntaxKind.PrivateKeyword || m.kind === ts.SyntaxKind.ProtectedKeyword)) continue;
        if (member.name && ts.isPrivateIdentifier(member.name)) continue;
        if (ts.isConstructorDeclaration(member) && member.parameters.some(p => ts.getModifiers(p)?.some(m => m.kind === ts.SyntaxKind.PrivateKeyword))
          && ts.getModifiers(member)?.some(m => m.kind === ts.SyntaxKind.PrivateKeyword)) continue;
        const isStatic = modifiers.some(m => m.kind === ts.SyntaxKind.StaticKeyword);
        if (asType && (isStatic || ts.isConstructorDeclaration(member))) continue;
        const memberSymbol = member.name ? checker.getSymbolAtLocation(member.name) : undefined;
        if (memberSymbol && isInternal(memberSymbol)) continue;
        const prefix = isStatic ? 'static ' : '';
        const memberName = member.name ? member.name.getText() : 'constructor';
        const from = `${name}.${memberName}`;
        let line: string;
        if (ts.isConstructorDeclaration(member)) {
          line = `new ${name}${signature(member)}`;
          member.parameters.forEach(p => walkTypes(p.type, from));
        } else if (ts.isMethodDeclaration(member)) {
          line = `${prefix}${memberName}${signature(member)}: ${text(member.type)}`;
          member.parameters.forEach(p => walkTypes(p.type, from));
          walkTypes(member.type, from);
        } else if (ts.isGetAccessorDeclaration(member)) {
          line = `${prefix}get ${memberName}: ${text(member.type)}`;
          walkTypes(member.type, from);
        } else if (ts.isPropertyDeclaration(member)) {
          const readonly = modifiers.some(m => m.kind === ts.SyntaxKind.ReadonlyKeyword) ? 'readonly ' : '';
          const type = member.type ? text(member.type) : checker.typeToString(checker.getTypeAtLocation(member));
          line = `${prefix}${readonly}${memberName}${member.questionToken ? '?' : ''}: ${type}`;
          walkTypes(member.type, from);
        } else {
          continue;
        }
        lines.push(`- \`${line}\``);
        const memberDoc = memberSymbol ? [docOf(memberSymbol), tagsOf(memberSymbol)].filter(Boolean).join(' ') : '';
        if (memberDoc) lines.push(`  ${memberDoc.replace(/\n/g, '\n  ')}`);
      }
      // public constructor parameter properties (`constructor(public readonly x: T)`).
      const ctor = declaration.members.find(ts.isConstructorDeclaration);
      for (const parameter of ctor?.parameters ?? []) {
        const modifiers = ts.getModifiers(parameter) ?? [];
        if (!modifiers.some(m => m.kind === ts.SyntaxKind.PublicKeyword)) continue;
        const parameterSymbol = checker.getSymbolAtLocation(parameter.name);
        lines.push(`- \`readonly ${parameter.name.getText()}: ${text(parameter.type)}\``);
        const parameterDoc = parameterSymbol ? docOf(parameterSymbol) : '';
        if (parameterDoc) lines.push(`  ${parameterDoc.replace(/\n/g, '\n  ')}`);
        walkTypes(parameter.type, `${name}.${parameter.name.getText()}`);
      }
    } else if (ts.isInterfaceDeclaration(declaration)) {
      types.push(name);
      lines.push(`### ${name} (interface)`, '');
      if (doc) lines.push(doc, '');
      for (const clause of declaration.heritageClauses ?? []) {
        lines.push(`\`${text(clause)}\``, '');
        clause.types.forEach(type => walkTypes(type, `${name} (extends)`));
      }
      for (const member of declaration.members) {
        const memberSymbol = member.name ? checker.getSymbolAtLocation(member.name) : undefined;
        const memberName = member.name ? member.name.getText() : '';
        const from = `${name}.${memberName}`;
        let line: string;
        if (ts.isPropertySignature(member)) {
          const readonly = ts.getModifiers(member)?.some(m => m.kind === ts.SyntaxKind.ReadonlyKeyword) ? 'readonly ' : '';
          line = `${readonly}${memberName}${member.questionToken ? '?' : ''}: ${text(member.type)}`;
          walkTypes(member.type, from);
        } else if (ts.isMethodSignature(member)) {
          line = `${memberName}${signature(member)}: ${text(member.type)}`;
          member.parameters.forEach(p => walkTypes(p.type, from));
          walkTypes(member.type, from);
        } else {
          line = text(member);
          walkTypes(member, from);
        }
        lines.push(`- \`${line}\``);
        const memberDoc = memberSymbol ? [docOf(memberSymbol), tagsOf(memberSymbol)].filter(Boolean).join(' ') : '';
        if (memberDoc) lines.push(`  ${memberDoc.replace(/\n/g, '\n  ')}`);
      }
    } else if (ts.isTypeAliasDeclaration(declaration)) {
      types.push(name);
      lines.push(`### ${name} (type)`, '', '```ts', `type ${name} = ${text(declaration.type)};`, '```', '');
      if (doc) lines.push(doc);
      walkTypes(declaration.type, name);
    } else if (ts.isFunctionDeclaration(declaration)) {
      values.push(name);
      lines.push(`### ${name} (function)`, '', '```ts', `function ${name}${signature(declaration)}: ${text(declaration.type)}`, '```', '');
      if (doc) lines.push(doc);
      declaration.parameters.forEach(p => walkTypes(p.type, name));
      walkTypes(declaration.type, name);
    } else if (ts.isVariableDeclaration(declaration)) {
      values.push(name);
      lines.push(`### ${name} (constant)`, '', '```ts', `const ${name}: ${declaration.type ? text(declaration.type) : checker.typeToString(checker.getTypeAtLocation(declaration))}`, '```', '');
      if (doc) lines.push(doc);
      walkTypes(declaration.type, name);
    } else {
      continue;
    }
    sections.push(lines.join('\n').trimEnd());
  }

  const markdown = [
    '# cdk-ivs-realtime/testing: API reference',
    '',
    '<!-- Generated by `npm run docgen:testing` (scripts/docgen-testing.ts) from testing/index.ts: do not edit. -->',
    '',
    docOf(checker.getSymbolAtLocation(entry)!) || ts.getLeadingCommentRanges(entry.text, 0)?.map(range => entry.text.slice(range.pos, range.end)
      .replace(/^\/\*\*|\*\/$/g, '').split('\n').map(line => line.replace(/^\s*\* ?/, '')).join('\n').trim()).join('\n') || '',
    '',
    `Values: ${values.map(v => `\`${v}\``).join(', ')}.`,
    '',
    `Types: ${types.map(t => `\`${t}\``).join(', ')}.`,
    '',
    ...sections.flatMap(section => [section, '']),
  ].join('\n');
  return {
    markdown,
    unexported: [...unexported].map(([type, from]) => `${type} (reached from ${from})`).sort(),
    values,
    types,
  };
}

if (require.main === module) {
  const reference = generateTestingReference();
  if (reference.unexported.length > 0) {
    process.stderr.write(`The public API reaches types testing/index.ts does not export:\n  ${reference.unexported.join('\n  ')}\n`);
    process.exit(1);
  }
  if (process.argv.includes('--check')) {
    const current = fs.existsSync(REFERENCE_FILE) ? fs.readFileSync(REFERENCE_FILE, 'utf8') : '';
    if (current !== reference.markdown) {
      process.stderr.write(`${path.relative(ROOT, REFERENCE_FILE)} is out of date: run npm run docgen:testing\n`);
      process.exit(1);
    }
  } else {
    fs.writeFileSync(REFERENCE_FILE, reference.markdown);
  }
}
