/**
 * cdk-nag's AwsSolutions, HIPAA.Security and NIST.800-53.R5 rule packs over every example stack: no error may be left unacknowledged, and every
 * acknowledgment carries a written reason. Acknowledgments of findings that are the library's by design live in the
 * library's constructs (so apps that run cdk-nag see only their own); those of the examples live in the examples.
 */
import * as fs from 'fs';
import * as path from 'path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, HIPAASecurityChecks, NagPack, NIST80053R5Checks } from 'cdk-nag';
import { IConstruct } from 'constructs';

const EXAMPLES = path.join(__dirname, '..', '..', 'examples');

/** Every stack class the example modules export (app.ts synthesizes its own app when imported, so it is left out). */
function exampleStacks(): Array<[string, new (scope: App, id: string) => Stack]> {
  return fs.readdirSync(EXAMPLES)
    .filter((file) => file.endsWith('.ts') && file !== 'app.ts' && !file.endsWith('.d.ts'))
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- every example file, found at run time
    .flatMap((file) => Object.entries(require(path.join(EXAMPLES, file)) as Record<string, unknown>))
    .filter((entry): entry is [string, new (scope: App, id: string) => Stack] =>
      typeof entry[1] === 'function' && (entry[1] as { prototype?: unknown }).prototype instanceof Stack);
}

function acknowledgments(scope: IConstruct): Array<{ path: string; id: string; reason: string }> {
  return scope.node.findAll().flatMap((construct) => construct.node.metadata
    .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
    .flatMap((entry) => Object.entries(entry.data as Record<string, string>)
      .map(([id, reason]) => ({ path: construct.node.path, id: id.replace(/^annotation::/i, ''), reason }))));
}

const PACKS: Array<[string, () => NagPack]> = [
  ['AwsSolutions', () => new AwsSolutionsChecks()],
  ['HIPAA.Security', () => new HIPAASecurityChecks()],
  ['NIST.800-53.R5', () => new NIST80053R5Checks()],
];

describe('cdk-nag checks of the examples', () => {
  const stacks = exampleStacks();

  test('there are example stacks to check', () => {
    expect(stacks.map(([name]) => name)).toEqual(expect.arrayContaining(['StageRecordingStack', 'StageWithRecordingStack']));
  });

  test.each(stacks.flatMap(([name, StackClass]) => PACKS.map(([pack, checks]) => [name, pack, StackClass, checks] as const)))(
    '%s has no unacknowledged %s error, and every acknowledgment says why', (name, _pack, StackClass, checks) => {
      const stack = new StackClass(new App(), name);

      const report = checks().validateScope(stack);

      const errors = report.violations.filter((violation) => violation.severity === 'error')
        .map((violation) => `${violation.ruleName}: ${violation.violatingResources.map((resource) => resource.constructPath).join(', ')}`);
      expect(errors).toEqual([]);
      for (const { path: where, id, reason } of acknowledgments(stack)) {
        expect([where, id, reason.length > 40 && reason.includes(' ')]).toEqual([where, id, true]);
      }
    });

  test("the library's own acknowledgments name exactly the findings they cover", () => {
    const stack = new (stacks.find(([name]) => name === 'StageRecordingStack')![1])(new App(), 'StageRecording');
    const libraryAcknowledgments = acknowledgments(stack)
      .filter(({ path: where, id }) => id.startsWith('AwsSolutions-')
        && (where.includes('cdk-ivs-realtime.IvsRealTimeProvider') || where.includes('/Recording/')))
      .map(({ path: where, id }) => `${where} ${id}`);

    expect(libraryAcknowledgments.sort()).toEqual([
      'StageRecording/Recording/Bucket AwsSolutions-S1',
      // point-in-time recovery: the create-request table holds records of a week, nothing to restore.
      'StageRecording/cdk-ivs-realtime.IvsRealTimeProvider/CreateRequests AwsSolutions-DDB3',
      'StageRecording/cdk-ivs-realtime.IvsRealTimeProvider/HandlerRole AwsSolutions-IAM5[Resource::*]',
      'StageRecording/cdk-ivs-realtime.IvsRealTimeProvider/HandlerRole '
        + 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ivs:<AWS::Region>:<AWS::AccountId>:composition/*]',
      'StageRecording/cdk-ivs-realtime.IvsRealTimeProvider/HandlerRole '
        + 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ivs:<AWS::Region>:<AWS::AccountId>:stage/*]',
      'StageRecording/cdk-ivs-realtime.IvsRealTimeProvider/HandlerRole '
        + 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ivs:<AWS::Region>:<AWS::AccountId>:storage-configuration/*]',
    ]);
  });
});
