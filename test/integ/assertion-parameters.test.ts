import * as fs from 'fs';
import * as path from 'path';
import { matchesEventPattern } from '../support/event-pattern';
import { integApps } from '../support/integ-snapshot';

// What the composition app's TestEventPattern assertions will send EventBridge, worked out offline from the snapshot
// (which the snapshot check keeps equal to the app): the parameters as CloudFormation resolves them, then decoded as
// integ-tests-alpha's handler decodes them (JSON.parse of each). A JSON string that does not survive that (a pattern
// rendered with Stack.toJsonString, whose quotes integ-tests-alpha does not escape) would only fail at deployment.
const STAGE_ARN = 'arn:aws:ivs:us-west-2:123456789012:stage/AbCdef1G2hij';
const PSEUDO_PARAMETERS: Record<string, string> = { 'AWS::AccountId': '123456789012', 'AWS::Region': 'us-west-2', 'AWS::Partition': 'aws' };

/** CloudFormation's resolution of the intrinsics these parameters use; the test stack's one output is the stage's ARN. */
function resolve(value: any): any {
  if (typeof value !== 'object' || value === null) {
    return value;
  }
  if ('Fn::Join' in value) {
    const [separator, parts] = value['Fn::Join'];
    return parts.map(resolve).join(separator);
  }
  if ('Ref' in value) {
    return PSEUDO_PARAMETERS[value.Ref];
  }
  if ('Fn::GetStackOutput' in value) {
    expect(value['Fn::GetStackOutput'].OutputName).toMatch(/Stage/);
    return STAGE_ARN;
  }
  throw new Error(`no resolution for ${JSON.stringify(value)}`);
}

test('the composition app\'s event pattern assertions get a valid pattern and event, which match as they expect', () => {
  const app = integApps().find((candidate) => candidate.name === 'integ.stage-composition.ts')!;
  const templateFile = fs.readdirSync(app.snapshotDirectory).find((file) => /DeployAssert.*\.template\.json$/.test(file))!;
  const template = JSON.parse(fs.readFileSync(path.join(app.snapshotDirectory, templateFile), 'utf8'));
  const assertions = Object.values<any>(template.Resources).filter((resource) => resource.Properties?.api === 'testEventPattern');

  const outcomes = assertions.map(({ Properties: { parameters, expected } }) => {
    const decoded = Object.fromEntries(Object.entries(parameters).map(([key, value]) => [key, JSON.parse(resolve(value))]));
    const event = JSON.parse(decoded.Event);
    return {
      stage: event.resources[0],
      matches: matchesEventPattern(JSON.parse(decoded.EventPattern), event),
      expected: JSON.parse(expected).$ObjectLike.Result,
    };
  });

  expect(outcomes).toEqual([
    { stage: STAGE_ARN, matches: true, expected: true },
    { stage: 'arn:aws:ivs:us-west-2:123456789012:stage/NotThisStage', matches: false, expected: false },
  ]);
});
