import * as assert from 'assert';
import * as vscode from 'vscode';
import { suite, test, suiteTeardown } from 'mocha';
import { closeAllEditors, extension, fixtureUri, openFixture, waitFor } from './helpers';

interface WalkResultShape { verdict: string; endpoints: { endpoint: string; node: string }[]; masquerade: boolean; sourceSeenByPod: unknown }
interface PreviewMessage { type: string; state?: { rules: { text: string; node: string }; walk: { verdict: string; outcomes: { hops: { line: number | null }[] }[] } | null; services: { key: string }[] } }

function previewState(): PreviewMessage | undefined {
  return (extension().exports as { previewState(): PreviewMessage | undefined }).previewState();
}

suite('commands and the preview', () => {
  suiteTeardown(closeAllEditors);

  test('Trace Packet walks a NodePort connection across the workspace and shows it in the preview', async () => {
    await openFixture('service.yaml');
    const result = await vscode.commands.executeCommand<WalkResultShape>('natlens.tracePacket', {
      uri: fixtureUri('service.yaml').toString(), service: 'default/web', portIndex: 0, source: 'external', entry: 'nodePort:node-b',
    });
    assert.ok(result, 'the command returned no walk');
    assert.strictEqual(result.verdict, 'DNAT');
    // the Deployment in deployment.yaml (another file) gives one pod per node
    assert.deepStrictEqual(result.endpoints.map(e => e.node).sort(), ['node-a', 'node-b']);
    assert.strictEqual(result.masquerade, true);
    assert.deepStrictEqual(result.sourceSeenByPod, { '10.244.0.10:8080': '192.168.0.3', '10.244.1.10:8080': '10.244.1.1' });
    const shown = await waitFor(() => { const m = previewState(); return m?.state?.walk ? m : undefined; }, 'the walk in the preview');
    assert.strictEqual(shown.state!.walk!.verdict, 'DNAT');
  });

  test('Preview DNAT Rules opens the panel for the Service, and an edit to the manifest updates it', async () => {
    const editor = await openFixture('service.yaml');
    const payload = await vscode.commands.executeCommand<string>('natlens.previewRules', { uri: editor.document.uri.toString() });
    assert.ok(payload, 'no rules came back');
    assert.match(payload, /-A KUBE-NODEPORTS -m comment --comment default\/web:http -m tcp -p tcp --dport 30080 -j KUBE-EXT-/);
    const tab = vscode.window.tabGroups.all.flatMap(g => g.tabs).find(t => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith('natlens.preview'));
    assert.ok(tab, 'no NAT Lens preview tab is open');
    await editor.edit(b => b.replace(new vscode.Range(editor.document.positionAt(editor.document.getText().indexOf('30080')), editor.document.positionAt(editor.document.getText().indexOf('30080') + 5)), '30099'));
    await waitFor(() => previewState()?.state?.rules.text.includes('--dport 30099'), 'the preview to follow the edit');
    await vscode.commands.executeCommand('workbench.action.files.revert');
  });

  test('both commands are in the command palette', async () => {
    const all = await vscode.commands.getCommands(true);
    for (const id of ['natlens.tracePacket', 'natlens.previewRules']) assert.ok(all.includes(id), id);
  });
});
