import * as fs from 'fs';
import * as https from 'https';
import * as os from 'os';
import * as path from 'path';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { App, Aws, CfnCondition, CfnOutput, CfnParameter, CustomResource, Duration, Fn, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as cr from 'aws-cdk-lib/custom-resources';
import { ResponseServer } from '../../testing/lifecycle/response-server';
import { CustomResourceEvent, LifecycleDriver } from '../../testing/lifecycle-driver';

/**
 * The physical ID aws-cdk-lib's Provider framework reports for a failed Create, so that it can ignore the rollback's
 * Delete: the framework's own convention, which the driver knows nothing of.
 */
const CREATE_FAILED_MARKER = 'AWSCDK::CustomResourceProviderFramework::CREATE_FAILED';

const RECORDER = path.join(__dirname, 'fixtures', 'recorder');

interface AppOptions {
  /** The recorder function's timeout. */
  readonly timeout?: Duration;
  /** A second recorder function (or Provider) whose token the resources use instead. */
  readonly other?: boolean;
  /**
   * `function`: the ServiceToken is the recorder function itself, which answers CloudFormation (`index.handler`);
   * `framework`: an aws-cdk-lib `custom-resources.Provider` whose user function is the recorder (`index.onEvent`).
   * @default 'function'
   */
  readonly serviceToken?: 'function' | 'framework';
}

/** A stack whose custom resources, those `build` adds, are served by the recorder fixture. */
function recorderStack(build: (add: ResourceAdder) => void, options: AppOptions = {}): Stack {
  const stack = new Stack(new App(), 'LifecycleTest');
  const id = options.other ? 'Other' : 'Recorder';
  const framework = options.serviceToken === 'framework';
  const fn = new lambda.Function(stack, `${id}Handler`, {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: framework ? 'index.onEvent' : 'index.handler',
    code: lambda.Code.fromAsset(RECORDER),
    timeout: options.timeout ?? Duration.seconds(3),
    environment: { GREETING: 'hello' },
  });
  const serviceToken = framework ? new cr.Provider(stack, `${id}Provider`, { onEventHandler: fn }).serviceToken : fn.functionArn;
  build((logicalId, properties, resourceOptions = {}) => new CustomResource(stack, logicalId, {
    serviceToken,
    resourceType: resourceOptions.resourceType ?? 'Custom::Recorder',
    properties,
    removalPolicy: resourceOptions.removalPolicy,
    serviceTimeout: resourceOptions.serviceTimeout,
  }));
  return stack;
}

type ResourceAdder = (
  id: string,
  properties: Record<string, unknown>,
  options?: { removalPolicy?: RemovalPolicy; resourceType?: string; serviceTimeout?: Duration },
) => CustomResource;

/**
 * The reason the Provider framework gives CloudFormation when the recorder's user function throws `message`: the
 * message, a pointer to the function's log group, and the error's stack as Lambda's runtime reported it.
 */
function frameworkFailure(message: string): RegExp {
  return new RegExp(`^${escapeRegExp(message)}\\n\\nLogs: /aws/lambda/LifecycleTest-RecorderHandler\\w+-\\w+\\n\\n    at exports\\.onEvent \\(/var/task/index\\.js:\\d+:\\d+\\)\\n`);
}

/** CloudFormation's reason for a request it got no response to. */
function noResponse(requestId: string): string {
  return `CloudFormation did not receive a response from your Custom Resource. Please check your logs for requestId [${requestId}]. `
    + 'If you are using the Python cfn-response module, you may need to update your Lambda function code so that CloudFormation can attach the updated version.';
}

/** Resolves once `condition` holds (failing the test after 5 s). */
async function until(condition: () => boolean): Promise<void> {
  for (const started = Date.now(); !condition(); await new Promise(resolve => setTimeout(resolve, 20))) {
    if (Date.now() - started > 5000) {
      throw new Error(`still not so after 5 s: ${condition}`);
    }
  }
}

/** `reason` as the driver's result gives it: `<LogicalId>: <reason>`. */
function prefixed(logicalId: string, reason: RegExp): RegExp {
  return new RegExp(`^${logicalId}: ${reason.source.slice(1)}`);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The events, as `RequestType LogicalId`. */
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

/** Every delivery as the recorder itself received it (a request delivered twice is there twice). */
function handlerLog(): CustomResourceEvent[] {
  if (!fs.existsSync(eventLog)) {
    return [];
  }
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
      ServiceToken: expect.stringMatching(/^arn:aws:lambda:eu-west-1:123456789012:function:LifecycleTest-RecorderHandler/),
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
    // the ServiceToken's function is invoked with CloudFormation's event itself.
    expect(driver.sentEvents).toEqual([event]);
    // the recorder answers the request ID as the physical ID when given none, as aws-cdk-lib's providers do.
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

  test('rolls back a failed create: the failed resource deleted by the physical ID it answered, then earlier ones', async () => {
    const driver = newDriver();
    const stack = recorderStack(add => {
      const a = add('A', { PhysicalId: 'a-1' });
      add('B', { FailOn: 'Create', FailMessage: 'stage quota exceeded' }).node.addDependency(a);
    });

    const result = await driver.deploy(stack);

    expect(result.status).toBe('ROLLED_BACK');
    expect(result.reason).toBe('B: stage quota exceeded');
    // the recorder answers its failed Create with the request ID as the physical ID: CloudFormation deletes that.
    const failedCreate = driver.sentEvents[1].RequestId;
    expect(result.events).toEqual([
      { logicalId: 'A', requestType: 'Create', physicalId: 'a-1', status: 'SUCCESS', phase: 'deploy' },
      { logicalId: 'B', requestType: 'Create', physicalId: failedCreate, status: 'FAILED', reason: 'stage quota exceeded', phase: 'deploy' },
      { logicalId: 'B', requestType: 'Delete', physicalId: failedCreate, status: 'SUCCESS', phase: 'rollback' },
      { logicalId: 'A', requestType: 'Delete', physicalId: 'a-1', status: 'SUCCESS', phase: 'rollback' },
    ]);
    expect(summary(driver.sentEvents)).toEqual(['Create A', 'Create B', 'Delete B', 'Delete A']);
    expect(summary(handlerLog())).toEqual(summary(driver.sentEvents));
    expect(driver.sentEvents[2].PhysicalResourceId).toBe(failedCreate);
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

  test('enforces the function timeout, scaled: Lambda retries the timed-out invocation twice, then nothing answers', async () => {
    const driver = newDriver({ timeoutScale: 0.01 });
    const stack = recorderStack(add => add('Slow', { SleepMs: 300 }), { timeout: Duration.seconds(2) });
    const started = Date.now();

    const result = await driver.deploy(stack);

    expect(Date.now() - started).toBeLessThan(2000);
    expect(result.status).toBe('ROLLED_BACK');
    const [sent] = driver.sentEvents;
    // no response, and no physical ID: the rollback has nothing to delete.
    expect(result.events).toEqual([{ logicalId: 'Slow', requestType: 'Create', status: 'FAILED', reason: noResponse(sent.RequestId), phase: 'deploy' }]);
    expect(summary(driver.sentEvents)).toEqual(['Create Slow']);
    // an asynchronous invocation and Lambda's two retries, all of the same event.
    expect(handlerLog()).toEqual([sent, sent, sent]);
  });

  test('fails a response over 4 KB, as CloudFormation does', async () => {
    const driver = newDriver();
    const stack = recorderStack(add => add('Big', { Data: { Blob: 'x'.repeat(5000) } }));

    const result = await driver.deploy(stack);

    expect(result.status).toBe('ROLLED_BACK');
    expect(result.events[0]).toMatchObject({ status: 'FAILED', reason: 'Response object is too long.' });
  });

  test('shows the reason of a failure over 4 KB cut to 4 KB', async () => {
    const driver = newDriver();
    const stack = recorderStack(add => add('Long', { FailOn: 'Create', FailMessage: `${'é'.repeat(2500)}` }));

    const result = await driver.deploy(stack);

    expect(result.status).toBe('ROLLED_BACK');
    // é is two bytes: 2,048 of them fill 4,096 bytes.
    expect(result.events[0]).toMatchObject({ status: 'FAILED', reason: 'é'.repeat(2048) });
  });

  test('runs independent resources concurrently when asked, up to the limit', async () => {
    const driver = newDriver({ concurrency: 4 });
    const stack = recorderStack(add => {
      for (let i = 0; i < 12; i++) {
        add(`R${i}`, { SleepMs: 300 });
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
        add(`R${i}`, { SleepMs: 300 });
      }
    });

    await driver.deploy(stack);

    // each invocation reports its sandbox's count: a '1' is a fresh sandbox. Invocations in flight together had
    // sandboxes of their own, and no more sandboxes were made than ran at once: the others were reused.
    const invocations = Array.from({ length: 8 }, (_, i) => Number(driver.attributes(`R${i}`).Invocations));
    const maxInFlight = Math.max(...Array.from({ length: 8 }, (_, i) => Number(driver.attributes(`R${i}`).MaxInFlight)));
    const fresh = invocations.filter(n => n === 1).length;
    expect(maxInFlight).toBeGreaterThan(1);
    expect(fresh).toBeGreaterThanOrEqual(maxInFlight);
    expect(fresh).toBeLessThanOrEqual(4);
    for (let n = 2; n <= Math.max(...invocations); n++) {
      expect(invocations.filter(i => i === n).length).toBeLessThanOrEqual(invocations.filter(i => i === n - 1).length);
    }
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
  test('a ServiceToken that is not a Lambda function of the stack fails clearly, unless its type is skipped', async () => {
    const build = (serviceToken: (stack: Stack) => string) => {
      const stack = new Stack(new App(), 'LifecycleTest');
      new CustomResource(stack, 'A', { serviceToken: serviceToken(stack), resourceType: 'Custom::Elsewhere' });
      return stack;
    };
    const anotherStacksFunction = () => 'arn:aws:lambda:us-east-1:123456789012:function:another-stacks-handler';
    const topic = (stack: Stack) => new sns.Topic(stack, 'Requests').topicArn;
    const refusal = 'is not a Lambda function of this stack: '
      + 'the lifecycle driver runs custom resources served by a function of the stack (skip others with skipResourceTypes)';

    const refusing = newDriver();
    const refused = await refusing.deploy(build(anotherStacksFunction));
    const refusedTopic = await newDriver().deploy(build(topic));
    const skipping = newDriver({ skipResourceTypes: ['Custom::Elsewhere'] });
    const skipped = await skipping.deploy(build(anotherStacksFunction));

    expect(refused).toEqual({
      status: 'ROLLED_BACK',
      reason: `A: ServiceToken ${anotherStacksFunction()} of A ${refusal}`,
      // nothing was sent, and a create that got no physical ID leaves nothing for the rollback to delete.
      events: [{ logicalId: 'A', requestType: 'Create', status: 'FAILED', reason: `ServiceToken ${anotherStacksFunction()} of A ${refusal}`, phase: 'deploy' }],
    });
    expect(refusing.sentEvents).toEqual([]);
    expect(refusedTopic.reason).toMatch(new RegExp(`^A: ServiceToken arn:aws:sns:us-east-1:123456789012:\\S+ of A ${escapeRegExp(refusal)}$`));
    expect(skipped.status).toBe('SUCCEEDED');
    expect(skipping.sentEvents).toEqual([]);
  });

  test('a function in another runtime than Node.js fails clearly', async () => {
    const stack = new Stack(new App(), 'LifecycleTest');
    const fn = new lambda.Function(stack, 'Python', {
      runtime: lambda.Runtime.PYTHON_3_12, handler: 'index.handler', code: lambda.Code.fromInline('def handler(event, context): pass'),
    });
    new CustomResource(stack, 'A', { serviceToken: fn.functionArn, resourceType: 'Custom::Python' });
    const driver = newDriver();

    const result = await driver.deploy(stack);

    expect(result.reason).toMatch(/^A: Python\w+: runtime 'python3\.12' is not supported by the lifecycle driver \(Node\.js only\)$/);
    expect(driver.sentEvents).toEqual([]);
  });

  test('the driver reads nothing internal to aws-cdk-lib: any function of the stack is run as the ServiceToken itself', async () => {
    const stack = new Stack(new App(), 'LifecycleTest');
    const recorder = (id: string, environment?: Record<string, string>) => new lambda.Function(stack, id, {
      runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromAsset(RECORDER), environment,
    });
    // no environment at all.
    const bare = recorder('Bare');
    // what a Provider framework's function has, naming a function that does not exist: the driver does not follow it.
    const lookalike = recorder('Lookalike', {
      USER_ON_EVENT_FUNCTION_ARN: 'arn:aws:lambda:us-east-1:123456789012:function:nowhere',
      USER_IS_COMPLETE_FUNCTION_ARN: 'arn:aws:lambda:us-east-1:123456789012:function:nowhere-either',
    });
    new CustomResource(stack, 'A', { serviceToken: bare.functionArn, resourceType: 'Custom::Bare', properties: { PhysicalId: 'a-1' } });
    new CustomResource(stack, 'B', { serviceToken: lookalike.functionArn, resourceType: 'Custom::Lookalike', properties: { PhysicalId: 'b-1' } });
    // no env of the driver's either.
    const driver = new LifecycleDriver();

    const created = await driver.deploy(stack);
    const bareEnvironment = driver.deployedFunction(driver.logicalIdOf(bare)).environment;
    const destroyed = await driver.destroy();

    expect(created.status).toBe('SUCCEEDED');
    expect(destroyed.status).toBe('SUCCEEDED');
    expect(bareEnvironment).toEqual({});
    expect(summary(driver.sentEvents)).toEqual(['Create A', 'Create B', 'Delete B', 'Delete A']);
    // each answered by the function the ServiceToken names, invoked directly: nothing went through the Lambda API.
    expect(driver.responses.map(r => [r.logicalResourceId, r.physicalResourceId, r.status])).toEqual([
      ['A', 'a-1', 'SUCCESS'], ['B', 'b-1', 'SUCCESS'], ['B', 'b-1', 'SUCCESS'], ['A', 'a-1', 'SUCCESS'],
    ]);
    expect((await driver.lambdaApi()).calls).toEqual([]);
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
    expect(result.reason).toBe('B: invalid size');
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

    const result = await driver.deploy(recorderStack(add => add('A', { PhysicalId: 'a-1' }), { other: true }));

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
    expect(result.reason).toBe('Stuck: still in use');
    expect(result.events.map(e => `${e.requestType} ${e.logicalId} ${e.status}`)).toEqual(['Delete Other SUCCESS', 'Delete Stuck FAILED']);
    expect(driver.physicalId('Stuck')).toBe('stuck');
  });
});

describe('invoke', () => {
  test('sends one raw event to the ServiceToken without changing state', async () => {
    const driver = newDriver();
    await driver.deploy(recorderStack(add => add('A', { PhysicalId: 'a-1' })));

    const result = await driver.invoke('A', 'Update', { properties: { PhysicalId: 'a-9', NoEcho: true } });

    expect(result).toMatchObject({ status: 'SUCCESS', physicalId: 'a-9', noEcho: true });
    expect(result.event).toMatchObject({ PhysicalResourceId: 'a-1', ResourceProperties: { NoEcho: 'true' } });
    expect(result.event).toEqual(handlerLog()[1]);
    expect(driver.physicalId('A')).toBe('a-1');
    const deleted = await driver.invoke('A', 'Delete', { physicalId: 'a-0' });
    expect(deleted).toMatchObject({ status: 'SUCCESS', physicalId: 'a-0', event: { RequestType: 'Delete', PhysicalResourceId: 'a-0' } });
    expect(summary(driver.sentEvents)).toEqual(['Create A', 'Update A', 'Delete A']);
    expect(driver.physicalId('A')).toBe('a-1');
  });
});

describe('CloudFormation\'s side', () => {
  test('the function answers with an HTTPS PUT to the ResponseURL, which the driver captures', async () => {
    const driver = newDriver();
    await driver.deploy(recorderStack(add => add('A', { PhysicalId: 'a-1', NoEcho: true, Data: { Value: 'v' } })));

    const [event] = driver.sentEvents;
    expect(driver.responses).toEqual([expect.objectContaining({
      objectKey: `${event.StackId}|A|${event.RequestId}`,
      status: 'SUCCESS',
      physicalResourceId: 'a-1',
      requestId: event.RequestId,
      stackId: event.StackId,
      logicalResourceId: 'A',
      noEcho: true,
      data: expect.objectContaining({ Value: 'v', Invocations: '1' }),
    })]);
    expect(JSON.parse(driver.responses[0].body)).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: 'a-1', NoEcho: true });
    expect(driver.attributes('A')).toEqual(driver.responses[0].data);
    await driver.close();
  });

  test('the response server\'s certificate is made for the response host and trusted by nobody else', async () => {
    const host = 'cloudformation-custom-resource-response-euwest1.s3.amazonaws.com';
    const server = await ResponseServer.start();
    server.addHost(host);
    const { port, ca } = server.route(host)!;
    const put = (trusted: string[] | undefined) => new Promise<number>((resolve, reject) => {
      const request = https.request({ host: '127.0.0.1', servername: host, port, path: '/key%7C1', method: 'PUT', ca: trusted }, response => {
        response.resume();
        resolve(response.statusCode!);
      });
      request.on('error', reject);
      request.end('{"Status":"SUCCESS"}');
    });
    try {
      await expect(put(undefined)).rejects.toThrow(/self-signed certificate/);
      expect(await put([ca])).toBe(200);
      expect(server.received).toEqual([expect.objectContaining({ objectKey: 'key|1', status: 'SUCCESS' })]);
      expect(server.route('example.com')).toBeUndefined();
    } finally {
      await server.close();
    }
  });

  test('a refused PUT is retried by the function itself, within one invocation', async () => {
    const driver = newDriver();
    (await driver.responseServer()).injectFault({ status: 503, times: 1 });

    const result = await driver.deploy(recorderStack(add => add('A', { PhysicalId: 'a-1' })));

    expect(result.status).toBe('SUCCEEDED');
    expect(driver.sentEvents).toHaveLength(1);
    expect(handlerLog()).toHaveLength(1);
    expect(driver.responses).toHaveLength(1);
  });

  test('a function error (every PUT refused) is retried by Lambda, as an asynchronous invocation: the retry answers', async () => {
    const driver = newDriver();
    // the recorder tries its PUT three times before it gives up and fails.
    (await driver.responseServer()).injectFault({ status: 503, times: 3 });

    const result = await driver.deploy(recorderStack(add => add('A', { PhysicalId: 'a-1' })));

    expect(result.status).toBe('SUCCEEDED');
    expect(driver.sentEvents).toHaveLength(1);
    expect(handlerLog()).toEqual([driver.sentEvents[0], driver.sentEvents[0]]);
    expect(driver.responses).toHaveLength(1);
    expect(driver.attributes('A').Delivery).toBe('2');
  });

  test('a function error is retried twice by Lambda: a third attempt can answer', async () => {
    const driver = newDriver();

    const result = await driver.deploy(recorderStack(add => add('A', { PhysicalId: 'a-1', CrashOn: 'Create', CrashTimes: 2 })));

    expect(result.status).toBe('SUCCEEDED');
    const [sent] = driver.sentEvents;
    expect(handlerLog()).toEqual([sent, sent, sent]);
    expect(driver.attributes('A').Delivery).toBe('3');
    expect(driver.responses).toHaveLength(1);
  });

  test('after three function errors Lambda gives up: no response, the resource fails', async () => {
    const driver = newDriver();

    const result = await driver.deploy(recorderStack(add => add('A', { PhysicalId: 'a-1', CrashOn: 'Create', CrashTimes: 3 })));

    expect(result.status).toBe('ROLLED_BACK');
    const [sent] = driver.sentEvents;
    expect(result.reason).toBe(`A: ${noResponse(sent.RequestId)}`);
    expect(handlerLog()).toEqual([sent, sent, sent]);
    expect(driver.responses).toEqual([]);
  });

  test('Lambda retries an invocation that timed out; the retry\'s answer counts', async () => {
    // the function's 2 s become 200 ms; its first delivery takes 600 ms.
    const driver = newDriver({ timeoutScale: 0.1 });

    const result = await driver.deploy(recorderStack(add => add('A', { PhysicalId: 'a-1', SleepMs: 600, SlowDeliveries: 1 }), {
      timeout: Duration.seconds(2),
    }));

    expect(result.status).toBe('SUCCEEDED');
    expect(handlerLog()).toHaveLength(2);
    expect(new Set(handlerLog().map(e => e.RequestId)).size).toBe(1);
    expect(driver.attributes('A').Delivery).toBe('2');
  });

  test('no response before the ServiceTimeout fails the resource; a late one is captured and ignored', async () => {
    const driver = newDriver();
    const stack = recorderStack(add => add('Slow', { PhysicalId: 'slow-1', SleepMs: 1500 }, { serviceTimeout: Duration.seconds(1) }), {
      timeout: Duration.seconds(5),
    });

    const result = await driver.deploy(stack);

    expect(driver.responses).toEqual([]);
    expect(result.status).toBe('ROLLED_BACK');
    const requestId = driver.sentEvents[0].RequestId;
    expect(result.events).toEqual([{ logicalId: 'Slow', requestType: 'Create', status: 'FAILED', phase: 'deploy', reason: noResponse(requestId) }]);
    await until(() => driver.responses.length > 0);
    expect(driver.responses).toEqual([expect.objectContaining({ requestId, status: 'SUCCESS', physicalResourceId: 'slow-1' })]);
    expect(driver.template).toBeUndefined();
  });

  test('duplicateDelivery: the same request twice, one after the other; the first response counts', async () => {
    const driver = newDriver({ duplicateDelivery: { logicalIds: ['A'], requestTypes: ['Create'] } });

    const result = await driver.deploy(recorderStack(add => {
      add('A', { PhysicalId: 'a-1' });
      add('B', { PhysicalId: 'b-1' });
    }));

    expect(result.status).toBe('SUCCEEDED');
    const delivered = handlerLog();
    expect(summary(delivered)).toEqual(['Create A', 'Create A', 'Create B']);
    expect(delivered[0]).toEqual(delivered[1]);
    // CloudFormation sent A twice: the driver records each delivery.
    expect(summary(driver.sentEvents)).toEqual(['Create A', 'Create A', 'Create B']);
    expect(driver.responses.filter(r => r.logicalResourceId === 'A').map(r => r.data!.Delivery)).toEqual(['1', '2']);
    expect(driver.attributes('A').Delivery).toBe('1');
    expect(result.events.map(e => `${e.requestType} ${e.logicalId}`)).toEqual(['Create A', 'Create B']);

    const destroyed = await driver.destroy();
    expect(destroyed.events.map(e => `${e.requestType} ${e.logicalId}`)).toEqual(['Delete B', 'Delete A']);
    expect(summary(handlerLog()).slice(3)).toEqual(['Delete B', 'Delete A']);
  });

  test('a SUCCESS answer without a PhysicalResourceId fails the resource, as CloudFormation does', async () => {
    const driver = newDriver();

    const result = await driver.deploy(recorderStack(add => add('A', { OmitPhysicalId: true })));

    expect(result).toMatchObject({ status: 'ROLLED_BACK', reason: 'A: Invalid PhysicalResourceId' });
  });

  test('duplicateDelivery, concurrent: both deliveries at once, from separate sandboxes', async () => {
    const driver = newDriver({ duplicateDelivery: { concurrent: true } });

    await driver.deploy(recorderStack(add => add('A', { PhysicalId: 'a-1', SleepMs: 100 })));

    expect(summary(handlerLog())).toEqual(['Create A', 'Create A']);
    expect(driver.responses.map(r => [r.data!.Invocations, r.data!.MaxInFlight])).toEqual([['1', '2'], ['1', '2']]);
  });
});

describe('a stack with aws-cdk-lib\'s real Provider framework', () => {
  const framework = { serviceToken: 'framework' } as const;

  test('deploys, updates and destroys: the framework invokes the user function through the Lambda API and answers', async () => {
    const driver = newDriver();
    await driver.deploy(recorderStack(add => add('A', { PhysicalId: 'a-1', NoEcho: true, Data: { Value: 'v' } }), framework));
    await driver.deploy(recorderStack(add => add('A', { PhysicalId: 'a-1', Data: { Value: 'w' } }), framework));
    const destroyed = await driver.destroy();

    expect(destroyed.status).toBe('SUCCEEDED');
    // CloudFormation sends to the framework's function; the framework forwards each request to the user function.
    expect(driver.sentEvents[0].ServiceToken).toMatch(/^arn:aws:lambda:us-east-1:123456789012:function:LifecycleTest-RecorderProviderframeworkonEvent/);
    expect(summary(driver.sentEvents)).toEqual(['Create A', 'Update A', 'Delete A']);
    expect(handlerLog().map(e => [e.RequestType, e.RequestId])).toEqual(driver.sentEvents.map(e => [e.RequestType, e.RequestId]));
    const api = await driver.lambdaApi();
    expect(api.calls.map(c => [c.operation, c.status])).toEqual([['Invoke', 200], ['Invoke', 200], ['Invoke', 200]]);
    expect(api.calls[0].functionName).toMatch(/^arn:aws:lambda:us-east-1:123456789012:function:LifecycleTest-RecorderHandler/);
    // the framework's own response: its Reason, its NoEcho.
    expect(driver.responses.map(r => [r.status, r.reason, r.physicalResourceId, r.noEcho])).toEqual([
      ['SUCCESS', 'SUCCESS', 'a-1', true],
      ['SUCCESS', 'SUCCESS', 'a-1', undefined],
      ['SUCCESS', 'SUCCESS', 'a-1', undefined],
    ]);
    expect(driver.responses[1].data).toMatchObject({ Value: 'w' });
  });

  test('a failed create answers the framework\'s CREATE_FAILED marker, whose rollback Delete the framework answers itself', async () => {
    const driver = newDriver();
    const stack = recorderStack(add => {
      const a = add('A', { PhysicalId: 'a-1' });
      add('B', { FailOn: 'Create', FailMessage: 'stage quota exceeded' }).node.addDependency(a);
    }, framework);

    const result = await driver.deploy(stack);

    expect(result.status).toBe('ROLLED_BACK');
    expect(result.reason).toMatch(prefixed('B', frameworkFailure('stage quota exceeded')));
    expect(result.events).toEqual([
      { logicalId: 'A', requestType: 'Create', physicalId: 'a-1', status: 'SUCCESS', reason: 'SUCCESS', phase: 'deploy' },
      { logicalId: 'B', requestType: 'Create', physicalId: CREATE_FAILED_MARKER, status: 'FAILED', reason: expect.stringMatching(frameworkFailure('stage quota exceeded')), phase: 'deploy' },
      { logicalId: 'B', requestType: 'Delete', physicalId: CREATE_FAILED_MARKER, status: 'SUCCESS', reason: 'SUCCESS', phase: 'rollback' },
      { logicalId: 'A', requestType: 'Delete', physicalId: 'a-1', status: 'SUCCESS', reason: 'SUCCESS', phase: 'rollback' },
    ]);
    // CloudFormation sends the marker's Delete, as to any physical ID; it never reaches the user function.
    expect(summary(driver.sentEvents)).toEqual(['Create A', 'Create B', 'Delete B', 'Delete A']);
    expect(driver.sentEvents[2].PhysicalResourceId).toBe(CREATE_FAILED_MARKER);
    expect(summary(handlerLog())).toEqual(['Create A', 'Create B', 'Delete A']);
    expect(driver.template).toBeUndefined();
  });

  test('invoke: a Delete of the marker is answered by the framework without the user function', async () => {
    const driver = newDriver();
    await driver.deploy(recorderStack(add => add('A', { PhysicalId: 'a-1' }), framework));

    const result = await driver.invoke('A', 'Delete', { physicalId: CREATE_FAILED_MARKER });

    expect(result).toMatchObject({ status: 'SUCCESS', physicalId: CREATE_FAILED_MARKER, event: { RequestType: 'Delete', PhysicalResourceId: CREATE_FAILED_MARKER } });
    expect(summary(handlerLog())).toEqual(['Create A']);
    expect(driver.physicalId('A')).toBe('a-1');
  });

  test('the Lambda API answers a function error in Lambda\'s shape', async () => {
    const driver = newDriver();
    await driver.deploy(recorderStack(add => add('A', { PhysicalId: 'a-1' }), framework));
    const api = await driver.lambdaApi();
    const userFunction = api.calls[0].functionName;

    const client = new LambdaClient({ endpoint: api.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
    try {
      const payload = { RequestType: 'Create', ResourceProperties: { FailOn: 'Create', FailMessage: 'boom' } };
      const result = await client.send(new InvokeCommand({ FunctionName: userFunction, Payload: JSON.stringify(payload) }));
      expect(result.StatusCode).toBe(200);
      expect(result.FunctionError).toBe('Unhandled');
      expect(result.ExecutedVersion).toBe('$LATEST');
      const error = JSON.parse(Buffer.from(result.Payload!).toString());
      expect(error).toEqual({
        errorType: 'Error',
        errorMessage: 'boom',
        trace: [
          'Error: boom',
          expect.stringMatching(/^ {4}at exports\.onEvent \(\/var\/task\/index\.js:\d+:\d+\)$/),
          expect.stringMatching(/^ {4}at Immediate\.handleOnceNonStreaming \(file:\/\/\/var\/runtime\/index\.mjs:/),
          expect.any(String),
          expect.any(String),
        ],
      });
      await expect(client.send(new InvokeCommand({ FunctionName: 'nope' }))).rejects.toThrow(/Function not found: nope/);
    } finally {
      client.destroy();
    }
  });

  test('the framework retries a failed Invoke once, after waiting for the function to be active (GetFunction)', async () => {
    const driver = newDriver();
    const api = await driver.lambdaApi();
    // what Lambda answers for a function still being created or updated.
    api.injectFault({ errorType: 'ResourceConflictException', message: 'The function is currently in the following state: Pending' });

    const result = await driver.deploy(recorderStack(add => add('A', { PhysicalId: 'a-1' }), framework));

    expect(result.status).toBe('SUCCEEDED');
    expect(api.calls.map(c => [c.operation, c.status])).toEqual([['Invoke', 409], ['GetFunction', 200], ['Invoke', 200]]);
    expect(driver.sentEvents).toHaveLength(1);
    expect(handlerLog()).toHaveLength(1);
  });

  test('the framework fails the resource with the SDK error when the retried Invoke fails too', async () => {
    const driver = newDriver();
    (await driver.lambdaApi()).injectFault({ errorType: 'ResourceConflictException', message: 'still Pending', times: 2 });

    const result = await driver.deploy(recorderStack(add => add('A', { PhysicalId: 'a-1' }), framework));

    expect(result.status).toBe('ROLLED_BACK');
    expect(result.reason).toMatch(/^A: ResourceConflictException: still Pending\n {4}at /);
    expect(summary(driver.sentEvents)).toEqual(['Create A', 'Delete A']);
    expect(driver.sentEvents[1].PhysicalResourceId).toBe(CREATE_FAILED_MARKER);
    expect(handlerLog()).toEqual([]);
  });
});
