import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Aws, CfnCondition, CfnOutput, CfnParameter, CustomResource, Duration, Fn, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as cr from 'aws-cdk-lib/custom-resources';
import { CREATE_FAILED_MARKER, CustomResourceEvent, LifecycleDriver } from './lifecycle-driver';

const RECORDER = path.join(__dirname, 'fixtures', 'recorder');

interface AppOptions {
  /** The handler function's timeout. */
  readonly timeout?: Duration;
  /** A second provider whose token the resources use instead. */
  readonly otherProvider?: boolean;
}

/** A stack with one Provider whose user function is the recorder fixture, and the resources `build` adds. */
function recorderStack(build: (add: ResourceAdder) => void, options: AppOptions = {}): Stack {
  const stack = new Stack(new App(), 'LifecycleTest');
  const provider = (id: string) => new cr.Provider(stack, `${id}Provider`, {
    onEventHandler: new lambda.Function(stack, `${id}Handler`, {
      runtime: lambda.Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: lambda.Code.fromAsset(RECORDER),
      timeout: options.timeout ?? Duration.seconds(3),
      environment: { GREETING: 'hello' },
    }),
  });
  const serviceToken = provider(options.otherProvider ? 'Other' : 'Recorder').serviceToken;
  build((id, properties, resourceOptions = {}) => new CustomResource(stack, id, {
    serviceToken,
    resourceType: resourceOptions.resourceType ?? 'Custom::Recorder',
    properties,
    removalPolicy: resourceOptions.removalPolicy,
  }));
  return stack;
}

type ResourceAdder = (
  id: string,
  properties: Record<string, unknown>,
  options?: { removalPolicy?: RemovalPolicy; resourceType?: string },
) => CustomResource;

/**
 * The reason the Provider framework gives CloudFormation when the recorder throws `message`: the message, a pointer
 * to the function's log group, and the error's stack as Lambda's runtime reported it.
 */
function recorderFailure(message: string): RegExp {
  return new RegExp(`^${escapeRegExp(message)}\\n\\nLogs: /aws/lambda/LifecycleTest-RecorderHandler\\w+-\\w+\\n\\n    at exports\\.handler \\(/var/task/index\\.js:\\d+:\\d+\\)\\n`);
}

/** `reason` as the driver's result gives it: `<LogicalId>: <reason>`. */
function prefixed(logicalId: string, reason: RegExp): RegExp {
  return new RegExp(`^${logicalId}: ${reason.source.slice(1)}`);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The events a handler was sent, as `RequestType LogicalId`. */
function summary(events: CustomResourceEvent[]): string[] {
  return events.map(e => `${e.RequestType} ${e.LogicalResourceId}`);
}

let eventLog: string;
beforeEach(() => {
  // the Provider framework logs every request and response, as it does to CloudWatch Logs.
  jest.spyOn(console, 'log').mockImplementation(() => undefined);
  eventLog = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'lifecycle-')), 'events.jsonl');
});
afterEach(() => {
  jest.restoreAllMocks();
  fs.rmSync(path.dirname(eventLog), { recursive: true, force: true });
});

/** The events as the handler itself received them. */
function handlerLog(): CustomResourceEvent[] {
  return fs.readFileSync(eventLog, 'utf8').trim().split('\n').map(line => JSON.parse(line));
}

function newDriver(options: ConstructorParameters<typeof LifecycleDriver>[0] = {}): LifecycleDriver {
  return new LifecycleDriver({ ...options, env: { EVENT_LOG: eventLog, ...options.env } });
}

describe('events', () => {
  test('carry every CloudFormation field, with every scalar of the properties a string', async () => {
    const driver = newDriver({ region: 'eu-west-1' });
    const stack = recorderStack(add => {
      add('Thing', { Count: 30, Enabled: true, Name: 'x', Nested: { List: [1, false, 'y', { Deep: 2.5 }] } });
    });

    const result = await driver.deploy(stack);

    expect(result.status).toBe('SUCCEEDED');
    const [event] = handlerLog();
    expect(event).toEqual({
      RequestType: 'Create',
      ServiceToken: expect.stringMatching(/^arn:aws:lambda:eu-west-1:123456789012:function:LifecycleTest-RecorderProviderframeworkonEvent/),
      ResponseURL: expect.stringMatching(/^https:\/\/cloudformation-custom-resource-response-euwest1\.s3\.amazonaws\.com\//),
      StackId: expect.stringMatching(/^arn:aws:cloudformation:eu-west-1:123456789012:stack\/LifecycleTest\/[0-9a-f-]{36}$/),
      RequestId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      LogicalResourceId: driver.logicalIdOf(stack.node.findChild('Thing')),
      ResourceType: 'Custom::Recorder',
      ResourceProperties: {
        ServiceToken: event.ServiceToken,
        Count: '30',
        Enabled: 'true',
        Name: 'x',
        Nested: { List: ['1', 'false', 'y', { Deep: '2.5' }] },
      },
    });
    expect(driver.sentEvents).toEqual([event]);
    // no PhysicalResourceId returned on Create: the framework uses the request ID.
    expect(driver.physicalId('Thing')).toBe(event.RequestId);
    expect(driver.resolvedProperties('Thing')).toEqual(event.ResourceProperties);
  });

  test('run the handler with the function environment, the driver region and env, and restore the host environment', async () => {
    const driver = newDriver({ region: 'ap-south-1', env: { GREETING: 'overridden by the test' } });
    const stack = recorderStack(add => add('Thing', {}));
    const before = { ...process.env };

    await driver.deploy(stack);

    expect(driver.attributes('Thing')).toMatchObject({ Region: 'ap-south-1', Greeting: 'overridden by the test' });
    expect(process.env).toEqual(before);
  });

  test('load the handler module fresh for each driver, warm within one', async () => {
    const stack = recorderStack(add => {
      add('A', {});
      add('B', {});
    });
    const first = newDriver();
    const second = newDriver();

    await first.deploy(stack);
    await second.deploy(stack);

    expect(first.attributes('B').Invocations).toBe('2');
    expect(second.attributes('A').Invocations).toBe('1');
  });
});

describe('create', () => {
  test('follows dependencies and resolves Ref and Fn::GetAtt to the handler results', async () => {
    const driver = newDriver();
    const stack = recorderStack(add => {
      // defined first, but needs A.
      const b = add('B', {});
      const a = add('A', { PhysicalId: 'a-1', Data: { Value: 'from-a' } });
      const bucket = new s3.Bucket(b.stack, 'Bucket', { bucketName: 'my-bucket' });
      (b.node.defaultChild as any).addPropertyOverride('AValue', a.getAttString('Value'));
      (b.node.defaultChild as any).addPropertyOverride('ARef', a.ref);
      (b.node.defaultChild as any).addPropertyOverride('Bucket', { Name: bucket.bucketName, Arn: bucket.bucketArn });
    });

    const result = await driver.deploy(stack);

    expect(result.status).toBe('SUCCEEDED');
    expect(summary(driver.sentEvents)).toEqual(['Create A', 'Create B']);
    expect(driver.sentEvents[1].ResourceProperties).toMatchObject({
      AValue: 'from-a',
      ARef: 'a-1',
      Bucket: { Name: 'my-bucket', Arn: 'arn:aws:s3:::my-bucket' },
    });
    expect(result.events.map(e => [e.logicalId, e.requestType, e.status])).toEqual([
      ['A', 'Create', 'SUCCESS'],
      ['B', 'Create', 'SUCCESS'],
    ]);
  });

  test('rolls back a failed create: earlier resources deleted, the failed one answered by the framework', async () => {
    const driver = newDriver();
    const stack = recorderStack(add => {
      const a = add('A', { PhysicalId: 'a-1' });
      add('B', { FailOn: 'Create', FailMessage: 'stage quota exceeded' }).node.addDependency(a);
    });

    const result = await driver.deploy(stack);

    expect(result.status).toBe('ROLLED_BACK');
    expect(result.reason).toMatch(prefixed('B', recorderFailure('stage quota exceeded')));
    expect(result.events).toEqual([
      { logicalId: 'A', requestType: 'Create', physicalId: 'a-1', status: 'SUCCESS', phase: 'deploy' },
      { logicalId: 'B', requestType: 'Create', physicalId: CREATE_FAILED_MARKER, status: 'FAILED', reason: expect.stringMatching(recorderFailure('stage quota exceeded')), phase: 'deploy' },
      { logicalId: 'B', requestType: 'Delete', physicalId: CREATE_FAILED_MARKER, status: 'SUCCESS', phase: 'rollback' },
      { logicalId: 'A', requestType: 'Delete', physicalId: 'a-1', status: 'SUCCESS', phase: 'rollback' },
    ]);
    // the marker's Delete never reaches the handler.
    expect(summary(driver.sentEvents)).toEqual(['Create A', 'Create B', 'Delete A']);
    expect(driver.template).toBeUndefined();
  });

  test('fails a resource whose Fn::GetAtt names a key the response lacks, before calling its handler', async () => {
    const driver = newDriver();
    const stack = recorderStack(add => {
      const a = add('A', { PhysicalId: 'a-1' });
      add('B', { Value: a.getAttString('Nope') });
    });

    const result = await driver.deploy(stack);

    expect(result.status).toBe('ROLLED_BACK');
    expect(result.reason).toMatch(/^B: CustomResource attribute error: Vendor response doesn't contain Nope key in object arn:aws:cloudformation:.*\|A\|/);
    expect(summary(driver.sentEvents)).toEqual(['Create A', 'Delete A']);
  });

  test('enforces the function timeout, scaled', async () => {
    const driver = newDriver({ timeoutScale: 0.01 });
    const stack = recorderStack(add => add('Slow', { SleepMs: 300 }), { timeout: Duration.seconds(2) });
    const started = Date.now();

    const result = await driver.deploy(stack);

    expect(Date.now() - started).toBeLessThan(2000);
    expect(result.status).toBe('ROLLED_BACK');
    // Lambda's timeout error has no trace: the framework's reason shows its own stack.
    expect(result.events[0]).toMatchObject({
      requestType: 'Create',
      status: 'FAILED',
      reason: expect.stringMatching(/^Error: RequestId: [0-9a-f-]{36} Error: Task timed out after 2\.00 seconds\n\nLogs: \/aws\/lambda\/\S+\n\n    at invokeUserFunction \(\/var\/task\/framework\.js:/),
    });
    expect(summary(driver.sentEvents)).toEqual(['Create Slow']);
  });

  test('fails a response over 4 KB, as CloudFormation does', async () => {
    const driver = newDriver();
    const stack = recorderStack(add => add('Big', { Data: { Blob: 'x'.repeat(5000) } }));

    const result = await driver.deploy(stack);

    expect(result.status).toBe('ROLLED_BACK');
    expect(result.events[0]).toMatchObject({ status: 'FAILED', reason: 'Response object is too long.' });
  });

  test('runs independent resources concurrently when asked, up to the limit', async () => {
    const driver = newDriver({ concurrency: 4 });
    const stack = recorderStack(add => {
      for (let i = 0; i < 12; i++) {
        add(`R${i}`, { SleepMs: 20 });
      }
    });

    await driver.deploy(stack);

    const maxInFlight = Math.max(...Array.from({ length: 12 }, (_, i) => Number(driver.attributes(`R${i}`).MaxInFlight)));
    expect(maxInFlight).toBe(4);
  });

  test('serves concurrent invocations from separate sandboxes, as Lambda does, and reuses idle ones', async () => {
    const driver = newDriver({ concurrency: 4 });
    const stack = recorderStack(add => {
      for (let i = 0; i < 8; i++) {
        add(`R${i}`, { SleepMs: 20 });
      }
    });

    await driver.deploy(stack);

    // the first four ran at once, each the first invocation of a fresh sandbox; the next four reused them.
    const invocations = Array.from({ length: 8 }, (_, i) => driver.attributes(`R${i}`).Invocations);
    expect(invocations.slice(0, 4)).toEqual(['1', '1', '1', '1']);
    expect(invocations.slice(4)).toEqual(['2', '2', '2', '2']);
  });
});

describe('intrinsics', () => {
  test('resolve parameters, pseudo parameters, conditions, Fn::Sub, Fn::Join, Fn::Select and Fn::Split', async () => {
    const driver = newDriver({ region: 'us-west-2', parameters: { Mode: 'prod' } });
    const stack = recorderStack(add => {
      const a = add('A', { PhysicalId: 'a-1', Data: { Csv: 'x,y,z' } });
      const root = Stack.of(a);
      const mode = new CfnParameter(root, 'Mode', { default: 'dev' });
      const prod = new CfnCondition(root, 'IsProd', { expression: Fn.conditionEquals(mode.valueAsString, 'prod') });
      add('B', {
        Sub: Fn.sub('${AWS::Region}/${A}/${A.Csv}/${!Literal}'),
        SubVars: Fn.sub('${Name}-${AWS::AccountId}', { Name: a.getAttString('Csv') }),
        Joined: Fn.join(':', [Aws.PARTITION, Aws.URL_SUFFIX, Aws.STACK_NAME]),
        Second: Fn.select(1, Fn.split(',', a.getAttString('Csv'))),
        Chosen: Fn.conditionIf(prod.logicalId, 'big', 'small'),
        Dropped: Fn.conditionIf(prod.logicalId, Aws.NO_VALUE, 'kept'),
      });
      new CfnOutput(root, 'Csv', { value: a.getAttString('Csv') });
    });

    const result = await driver.deploy(stack);

    expect(result.status).toBe('SUCCEEDED');
    expect(driver.resolvedProperties('B')).toEqual({
      ServiceToken: expect.any(String),
      Sub: 'us-west-2/a-1/x,y,z/${Literal}',
      SubVars: 'x,y,z-123456789012',
      Joined: 'aws:amazonaws.com:LifecycleTest',
      Second: 'y',
      Chosen: 'big',
    });
    expect(driver.outputs).toEqual({ Csv: 'x,y,z' });
  });

  test('Fn::ImportValue fails the resource', async () => {
    const driver = newDriver();
    const stack = recorderStack(add => add('A', { Imported: Fn.importValue('SharedBucket') }));

    const result = await driver.deploy(stack);

    expect(result.status).toBe('ROLLED_BACK');
    expect(result.reason).toMatch(/^A: Fn::ImportValue is not supported/);
    expect(driver.sentEvents).toEqual([]);
  });
});

describe('service tokens', () => {
  test('a function that is not a Provider framework fails clearly, unless its type is skipped', async () => {
    const build = () => {
      const stack = new Stack(new App(), 'LifecycleTest');
      const fn = new lambda.Function(stack, 'Direct', {
        runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromAsset(RECORDER),
      });
      new CustomResource(stack, 'A', { serviceToken: fn.functionArn, resourceType: 'Custom::Direct' });
      return stack;
    };

    const refused = await newDriver().deploy(build());
    const skipping = newDriver({ skipResourceTypes: ['Custom::Direct'] });
    const skipped = await skipping.deploy(build());

    expect(refused.reason).toMatch(/^A: ServiceToken of A is function Direct\w+, not a custom-resources.Provider framework/);
    expect(skipped.status).toBe('SUCCEEDED');
    expect(skipping.sentEvents).toEqual([]);
  });
});

describe('update', () => {
  test('sends Update with old and new properties to changed resources only, keeping the physical ID', async () => {
    const driver = newDriver();
    await driver.deploy(recorderStack(add => {
      add('A', { PhysicalId: 'a-1', Size: 1 });
      add('B', { PhysicalId: 'b-1' });
    }));

    const result = await driver.deploy(recorderStack(add => {
      add('A', { Size: 2 });
      add('B', { PhysicalId: 'b-1' });
    }));

    expect(result.status).toBe('SUCCEEDED');
    expect(summary(driver.sentEvents)).toEqual(['Create A', 'Create B', 'Update A']);
    const update = driver.sentEvents[2];
    expect(update.PhysicalResourceId).toBe('a-1');
    expect(update.ResourceProperties).toEqual({ ServiceToken: update.ServiceToken, Size: '2' });
    expect(update.OldResourceProperties).toEqual({ ServiceToken: update.ServiceToken, PhysicalId: 'a-1', Size: '1' });
    expect(driver.physicalId('A')).toBe('a-1');
    // attributes are replaced by the latest response.
    expect(driver.attributes('A').Invocations).toBe('3');
  });

  test('replacement: a new physical ID updates dependents, then the old ID is deleted with the old properties', async () => {
    const driver = newDriver();
    await driver.deploy(recorderStack(add => {
      const a = add('A', { PhysicalId: 'a-1', Version: 1 });
      add('B', { PhysicalId: 'b-1', Target: a.ref });
    }));

    const result = await driver.deploy(recorderStack(add => {
      const a = add('A', { PhysicalId: 'a-2', Version: 2 });
      add('B', { PhysicalId: 'b-1', Target: a.ref });
    }));

    expect(result.status).toBe('SUCCEEDED');
    expect(result.events.map(e => `${e.phase} ${e.requestType} ${e.logicalId} ${e.physicalId}`)).toEqual([
      'deploy Update A a-2',
      'deploy Update B b-1',
      'cleanup Delete A a-1',
    ]);
    const cleanup = driver.sentEvents[driver.sentEvents.length - 1];
    expect(cleanup.PhysicalResourceId).toBe('a-1');
    expect(cleanup.ResourceProperties).toMatchObject({ PhysicalId: 'a-1', Version: '1' });
    expect(driver.sentEvents[3].ResourceProperties.Target).toBe('a-2');
    expect(driver.physicalId('A')).toBe('a-2');
  });

  test('sends nothing when nothing changed', async () => {
    const driver = newDriver();
    const build = () => recorderStack(add => add('A', { PhysicalId: 'a-1', Size: 1 }));
    await driver.deploy(build());

    const result = await driver.deploy(build());

    expect(result).toEqual({ status: 'SUCCEEDED', events: [] });
    expect(summary(driver.sentEvents)).toEqual(['Create A']);
  });

  test('keeps retained resources: no Delete for a replaced or removed one', async () => {
    const driver = newDriver();
    await driver.deploy(recorderStack(add => {
      add('Replaced', { PhysicalId: 'r-1' }, { removalPolicy: RemovalPolicy.RETAIN });
      add('Removed', { PhysicalId: 'gone' }, { removalPolicy: RemovalPolicy.RETAIN });
    }));

    const result = await driver.deploy(recorderStack(add => {
      add('Replaced', { PhysicalId: 'r-2' }, { removalPolicy: RemovalPolicy.RETAIN });
    }));

    expect(result.status).toBe('SUCCEEDED');
    expect(summary(driver.sentEvents)).toEqual(['Create Replaced', 'Create Removed', 'Update Replaced']);
    expect(driver.physicalId('Replaced')).toBe('r-2');
  });

  test('creates added resources and deletes removed ones in the cleanup phase', async () => {
    const driver = newDriver();
    await driver.deploy(recorderStack(add => {
      add('Old', { PhysicalId: 'old' });
      add('Kept', { PhysicalId: 'kept' });
    }));

    const result = await driver.deploy(recorderStack(add => {
      add('Kept', { PhysicalId: 'kept' });
      add('New', { PhysicalId: 'new' });
    }));

    expect(result.events.map(e => `${e.phase} ${e.requestType} ${e.logicalId}`)).toEqual(['deploy Create New', 'cleanup Delete Old']);
    expect(() => driver.physicalId('Old')).toThrow(/Old is not deployed/);
  });

  test('rolls back a failed update: Update back to the old properties, created resources deleted', async () => {
    const driver = newDriver();
    await driver.deploy(recorderStack(add => {
      const a = add('A', { PhysicalId: 'a-1', Size: 1 });
      add('B', { PhysicalId: 'b-1', Size: 1 }).node.addDependency(a);
    }));
    const created = driver.sentEvents.length;

    const result = await driver.deploy(recorderStack(add => {
      const a = add('A', { PhysicalId: 'a-1', Size: 2 });
      const c = add('C', { PhysicalId: 'c-1' });
      const b = add('B', { PhysicalId: 'b-1', Size: 2, FailOn: 'Update', FailMessage: 'invalid size' });
      b.node.addDependency(a, c);
    }));

    expect(result.status).toBe('ROLLED_BACK');
    expect(result.reason).toMatch(prefixed('B', recorderFailure('invalid size')));
    const sent = driver.sentEvents.slice(created);
    expect(sent.map(e => `${e.RequestType} ${e.LogicalResourceId} ${e.PhysicalResourceId ?? ''}`.trim())).toEqual([
      'Update A a-1',
      'Create C',
      'Update B b-1',
      // rollback: every resource whose update was attempted goes back, then what was created goes.
      'Update A a-1',
      'Update B b-1',
      'Delete C c-1',
    ]);
    expect(sent[3].ResourceProperties).toMatchObject({ Size: '1' });
    expect(sent[3].OldResourceProperties).toMatchObject({ Size: '2' });
    expect(sent[4].ResourceProperties).not.toHaveProperty('FailOn');
    expect(sent[4].OldResourceProperties).toMatchObject({ FailOn: 'Update', Size: '2' });
    expect(driver.resolvedProperties('A')).toMatchObject({ Size: '1' });
    expect(Object.keys(driver.template!.Resources!)).not.toContain('C');
  });

  test('rolls a replacement back to the old physical ID and deletes the new one', async () => {
    const driver = newDriver();
    await driver.deploy(recorderStack(add => {
      const a = add('A', { PhysicalId: 'a-1' });
      add('B', { PhysicalId: 'b-1' }).node.addDependency(a);
    }));
    const created = driver.sentEvents.length;

    const result = await driver.deploy(recorderStack(add => {
      const a = add('A', { PhysicalId: 'a-2' });
      add('B', { PhysicalId: 'b-1', FailOn: 'Update' }).node.addDependency(a);
    }));

    expect(result.status).toBe('ROLLED_BACK');
    expect(summary(driver.sentEvents.slice(created))).toEqual(['Update A', 'Update B', 'Update B', 'Delete A']);
    expect(driver.sentEvents[driver.sentEvents.length - 1].PhysicalResourceId).toBe('a-2');
    expect(driver.physicalId('A')).toBe('a-1');
  });

  test('refuses to change a ServiceToken, as CloudFormation does', async () => {
    const driver = newDriver();
    await driver.deploy(recorderStack(add => add('A', { PhysicalId: 'a-1' })));

    const result = await driver.deploy(recorderStack(add => add('A', { PhysicalId: 'a-1' }), { otherProvider: true }));

    expect(result.status).toBe('ROLLED_BACK');
    expect(result.reason).toBe('A: Modifying service token is not allowed.');
    expect(summary(driver.sentEvents)).toEqual(['Create A']);
  });

  test('refuses to change a resource type before doing anything', async () => {
    const driver = newDriver();
    await driver.deploy(recorderStack(add => add('A', {})));

    const result = await driver.deploy(recorderStack(add => add('A', {}, { resourceType: 'Custom::Other' })));

    expect(result).toEqual({
      status: 'FAILED',
      events: [],
      reason: 'Update of resource type is not permitted. The new template modifies resource type of the following resources: [A]',
    });
  });
});

describe('destroy', () => {
  test('deletes in reverse dependency order and skips retained resources', async () => {
    const driver = newDriver();
    await driver.deploy(recorderStack(add => {
      const a = add('A', { PhysicalId: 'a-1' });
      add('B', { PhysicalId: 'b-1', Target: a.ref });
      add('Kept', {}, { removalPolicy: RemovalPolicy.RETAIN });
    }));

    const result = await driver.destroy();

    expect(result.status).toBe('SUCCEEDED');
    expect(result.events.map(e => `${e.requestType} ${e.logicalId} ${e.physicalId}`)).toEqual(['Delete B b-1', 'Delete A a-1']);
    expect(driver.sentEvents[3].ResourceProperties).toMatchObject({ Target: 'a-1' });
    expect(driver.template).toBeUndefined();
  });

  test('reports a failed delete and deletes the rest', async () => {
    const driver = newDriver();
    await driver.deploy(recorderStack(add => {
      add('Stuck', { PhysicalId: 'stuck', FailOn: 'Delete', FailMessage: 'still in use' });
      add('Other', { PhysicalId: 'other' });
    }));

    const result = await driver.destroy();

    expect(result.status).toBe('FAILED');
    expect(result.reason).toMatch(prefixed('Stuck', recorderFailure('still in use')));
    expect(result.events.map(e => `${e.requestType} ${e.logicalId} ${e.status}`)).toEqual(['Delete Other SUCCESS', 'Delete Stuck FAILED']);
    expect(driver.physicalId('Stuck')).toBe('stuck');
  });
});

describe('invoke', () => {
  test('sends one raw event through the framework rules without changing state', async () => {
    const driver = newDriver();
    await driver.deploy(recorderStack(add => add('A', { PhysicalId: 'a-1' })));

    const result = await driver.invoke('A', 'Update', { properties: { PhysicalId: 'a-9', NoEcho: true } });

    expect(result).toMatchObject({ status: 'SUCCESS', physicalId: 'a-9', noEcho: true });
    expect(result.event).toMatchObject({ PhysicalResourceId: 'a-1', ResourceProperties: { NoEcho: 'true' } });
    expect(driver.physicalId('A')).toBe('a-1');
    expect(await driver.invoke('A', 'Delete', { physicalId: CREATE_FAILED_MARKER })).toMatchObject({ status: 'SUCCESS', event: undefined });
  });
});
