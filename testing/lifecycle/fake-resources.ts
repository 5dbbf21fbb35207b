/**
 * Plausible identifiers for the resources the driver does not run (everything but custom resources):
 * enough for `Ref` and `Fn::GetAtt` between them and the custom resources to resolve to realistic strings.
 */

export interface FakeEnvironment {
  readonly region: string;
  readonly accountId: string;
  readonly partition: string;
  readonly urlSuffix: string;
  readonly stackName: string;
}

/** The property that names a resource when set; CloudFormation generates a name otherwise. */
const NAME_PROPERTY: Record<string, string> = {
  'AWS::S3::Bucket': 'BucketName',
  'AWS::Lambda::Function': 'FunctionName',
  'AWS::IAM::Role': 'RoleName',
  'AWS::IAM::ManagedPolicy': 'ManagedPolicyName',
  'AWS::Logs::LogGroup': 'LogGroupName',
  'AWS::SNS::Topic': 'TopicName',
  'AWS::SQS::Queue': 'QueueName',
  'AWS::Events::Rule': 'Name',
  'AWS::Events::EventBus': 'Name',
};

/** The physical ID CloudFormation would give the resource: its name property, else `<stack>-<LogicalId>-<suffix>`. */
export function fakePhysicalId(logicalId: string, type: string, properties: Record<string, unknown>, env: FakeEnvironment, suffix: string): string {
  const nameProperty = NAME_PROPERTY[type];
  if (nameProperty && typeof properties[nameProperty] === 'string') {
    return properties[nameProperty];
  }
  if (type === 'AWS::KMS::Key') {
    return `${suffix.toLowerCase().padEnd(8, '0').slice(0, 8)}-1234-5678-9abc-${suffix.toLowerCase().padEnd(12, '0').slice(0, 12)}`;
  }
  const generated = `${env.stackName}-${logicalId.slice(0, 40)}-${suffix}`;
  // bucket names are lowercase and at most 63 characters; CloudFormation shortens the generated part to fit.
  return type === 'AWS::S3::Bucket' ? generated.toLowerCase().slice(-63).replace(/^-+/, '') : generated.slice(0, 64);
}

/** What `Ref` returns for the resource type (mostly its physical ID). */
export function fakeRef(type: string, physicalId: string, env: FakeEnvironment): string {
  switch (type) {
    case 'AWS::SNS::Topic':
      return `arn:${env.partition}:sns:${env.region}:${env.accountId}:${physicalId}`;
    case 'AWS::SQS::Queue':
      return `https://sqs.${env.region}.${env.urlSuffix}/${env.accountId}/${physicalId}`;
    case 'AWS::SecretsManager::Secret':
      // the secret's ARN, with the random suffix Secrets Manager adds to every name.
      return `arn:${env.partition}:secretsmanager:${env.region}:${env.accountId}:secret:${physicalId}-AbCdEf`;
    case 'AWS::IVS::Channel':
      // an IVS channel's ARN, its ID made of the letters and digits the API's ARN pattern allows.
      return `arn:${env.partition}:ivs:${env.region}:${env.accountId}:channel/${physicalId.replace(/[^a-zA-Z0-9]/g, '').slice(-12)}`;
    default:
      return physicalId;
  }
}

/** What `Fn::GetAtt` returns for the resource type and attribute. */
export function fakeAttribute(type: string, physicalId: string, attribute: string, env: FakeEnvironment): string {
  const { partition: p, region: r, accountId: a, urlSuffix: u } = env;
  const byType: Record<string, Record<string, string>> = {
    'AWS::S3::Bucket': {
      Arn: `arn:${p}:s3:::${physicalId}`,
      DomainName: `${physicalId}.s3.${u}`,
      RegionalDomainName: `${physicalId}.s3.${r}.${u}`,
      DualStackDomainName: `${physicalId}.s3.dualstack.${r}.${u}`,
      WebsiteURL: `http://${physicalId}.s3-website-${r}.${u}`,
    },
    'AWS::Lambda::Function': { Arn: lambdaFunctionArn(physicalId, env) },
    'AWS::IAM::Role': { Arn: `arn:${p}:iam::${a}:role/${physicalId}`, RoleId: `AROA${physicalId.replace(/[^A-Z0-9]/gi, '').toUpperCase().slice(-17)}` },
    'AWS::IAM::ManagedPolicy': { PolicyArn: `arn:${p}:iam::${a}:policy/${physicalId}` },
    'AWS::KMS::Key': { Arn: `arn:${p}:kms:${r}:${a}:key/${physicalId}`, KeyId: physicalId },
    'AWS::Logs::LogGroup': { Arn: `arn:${p}:logs:${r}:${a}:log-group:${physicalId}:*` },
    'AWS::SNS::Topic': { TopicArn: fakeRef(type, physicalId, env), TopicName: physicalId },
    'AWS::SQS::Queue': { Arn: `arn:${p}:sqs:${r}:${a}:${physicalId}`, QueueName: physicalId, QueueUrl: fakeRef(type, physicalId, env) },
    'AWS::Events::Rule': { Arn: `arn:${p}:events:${r}:${a}:rule/${physicalId}` },
    'AWS::Events::EventBus': { Arn: `arn:${p}:events:${r}:${a}:event-bus/${physicalId}`, Name: physicalId },
    // a host name, as the distribution's own: `d` and letters and digits of its ID.
    'AWS::CloudFront::Distribution': { DomainName: `d${physicalId.replace(/[^a-zA-Z0-9]/g, '').slice(-13).toLowerCase()}.cloudfront.net` },
  };
  const known = byType[type]?.[attribute];
  if (known !== undefined) {
    return known;
  }
  if (attribute === 'Arn') {
    const [, service, kind] = type.split('::');
    return `arn:${p}:${service.toLowerCase()}:${r}:${a}:${kebab(kind)}/${physicalId}`;
  }
  return `${physicalId}/${attribute}`;
}

export function lambdaFunctionArn(functionName: string, env: FakeEnvironment): string {
  return `arn:${env.partition}:lambda:${env.region}:${env.accountId}:function:${functionName}`;
}

function kebab(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
}
