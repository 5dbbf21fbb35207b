// @ts-check
const { LocalDeployment, LocalIvs } = require('cdk-ivs-realtime/testing');

// `cdk synth` wrote the app to cdk.out; `cdk synth --app 'npx tsx update.ts' --output cdk.out.update` its next version.
/** @type {LocalIvs} */
let local;
beforeAll(async () => {
  // compositions stop 100 ms after their stage's last participant has left (IVS: a minute).
  local = await LocalIvs.start({ compositionIdleTimeoutMs: 100 });
});
afterAll(() => local.stop());
// the functions' logs (what CloudWatch Logs would get).
beforeEach(() => jest.spyOn(console, 'log').mockImplementation(() => undefined));

test('the app deploys, composes while a participant publishes, updates, and deletes without a trace', async () => {
  const deployment = new LocalDeployment(local);
  expect((await deployment.deploy('cdk.out')).reason).toBeUndefined();

  const [studio] = [...local.ivs.stages.values()].filter((stage) => stage.name === 'studio');
  const { participant } = await deployment.publish(studio.arn);
  expect([...local.ivs.compositions.values()].map((c) => [c.stageArn, c.state])).toEqual([[studio.arn, 'ACTIVE']]);

  await deployment.leave(participant);
  await new Promise((resolve) => setTimeout(resolve, 500));
  expect([...local.ivs.compositions.values()].map((c) => c.state)).toEqual(['STOPPED']);

  expect((await deployment.deploy('cdk.out.update')).reason).toBeUndefined();
  expect(local.ivs.stages.get(studio.arn)?.tags).toMatchObject({ release: '2' });

  expect((await deployment.destroy()).reason).toBeUndefined();
  expect(local.ivs.resourceCount()).toBe(0);
  await deployment.close();
});
