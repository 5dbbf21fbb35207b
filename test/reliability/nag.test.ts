/**
 * cdk-nag's AwsSolutions, HIPAA.Security and NIST.800-53.R5 rule packs over every example stack: no error may be left unacknowledged, and every
 * acknowledgment carries a written reason. Acknowledgments of findings that are the library's by design live in the
 * library's constructs (so apps that run cdk-nag see only their own); those of the examples live in the examples.
 */
import { execFileSync } from 'child_process';
import * as path from 'path';
import { App, Validations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { exampleStacks, PACKS, unacknowledgedErrors } from './nag-examples';

const ROOT = path.join(__dirname, '..', '..');

function acknowledgments(scope: IConstruct): Array<{ path: string; id: string; reason: string }> {
  return scope.node.findAll().flatMap((construct) => construct.node.metadata
    .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
    .flatMap((entry) => Object.entries(entry.data as Record<string, string>)
      .map(([id, reason]) => ({ path: construct.node.path, id: id.replace(/^annotation::/i, ''), reason }))));
}

describe('cdk-nag checks of the examples', () => {
  const stacks = exampleStacks();

  test('there are example stacks to check', () => {
    expect(stacks.map(([name]) => name)).toEqual(expect.arrayContaining(['StageRecordingStack', 'StageWithRecordingStack']));
  });

  test.each(stacks.flatMap(([name, StackClass]) => PACKS.map(([pack, checks]) => [name, pack, StackClass, checks] as const)))(
    '%s has no unacknowledged %s error, and every acknowledgment says why', (name, _pack, StackClass, checks) => {
      const stack = new StackClass(new App(), name);

      expect(unacknowledgedErrors(stack, checks)).toEqual([]);
      for (const { path: where, id, reason } of acknowledgments(stack)) {
        expect([where, id, reason.length > 40 && reason.includes(' ')]).toEqual([where, id, true]);
      }
    });

  test("RecordingPlayback's acknowledgments: the distribution's options left to the app, the ready function's wildcards", () => {
    const stack = new (stacks.find(([name]) => name === 'RecordingPlaybackStack')![1])(new App(), 'RecordingPlayback');
    const playbackAcknowledgments = acknowledgments(stack)
      .filter(({ path: where, id }) => id.startsWith('AwsSolutions-') && where.includes('/Playback'))
      .map(({ path: where, id }) => `${where} ${id}`);

    expect(playbackAcknowledgments.sort()).toEqual([
      // geo restriction, WAF, access logs, TLS 1.2 with a certificate of the app's: props (or, CFR1, the app's own choice).
      'RecordingPlayback/Playback/Distribution AwsSolutions-CFR1',
      'RecordingPlayback/Playback/Distribution AwsSolutions-CFR2',
      'RecordingPlayback/Playback/Distribution AwsSolutions-CFR3',
      'RecordingPlayback/Playback/Distribution AwsSolutions-CFR4',
      'RecordingPlayback/Playback/PublishedRecordings AwsSolutions-DDB3',
      'RecordingPlayback/Playback/ReadyFunction AwsSolutions-L1',
      'RecordingPlayback/Playback/ReadyFunctionRole AwsSolutions-IAM5[Resource::<RecordingBucket11901DEF.Arn>/*]',
      'RecordingPlayback/Playback/ReadyFunctionRole AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ivs:<AWS::Region>:<AWS::AccountId>:composition/*]',
      'RecordingPlayback/Playback/ReadyFunctionRole '
        + 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ivs:<AWS::Region>:<AWS::AccountId>:storage-configuration/*]',
    ]);
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
      // the pinned runtime: cdk-nag compares with the newest runtime the app's aws-cdk-lib lists.
      'StageRecording/cdk-ivs-realtime.IvsRealTimeProvider/Handler AwsSolutions-L1',
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

/**
 * The same packs with the newest aws-cdk-lib of the peer range (`aws-cdk-lib-latest`, a devDependency alias): a rule
 * that compares with what aws-cdk-lib knows (AwsSolutions-L1 and the newest Lambda runtime) finds what the pinned
 * version hides. A child process, whose every `require('aws-cdk-lib')` loads the alias (`redirect-aws-cdk-lib.ts`).
 */
const latest = latestAwsCdkLib();
(latest ? describe : describe.skip)(`cdk-nag checks of the examples with aws-cdk-lib ${latest ?? '(aws-cdk-lib-latest is not '
  + 'installed: run npm ci; skipped)'}`, () => {
  test('every example has no unacknowledged error of any pack, and the testing kit deploys and destroys it', () => {
    const output = execFileSync(process.execPath, [
      '--require', 'tsx/cjs', '--require', path.join(__dirname, 'redirect-aws-cdk-lib.ts'), path.join(__dirname, 'nag-examples.ts'),
    ], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024, timeout: 240_000 });
    const { version, errors, deployments } = JSON.parse(output) as {
      version: string; errors: Record<string, string[]>; deployments: Record<string, string[]>;
    };

    expect(version).toBe(latest);
    expect(Object.keys(errors).length).toBeGreaterThanOrEqual(PACKS.length * 2);
    expect(Object.entries(errors).filter(([, found]) => found.length > 0)).toEqual([]);
    expect(Object.keys(deployments).length).toBeGreaterThanOrEqual(2);
    expect(Object.entries(deployments).filter(([, statuses]) => statuses.join() !== 'SUCCEEDED,SUCCEEDED')).toEqual([]);
  }, 300_000);
});

/** The version of the `aws-cdk-lib-latest` alias, as Node resolves it from the project (NODE_PATH included), if installed. */
function latestAwsCdkLib(): string | undefined {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- Node's own resolver, not jest's
    const nodeRequire = (require('module') as typeof import('module')).createRequire(path.join(ROOT, 'package.json'));
    return (nodeRequire('aws-cdk-lib-latest/package.json') as { version: string }).version;
  } catch {
    return undefined;
  }
}
