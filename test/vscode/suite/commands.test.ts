import * as assert from 'assert';
import * as vscode from 'vscode';
import { suite, test, suiteTeardown } from 'mocha';
import { closeAllEditors, extension, fixtureUri, openFixture, waitFor } from './helpers';

interface WalkResultShape { verdict: string; endpoints: { endpoint: string; node: string }[]; masquerade: boolean; sourceSeenByPod: unknown }
interface PreviewMessage { type: string; state?: { rules: { text: string; node: string }; walk: { verdict: string; outcomes: { hops: { line: number | null }[] }[] } | null; services: { key: string }[]; selectedService: string | null } }

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
    // Calico (ippool.yaml): the local pod's link has no address either, so both pods see node-b's
    assert.deepStrictEqual(result.sourceSeenByPod, '192.168.0.3');
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

  test('the preview follows the Service under the cursor, and keeps it and the walk through an edit', async () => {
    const editor = await openFixture('two.yaml');
    await vscode.commands.executeCommand('natlens.previewRules', { uri: editor.document.uri.toString() });
    const at = (needle: string) => { const p = editor.document.positionAt(editor.document.getText().indexOf(needle)); editor.selection = new vscode.Selection(p, p); };
    at('name: beta');
    await waitFor(() => previewState()?.state?.selectedService === 'default/beta', 'the preview to select beta');
    assert.match(previewState()!.state!.rules.text, /default\/beta:http cluster IP/);
    assert.doesNotMatch(previewState()!.state!.rules.text, /default\/alpha/);
    at('name: alpha');
    await waitFor(() => previewState()?.state?.selectedService === 'default/alpha', 'the preview to select alpha');
    // a walk, then an edit of the other Service: the selection and the walk stay
    await vscode.commands.executeCommand('natlens.tracePacket', { uri: editor.document.uri.toString(), service: 'default/alpha', portIndex: 0, source: 'node:node-a', entry: 'clusterIP' });
    await waitFor(() => previewState()?.state?.walk?.verdict === 'DNAT', 'the walk in the preview');
    const stale = previewState()!;
    assert.ok(await editor.edit(b => b.replace(new vscode.Range(editor.document.positionAt(editor.document.getText().indexOf('port: 82')), editor.document.positionAt(editor.document.getText().indexOf('port: 82') + 8)), 'port: 83')));
    await waitFor(() => previewState() !== stale, 'the preview to update after the edit');
    assert.strictEqual(previewState()!.state!.rules.text, stale.state!.rules.text, 'alpha\'s rules are unchanged');
    assert.strictEqual(previewState()!.state!.selectedService, 'default/alpha');
    assert.strictEqual(previewState()!.state!.walk!.verdict, 'DNAT');
    await vscode.commands.executeCommand('workbench.action.files.revert');
  });

  test('both commands are in the command palette', async () => {
    const all = await vscode.commands.getCommands(true);
    for (const id of ['natlens.tracePacket', 'natlens.previewRules']) assert.ok(all.includes(id), id);
  });
});
