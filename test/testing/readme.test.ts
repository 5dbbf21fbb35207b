import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.join(__dirname, '..', '..');

test('the README\'s offline test is the one the install test runs in a fresh app (test/install/app/offline.test.js)', () => {
  const section = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8').split('\n## Testing your app offline\n')[1]?.split('\n## ')[0] ?? '';
  const [, example] = /\n```js\n([\s\S]*?)```\n/.exec(section) ?? [];

  expect(example).toEqual(fs.readFileSync(path.join(ROOT, 'test', 'install', 'app', 'offline.test.js'), 'utf8'));
});
