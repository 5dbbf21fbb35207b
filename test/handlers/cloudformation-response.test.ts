import { MAX_RESPONSE_BYTES, responseBody } from '../../handlers/provider/cloudformation-response';
import { CustomResourceEvents } from '../support/handler-harness';

const event = new CustomResourceEvents('Custom::IvsRealTimeStage', 'Stage').create({ Request: {} });

describe("the answer's body, within CloudFormation's 4,096 bytes", () => {
  test('carries what CloudFormation reads: status, physical ID, the request it answers, and the attributes', () => {
    expect(JSON.parse(responseBody(event, { Status: 'SUCCESS', PhysicalResourceId: 'arn:aws:ivs:us-east-1:1:stage/a', Data: { Arn: 'x' } })))
      .toEqual({
        Status: 'SUCCESS',
        PhysicalResourceId: 'arn:aws:ivs:us-east-1:1:stage/a',
        StackId: event.StackId,
        RequestId: event.RequestId,
        LogicalResourceId: 'Stage',
        Data: { Arn: 'x' },
      });
  });

  test("a failure's long reason is cut between characters to fit, and says it was cut", () => {
    const body = responseBody(event, { Status: 'FAILED', PhysicalResourceId: 'p', Reason: '🎥'.repeat(3000) });

    expect(Buffer.byteLength(body)).toBeLessThanOrEqual(MAX_RESPONSE_BYTES);
    const reason: string = JSON.parse(body).Reason;
    expect(reason).toMatch(/^(🎥)+\.\.\.$/u);
  });

  test('a success whose attributes do not fit is a failure that says so, rather than one CloudFormation refuses', () => {
    const body = responseBody(event, { Status: 'SUCCESS', PhysicalResourceId: 'p', Data: { Big: 'x'.repeat(5000) } });

    expect(JSON.parse(body)).toMatchObject({
      Status: 'FAILED', Reason: "the Custom::IvsRealTimeStage response's attributes are over CloudFormation's 4096 bytes",
    });
    expect(JSON.parse(body).Data).toBeUndefined();
  });
});
