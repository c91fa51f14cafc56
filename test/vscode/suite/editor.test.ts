// Hovers, diagnostics, code actions and CodeLenses inside a real VS Code extension host.
import * as assert from 'assert';
import * as vscode from 'vscode';
import { suite, test, suiteTeardown } from 'mocha';
import { closeAllEditors, codeActions, fixtureUri, hoverTexts, openFixture, positionOf, waitForDiagnostics, waitFor } from './helpers';

suite('editor features', () => {
  suiteTeardown(closeAllEditors);

  test('an API-invalid Service gets the API server\'s error, with rule id, documentation and exact range', async () => {
    const editor = await openFixture('invalid.yaml');
    const ds = await waitForDiagnostics(editor.document.uri, ds => ds.some(d => d.source === 'natlens'));
    const d = ds.find(x => (x.code as { value: string }).value === 'etp-not-external');
    assert.ok(d, JSON.stringify(ds.map(x => x.message)));
    assert.strictEqual(d.severity, vscode.DiagnosticSeverity.Error);
    assert.strictEqual(d.message, 'spec.externalTrafficPolicy: Invalid value: "Local": may only be set for externally-accessible services');
    assert.deepStrictEqual([d.range.start.line, d.range.start.character, d.range.end.line, d.range.end.character], [7, 25, 7, 30]);
    assert.match((d.code as { target: vscode.Uri }).target.path, /docs\/diagnostics\.md$/);
    assert.strictEqual((d.code as { target: vscode.Uri }).target.fragment, 'etp-not-external');
  });

  test('quick fixes: the preferred fix, disable for this line, show documentation; the edit removes the error', async () => {
    const editor = await openFixture('invalid.yaml');
    const ds = await waitForDiagnostics(editor.document.uri, ds => ds.some(d => d.source === 'natlens'));
    const d = ds.find(x => (x.code as { value: string }).value === 'etp-not-external')!;
    const actions = await codeActions(editor.document.uri, d.range, vscode.CodeActionKind.QuickFix.value);
    const titles = actions.map(a => a.title);
    assert.ok(titles.includes('Disable etp-not-external for this line'), JSON.stringify(titles));
    assert.ok(titles.includes('Show documentation for etp-not-external'), JSON.stringify(titles));
    const fix = actions.find(a => a.title.startsWith('Remove externalTrafficPolicy'));
    assert.ok(fix && fix.isPreferred && fix.edit, JSON.stringify(titles));
    assert.ok(await vscode.workspace.applyEdit(fix.edit));
    assert.ok(!editor.document.getText().includes('externalTrafficPolicy'));
    assert.match(editor.document.getText(), /# A ClusterIP Service[^\n]*\napiVersion: v1\nkind: Service\nmetadata:\n  name: internal\n  namespace: default\nspec:\n  selector:/);
    await waitForDiagnostics(editor.document.uri, ds => !ds.some(x => (x.code as { value?: string } | undefined)?.value === 'etp-not-external'));
    await vscode.commands.executeCommand('workbench.action.files.revert');
  });

  test('hover on externalTrafficPolicy explains this Service from walks, with command links', async () => {
    const editor = await openFixture('service.yaml');
    const texts = await waitFor(async () => {
      const t = (await hoverTexts(editor.document.uri, positionOf(editor.document, 'externalTrafficPolicy', 2))).join('\n');
      return t.includes('externalTrafficPolicy') ? t : undefined;
    }, 'the NAT Lens hover');
    assert.match(texts, /externalTrafficPolicy: Cluster — external traffic is spread over every endpoint and SNATed/);
    assert.match(texts, /via NodePort 30080 on node-a: DNAT to 10\.244\.0\.10:8080 \(node-a\) 50%, 10\.244\.1\.10:8080 \(node-b\) 50%; \*\*SNAT\*\*/);
    assert.match(texts, /Cilium/);
    assert.match(texts, /command:natlens\.previewRules/);
    assert.match(texts, /command:natlens\.tracePacket/);
  });

  test('NAT consequence diagnostic, its fix and the policy refactors', async () => {
    const editor = await openFixture('service.yaml');
    const ds = await waitForDiagnostics(editor.document.uri, ds => ds.some(d => (d.code as { value?: string } | undefined)?.value === 'client-ip-lost'));
    const d = ds.find(x => (x.code as { value: string }).value === 'client-ip-lost')!;
    assert.strictEqual(d.severity, vscode.DiagnosticSeverity.Information);
    // ippool.yaml makes the pod network Calico's: its pod links carry no address, so a pod on the
    // entry node sees the node's address as well as a pod behind it (pool mode Never: routed)
    assert.match(d.message, /entering node-a, the pod sees 192\.168\.0\.2; entering node-b, the pod sees 192\.168\.0\.3/);
    const refactors = await codeActions(editor.document.uri, new vscode.Range(d.range.start, d.range.start), vscode.CodeActionKind.RefactorRewrite.value);
    assert.ok(refactors.some(a => a.title.startsWith('Preserve client IP (externalTrafficPolicy: Local)')), JSON.stringify(refactors.map(a => a.title)));
  });

  test('CodeLens above the Service summarises its NAT and opens preview and trace', async () => {
    const editor = await openFixture('service.yaml');
    const lenses = await waitFor(async () => {
      const l = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', editor.document.uri);
      return l && l.some(x => x.command?.title.startsWith('NAT:')) ? l : undefined;
    }, 'CodeLenses');
    assert.deepStrictEqual(lenses.map(l => l.command?.title), ['NAT: 2 ready endpoints · external: SNAT, client IP lost', 'Trace a packet']);
    assert.deepStrictEqual(lenses.map(l => l.command?.command), ['natlens.previewRules', 'natlens.tracePacket']);
  });

  test('a UTF-16 manifest gets one located message naming its encoding, not "Not a Kubernetes object"', async () => {
    const text = 'apiVersion: v1\nkind: Service\nmetadata: {name: wide}\nspec: {clusterIP: 10.96.0.77, ports: [{port: 80}]}\n';
    const bytes = new Uint8Array(2 + text.length * 2);
    bytes.set([0xff, 0xfe]);
    for (let i = 0; i < text.length; i++) { bytes[2 + 2 * i] = text.charCodeAt(i); bytes[3 + 2 * i] = 0; }
    const uri = fixtureUri('utf16.yaml');
    await vscode.workspace.fs.writeFile(uri, bytes);
    try {
      const doc = await vscode.workspace.openTextDocument(uri);
      await vscode.window.showTextDocument(doc);
      const ds = await waitForDiagnostics(uri, ds => ds.some(d => d.code === 'file-encoding'));
      const d = ds.find(x => x.code === 'file-encoding')!;
      assert.match(d.message, /^This file is UTF-16 LE.*, not UTF-8: NAT Lens reads manifests as UTF-8\. Save it as UTF-8 to analyse it$/);
      assert.deepStrictEqual([d.range.start.line, d.range.start.character], [0, 0]);
      assert.ok(!ds.some(x => /Not a Kubernetes object/.test(x.message)), JSON.stringify(ds.map(x => x.message)));
    } finally {
      await closeAllEditors();
      await vscode.workspace.fs.delete(uri);
    }
  });

  test('severity is configurable per rule', async () => {
    const config = vscode.workspace.getConfiguration('natlens', fixtureUri('service.yaml'));
    await config.update('severity', { 'client-ip-lost': 'warning' }, vscode.ConfigurationTarget.Workspace);
    try {
      const editor = await openFixture('service.yaml');
      await waitForDiagnostics(editor.document.uri, ds => ds.some(d => (d.code as { value?: string } | undefined)?.value === 'client-ip-lost' && d.severity === vscode.DiagnosticSeverity.Warning));
    } finally {
      await config.update('severity', undefined, vscode.ConfigurationTarget.Workspace);
    }
  });

  test('the profile\'s proxyMode counts while natlens.proxyMode is unset; a set natlens.proxyMode wins', async () => {
    const hover = async (mode: RegExp) => {
      const editor = await openFixture('service.yaml');
      return waitFor(async () => {
        const t = (await hoverTexts(editor.document.uri, positionOf(editor.document, 'externalTrafficPolicy', 2))).join('\n');
        return mode.test(t) ? t : undefined;
      }, `a hover that says ${mode}`);
    };
    const profile = await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(fixtureUri('cluster.yaml')));
    try {
      // an unsaved edit of the open profile counts
      assert.ok(await profile.edit(e => e.insert(new vscode.Position(1, 0), 'proxyMode: nftables\n')));
      assert.match(await hover(/\*nftables mode\*/), /walks above ran on its rules/);
      const config = vscode.workspace.getConfiguration('natlens', fixtureUri('service.yaml'));
      await config.update('proxyMode', 'ipvs', vscode.ConfigurationTarget.Workspace);
      try {
        assert.match(await hover(/\*IPVS mode\*/), /virtual servers bound on kube-ipvs0/);
      } finally {
        await config.update('proxyMode', undefined, vscode.ConfigurationTarget.Workspace);
      }
    } finally {
      await vscode.window.showTextDocument(profile.document);
      await vscode.commands.executeCommand('workbench.action.files.revert');
    }
    await hover(/externalTrafficPolicy: Cluster/);
    assert.doesNotMatch(await hover(/externalTrafficPolicy: Cluster/), /nftables mode|IPVS mode/);
  });
});

suite('egress and debug commands', () => {
  suiteTeardown(closeAllEditors);

  test('hover on a Calico IPPool natOutgoing says which destinations see the node address', async () => {
    const editor = await openFixture('ippool.yaml');
    const text = await waitFor(async () => {
      const t = (await hoverTexts(editor.document.uri, positionOf(editor.document, 'natOutgoing: true', 2))).join('\n');
      return /node/i.test(t) ? t : undefined;
    }, 'the egress hover');
    assert.match(text, /natOutgoing/);
  });

  test('"Show Commands to Check a Service on a Node" fills in the Service\'s chains and addresses', async () => {
    const editor = await openFixture('service.yaml');
    const text = await vscode.commands.executeCommand<string>('natlens.debugCommands', { uri: editor.document.uri.toString(), service: 'default/web' });
    assert.ok(text);
    assert.match(text, /Check default\/web on node node-a \(iptables mode\)/);
    assert.match(text, /iptables -t nat -L KUBE-(SVC|EXT)-\w{16} -n -v/);
  });
});

suite('NetworkPolicy meets SNAT', () => {
  suiteTeardown(closeAllEditors);

  test('an ipBlock for clients behind a masquerading Service is flagged, and the fix edits the Service\'s file', async () => {
    const editor = await openFixture('policy.yaml');
    const ds = await waitForDiagnostics(editor.document.uri, ds => ds.some(d => (d.code as { value?: string } | undefined)?.value === 'policy-ip-block-behind-snat'));
    const d = ds.find(x => (x.code as { value: string }).value === 'policy-ip-block-behind-snat')!;
    assert.deepStrictEqual([d.range.start.line, d.range.start.character, d.range.end.line, d.range.end.character], [14, 18, 14, 32]);
    assert.match(d.message, /through Service default\/web \(NodePort 30080\), whose external traffic is masqueraded/);
    const actions = await codeActions(editor.document.uri, d.range, vscode.CodeActionKind.QuickFix.value);
    const fix = actions.find(a => a.title.startsWith('Keep the client address'));
    assert.ok(fix?.edit, JSON.stringify(actions.map(a => a.title)));
    assert.ok(await vscode.workspace.applyEdit(fix.edit));
    const service = await vscode.workspace.openTextDocument(fixtureUri('service.yaml'));
    assert.match(service.getText(), /externalTrafficPolicy: Local/);
    await vscode.window.showTextDocument(service);
    await vscode.commands.executeCommand('workbench.action.files.revert');
  });

  test('an egress ipBlock that Calico masquerades is flagged, and the fix exempts it with a disabled IPPool in ippool.yaml', async () => {
    const rule = 'policy-egress-ip-block-snat';
    const isRule = (d: vscode.Diagnostic) => (d.code as { value?: string } | undefined)?.value === rule;
    const editor = await openFixture('policy.yaml');
    const d = (await waitForDiagnostics(editor.document.uri, ds => ds.some(isRule))).find(isRule)!;
    assert.deepStrictEqual([d.range.start.line, d.range.start.character, d.range.end.line, d.range.end.character], [30, 18, 30, 33]);
    assert.strictEqual(d.severity, vscode.DiagnosticSeverity.Information);
    assert.match(d.message, /default-ipv4-ippool has natOutgoing: true/);
    assert.match(d.message, /arrives from 192\.168\.0\.2 \(pods on node-a\), 192\.168\.0\.3 \(pods on node-b\)/);
    const actions = await codeActions(editor.document.uri, d.range, vscode.CodeActionKind.QuickFix.value);
    const fix = actions.find(a => a.title.startsWith('Exempt 198.51.100.0/24 from natOutgoing'));
    assert.ok(fix?.edit, JSON.stringify(actions.map(a => a.title)));
    assert.ok(await vscode.workspace.applyEdit(fix.edit));
    const pools = await vscode.workspace.openTextDocument(fixtureUri('ippool.yaml'));
    assert.match(pools.getText(), /name: no-nat-198-51-100-0-24\nspec:\n  cidr: 198\.51\.100\.0\/24\n  disabled: true\n$/);
    // the unsaved pool already counts: the finding goes away
    await waitForDiagnostics(editor.document.uri, ds => !ds.some(isRule));
    await vscode.window.showTextDocument(pools);
    await vscode.commands.executeCommand('workbench.action.files.revert');
  });
});
