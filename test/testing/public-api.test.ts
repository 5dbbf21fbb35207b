import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';
import { COMPILER_OPTIONS, generateTestingReference, REFERENCE_FILE } from '../../scripts/docgen-testing';
import * as testing from '../../testing';
import * as cdkVersion from '../../testing/cdk-version';

/** The kit's package entry (`cdk-ivs-realtime/testing`): small, complete, documented, and checked at start. */
describe('the testing kit\'s public API', () => {
  const reference = generateTestingReference();

  test('exports two values, LocalIvs and LocalDeployment; the rest are types', () => {
    expect(Object.keys(testing).sort()).toEqual(['LocalDeployment', 'LocalIvs']);
    expect(reference.values).toEqual(['LocalDeployment', 'LocalIvs']);
    expect(reference.types).toEqual(expect.arrayContaining(['DeployedStack', 'FakeIvsServer', 'ServiceQuotas', 'LambdaFaultSpec']));
    expect(reference.types).not.toEqual(expect.arrayContaining(['LifecycleDriver']));
    expect(reference.types).not.toContain('AsyncInvoker');
    expect(reference.types).not.toContain('LifecycleDriverOptions');
  });

  test('every type of the kit that a public signature reaches is exported', () => {
    expect(reference.unexported).toEqual([]);
  });

  test('a user\'s test that names each type it meets compiles against the entry point', () => {
    const file = path.join(__dirname, 'fixtures', 'public-api-user.ts');
    const program = ts.createProgram([file], COMPILER_OPTIONS);
    const diagnostics = ts.getPreEmitDiagnostics(program)
      .map(d => `${d.file ? path.relative(__dirname, d.file.fileName) : ''}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
    expect(diagnostics).toEqual([]);
  }, 60_000);

  test('testing/API.md is the reference generated from the declarations (npm run docgen:testing)', () => {
    expect(fs.readFileSync(REFERENCE_FILE, 'utf8')).toEqual(reference.markdown);
  });
});

describe('supported aws-cdk-lib versions', () => {
  afterEach(() => jest.restoreAllMocks());

  test('the package\'s peerDependencies range: its minimum and later within the major version', () => {
    const range = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')).peerDependencies['aws-cdk-lib'];
    expect(cdkVersion.supportedAwsCdkLibRange()).toBe(range);
    const minimum = range.slice(1);
    const [major, minor] = minimum.split('.').map(Number);
    expect(() => cdkVersion.assertSupportedAwsCdkLib(minimum)).not.toThrow();
    expect(() => cdkVersion.assertSupportedAwsCdkLib(`${major}.${minor + 10}.3`)).not.toThrow();
    expect(() => cdkVersion.assertSupportedAwsCdkLib(`${major}.${minor - 1}.9`)).toThrow(
      `cdk-ivs-realtime/testing supports aws-cdk-lib ${range} (the package's peerDependencies); aws-cdk-lib ${major}.${minor - 1}.9 is installed`);
    expect(() => cdkVersion.assertSupportedAwsCdkLib(`${major + 1}.0.0`)).toThrow(/supports aws-cdk-lib/);
    expect(() => cdkVersion.assertSupportedAwsCdkLib(`${minimum}-rc.1`)).toThrow(/supports aws-cdk-lib/);
    expect(() => cdkVersion.assertSupportedAwsCdkLib()).not.toThrow(); // the one installed here
  });

  test('LocalIvs.start and new LocalDeployment fail at once with an unsupported aws-cdk-lib installed', async () => {
    jest.spyOn(cdkVersion, 'installedAwsCdkLibVersion').mockReturnValue('2.100.0');
    await expect(testing.LocalIvs.start()).rejects.toThrow(/supports aws-cdk-lib \^2\.\d+\.\d+ .*aws-cdk-lib 2\.100\.0 is installed/);
    expect(() => new testing.LocalDeployment({} as testing.LocalIvs)).toThrow(/aws-cdk-lib 2\.100\.0 is installed/);
  });
});
