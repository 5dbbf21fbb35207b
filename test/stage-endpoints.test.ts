/**
 * Stage endpoints go stale: IVS's API reference (StageEndpoints) allows caching them for at most 14 days. The stage's
 * endpoint attributes say so, and the README's run-time snippet, which reads them with GetStage and again after a day,
 * works against the fake IVS as written (it is extracted from the README, compiled and run here).
 */
import * as fs from 'fs';
import * as path from 'path';
import { CreateStageCommand, IVSRealTimeClient } from '@aws-sdk/client-ivs-realtime';
import * as ts from 'typescript';
import { useFakeIvs } from './support/handler-harness';

const ROOT = path.join(__dirname, '..');
const fake = useFakeIvs();

/** The README's code block that defines `stageEndpoints`, (JavaScript, as run-time code is shown), compiled to a module and loaded. */
function readmeSnippet(): { stageEndpoints: (stageArn: string) => Promise<Record<string, string>> } {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const blocks = [...readme.matchAll(/```js\n([\s\S]*?)```/g)].map((match) => match[1]).filter((code) => code.includes('export async function stageEndpoints'));
  expect(blocks).toHaveLength(1);
  const { outputText } = ts.transpileModule(blocks[0], { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 } });
  const module = { exports: {} as any };
  new Function('require', 'module', 'exports', outputText)(require, module, module.exports);
  return module.exports;
}

describe('stage endpoints', () => {
  test.each(['stageWhipEndpoint', 'stageRtmpEndpoint', 'stageRtmpsEndpoint', 'stageEventsEndpoint'])(
    'the %s attribute documents that it may be cached for at most 14 days (API.md, from the assembly)', (attribute) => {
      const api = fs.readFileSync(path.join(ROOT, 'API.md'), 'utf8');
      const section = api.split(`id="cdk-ivs-realtime.Stage.property.${attribute}"></a>`)[1]?.split('\n#####')[0] ?? '';
      expect(section).toMatch(/for at most 14 days/);
      expect(section).toMatch(/GetStage at run time/);
    });

  test("the README's snippet reads the endpoints with GetStage, keeps them a day, then reads them again", async () => {
    const { stage } = await new IVSRealTimeClient({}).send(new CreateStageCommand({}));
    const { stageEndpoints } = readmeSnippet();
    const now = jest.spyOn(Date, 'now').mockReturnValue(1_000_000);

    expect(await stageEndpoints(stage!.arn!)).toEqual(stage!.endpoints);
    now.mockReturnValue(1_000_000 + 23 * 3600_000);
    await stageEndpoints(stage!.arn!);
    expect(fake().callsTo('GetStage')).toHaveLength(1);

    now.mockReturnValue(1_000_000 + 25 * 3600_000);
    expect((await stageEndpoints(stage!.arn!)).whip).toMatch(/^https:\/\//);
    expect(fake().callsTo('GetStage')).toHaveLength(2);
  });
});
