// The extension host bundle stays small: no Monaco, no webview code beyond the HTML shell.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';

const root = new URL('../../', import.meta.url).pathname;

test('dist/extension.js does not contain Monaco (npm test builds before this phase)', { skip: existsSync(`${root}dist/extension.js`) ? false : 'not built: run node scripts/build.mjs' }, () => {
  const bundle = readFileSync(`${root}dist/extension.js`, 'utf8');
  assert.doesNotMatch(bundle, /monaco/i);
  assert.ok(existsSync(`${root}dist/webview/preview.js`), 'the webview bundle is separate');
});
