// A node dump opened in a real VS Code: recognised by its content (a .txt file), hovers on its rules,
// a CodeLens per Service, "Trace Packet on this node", and "Compare with prediction".
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

  test('Compare with prediction: a diff editor between the workspace\'s prediction and the node\'s kube-proxy rules, each difference explained', async () => {
    const editor = await openFixture('node-b-iptables.txt');
    const doc = await waitFor(() => vscode.workspace.textDocuments.find(d => d.uri.toString() === editor.document.uri.toString() && d.languageId === 'iptables'), 'the iptables language on the dump');
    const lens = await waitFor(async () => {
      const ls = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', doc.uri);
      return ls?.find(l => l.command?.command === 'natlens.compareWithPrediction');
    }, 'the Compare with prediction CodeLens');
    assert.strictEqual(lens.command!.title, 'Compare with prediction');
    const result = await vscode.commands.executeCommand<{ node: string; left: string; right: string }>('natlens.compareWithPrediction', ...lens.command!.arguments!);
    assert.ok(result, 'the command returned nothing');
    // the prompt root@node-a names the profile's node
    assert.strictEqual(result.node, 'node-a');
    const tab = await waitFor(() => vscode.window.tabGroups.all.flatMap(g => g.tabs).find(t => t.input instanceof vscode.TabInputTextDiff && t.input.modified.toString() === result.right), 'the diff tab');
    const input = tab.input as vscode.TabInputTextDiff;
    assert.strictEqual(input.original.toString(), result.left);
    assert.strictEqual(tab.label, 'node-b-iptables.txt: predicted for node-a ↔ on the node');
    // both sides are editors the explanations are drawn in
    await waitFor(() => [result.left, result.right].every(u => vscode.window.visibleTextEditors.some(e => e.document.uri.toString() === u)), `both sides visible (${vscode.window.visibleTextEditors.map(e => e.document.uri.toString()).join(', ')})`);
    const left = await vscode.workspace.openTextDocument(input.original);
    const right = await vscode.workspace.openTextDocument(input.modified);
    // both sides in one rendering: the rules both have are the same lines
    const both = '-A KUBE-SEP-3MRQQDVYO2GBIBDV -p tcp -m comment --comment "default/web:http" -m tcp -j DNAT --to-destination 10.244.0.10:8080';
    assert.ok(left.getText().includes(both) && right.getText().includes(both));
    assert.match(left.getText(), /--to-destination 10\.244\.1\.10:8080/);
    assert.doesNotMatch(right.getText(), /KUBE-SEP-GWQABTP5GBYXHJY5/);
    assert.match(right.getText(), /default\/old:http/);
    // flannel's chain is not kube-proxy's: it is not compared
    assert.doesNotMatch(right.getText(), /FLANNEL/);
    const hover = async (d: vscode.TextDocument, needle: string) => (await hoverTexts(d.uri, positionOf(d, needle))).join('\n');
    assert.match(await hover(right, '-d 10.96.7.7/32'), /\*\*extra\*\* \(default\/old:http\): stale: default\/old:http is not in the manifests/);
    assert.match(await hover(left, 'KUBE-SEP-GWQABTP5GBYXHJY5 -p tcp'), /\*\*missing\*\* \(default\/web:http\): endpoint 10\.244\.1\.10:8080 is missing on the node/);
    assert.match(await hover(right, '"default/web:http -> 10.244.0.10:8080" -j'), /\*\*different\*\*.*another load-balancing share: the node sends all .* the prediction a share of 0\.50000000000/);
  });
});
