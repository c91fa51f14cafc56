import * as assert from 'assert';
import * as vscode from 'vscode';
import { suite, test, suiteTeardown } from 'mocha';
import { closeAllEditors, fixtureUri, openFixture, waitFor } from './helpers';

interface WalkResultShape { verdict: string; endpoints: { endpoint: string; node: string }[]; masquerade: boolean; sourceSeenByPod: unknown }

suite('commands', () => {
  suiteTeardown(closeAllEditors);

  test('Trace Packet walks a NodePort connection across the workspace and shows the walk', async () => {
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
    const shown = await waitFor(() => vscode.window.visibleTextEditors.find(e => e.document.uri.scheme === 'natlens'), 'the walk document');
    assert.match(shown.document.getText(), /verdict: DNAT, masqueraded/);
    assert.match(shown.document.getText(), /node-b PREROUTING nat\/KUBE-NODEPORTS/);
  });

  test('Preview DNAT Rules opens the payload for the Service in the editor', async () => {
    await openFixture('service.yaml');
    const payload = await vscode.commands.executeCommand<string>('natlens.previewRules', { uri: fixtureUri('service.yaml').toString() });
    assert.ok(payload);
    assert.match(payload, /-A KUBE-NODEPORTS -m comment --comment default\/web:http -m tcp -p tcp --dport 30080 -j KUBE-EXT-/);
    const shown = await waitFor(() => vscode.window.visibleTextEditors.find(e => e.document.uri.path.endsWith('.rules')), 'the rules document');
    assert.match(shown.document.getText(), /^# iptables-restore payload kube-proxy writes on node-a/);
  });

  test('both commands are in the command palette', async () => {
    const all = await vscode.commands.getCommands(true);
    for (const id of ['natlens.tracePacket', 'natlens.previewRules']) assert.ok(all.includes(id), id);
  });
});
