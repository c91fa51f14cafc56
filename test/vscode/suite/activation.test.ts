import * as assert from 'assert';
import * as vscode from 'vscode';
import { suite, test, suiteTeardown } from 'mocha';
import { EXTENSION_ID, extension, openFixture, waitFor, closeAllEditors } from './helpers';

suite('activation', () => {
  suiteTeardown(closeAllEditors);

  test('the extension is loaded by VS Code', () => {
    const ids = vscode.extensions.all.map(e => e.id);
    assert.ok(ids.includes(EXTENSION_ID), `${EXTENSION_ID} not among ${ids.length} extensions`);
    const ext = extension();
    assert.ok(
      (ext.packageJSON.activationEvents as string[] | undefined)?.includes('onLanguage:yaml'),
      'package.json activationEvents lacks onLanguage:yaml',
    );
  });

  test('it activates when a YAML file is opened', async () => {
    const ext = extension();
    console.log(`    (active before opening YAML: ${ext.isActive})`);
    const editor = await openFixture('service.yaml');
    assert.strictEqual(editor.document.languageId, 'yaml');
    assert.match(editor.document.getText(), /kind: Service/);
    await waitFor(() => ext.isActive, `${EXTENSION_ID} to activate`, 15000);
    await ext.activate(); // resolves once activate() has finished (throws if it threw)
    assert.strictEqual(ext.isActive, true);
  });
});
