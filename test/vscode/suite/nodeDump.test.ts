// A node dump opened in a real VS Code: recognised by its content (a .txt file), hovers on its rules,
// a CodeLens per Service, and "Trace Packet on this node".
import * as assert from 'assert';
import * as vscode from 'vscode';
import { suite, test, suiteTeardown } from 'mocha';
import { closeAllEditors, hoverTexts, openFixture, positionOf, waitFor } from './helpers';

suite('node dumps', () => {
  suiteTeardown(closeAllEditors);

  test('a pasted iptables-save in a .txt file gets the iptables language, hovers and a CodeLens per Service', async () => {
    const editor = await openFixture('node-a-iptables.txt');
    const doc = await waitFor(() => vscode.workspace.textDocuments.find(d => d.uri.toString() === editor.document.uri.toString() && d.languageId === 'iptables'), 'the iptables language on the dump');
    const hover = await waitFor(async () => {
      const t = (await hoverTexts(doc.uri, positionOf(doc, '-j DNAT --to-destination 10.244.1.5:8080'))).join('\n');
      return t.includes('owner') ? t : undefined;
    }, 'the node dump hover');
    assert.match(hover, /nat KUBE-SEP-AAAAAAAAAAAAAAAA\*\* — owner: kube-proxy/);
    assert.match(hover, /Service: `default\/web:http`/);
    assert.match(hover, /endpoint: `10\.244\.1\.5:8080`/);
    assert.match(hover, /counters: 3 packets, 180 bytes/);
    const lenses = await waitFor(async () => {
      const ls = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', doc.uri);
      return ls?.filter(l => l.command?.command === 'natlens.traceOnNode').length ? ls : undefined;
    }, 'the node dump CodeLens');
    const trace = lenses.filter(l => l.command?.command === 'natlens.traceOnNode');
    assert.deepStrictEqual(trace.map(l => [l.range.start.line, l.command!.title]), [[8, 'Trace Packet on this node (default/web:http)']]);
  });

  test('Trace Packet on this node: the walk through the dump\'s own rules, both endpoints', async () => {
    const editor = await openFixture('node-a-iptables.txt');
    const report = await vscode.commands.executeCommand<{ verdict: string; endpoints: { endpoint: string }[] }>('natlens.traceOnNode', { uri: editor.document.uri.toString(), line: 8, source: 'external' });
    assert.ok(report, 'the command returned no report');
    assert.strictEqual(report.verdict, 'ACCEPT');
    assert.deepStrictEqual(report.endpoints.map(e => e.endpoint), ['10.244.1.5:8080', '10.244.2.7:8080']);
    const shown = await waitFor(() => vscode.window.visibleTextEditors.find(e => e.document.uri.scheme === 'natlens' && e.document.getText().includes('DNAT to 10.244.1.5:8080')), 'the trace document');
    assert.match(shown.document.getText(), /^entered: KUBE-SERVICES\nverdict: ACCEPT\nservice: default\/web:http/);
  });
});
