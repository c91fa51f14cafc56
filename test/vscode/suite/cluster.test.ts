// Connect to Cluster in a real VS Code, against the reference cluster (`npm run reference -- --keep`:
// the real kube-apiserver with test/fixtures/cluster's nodes and Service): the status bar names the
// cluster, a hover names a node of that cluster, the manifest-vs-live difference is an information
// diagnostic, and after Disconnect the answers are the profile's again. Skipped where the reference
// cluster cannot run (no Go, not root).
import * as assert from 'assert';
import { spawn, type ChildProcess } from 'child_process';
import * as path from 'path';
import * as vscode from 'vscode';
import { suite, suiteSetup, suiteTeardown, test } from 'mocha';
import { referenceUnavailable } from '../../reference/build';
import { closeAllEditors, extension, hoverTexts, openText, positionOf, waitFor, waitForDiagnostics } from './helpers';

/** The repository: this bundle is out/test/vscode/cluster.test.js. */
const ROOT = path.resolve(__dirname, '..', '..', '..');
const FIXTURE = path.join(ROOT, 'test', 'fixtures', 'cluster');

const EDITOR_COPY = `apiVersion: v1
kind: Service
metadata: { name: web-public, namespace: shop }
spec: { type: NodePort, externalTrafficPolicy: Local, selector: { app: web }, ports: [{ port: 80, targetPort: 8080 }] }
`;

suite('Connect to Cluster (reference cluster)', function () {
  this.timeout(600_000);
  const unavailable = referenceUnavailable();
  let reference: ChildProcess | null = null;
  let kubeconfig = '';

  suiteSetup(async function () {
    if (unavailable) { console.log(`reference cluster unavailable, skipping: ${unavailable}`); this.skip(); }
    // the harness's own cache of the built binary (run.sh points XDG_CACHE_HOME at the run's temp dir)
    const { XDG_CACHE_HOME: _run, ...env } = process.env;
    reference = spawn('node', ['--import', 'tsx', path.join(ROOT, 'test', 'reference', 'cli.ts'), '--keep', '--cluster', path.join(FIXTURE, 'profile.yaml'), path.join(FIXTURE, 'shop.yaml')],
      { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '', err = '';
    reference.stdout!.on('data', (d: Buffer) => { out += d.toString(); });
    reference.stderr!.on('data', (d: Buffer) => { err += d.toString(); });
    kubeconfig = await waitFor(() => {
      if (reference!.exitCode !== null) throw new Error(`npm run reference -- --keep exited ${reference!.exitCode}: ${err.slice(-2000)}`);
      return /kubeconfig: (\S+)/.exec(out)?.[1];
    }, 'the reference cluster\'s kubeconfig', 540_000, 500);
  });

  suiteTeardown(async () => {
    await vscode.commands.executeCommand('natlens.disconnectCluster');
    await closeAllEditors();
    if (reference && reference.exitCode === null) {
      const exited = new Promise(r => reference!.once('exit', r));
      reference.kill('SIGTERM');
      await Promise.race([exited, new Promise(r => setTimeout(r, 30_000))]);
    }
  });

  test('connect, a hover naming a node of the cluster, the live difference, disconnect', async () => {
    const editor = await openText(EDITOR_COPY);
    const doc = editor.document;
    const api = await extension().activate() as { clusterStatus(): string | undefined };
    const name = await vscode.commands.executeCommand<string | undefined>('natlens.connectCluster', { kubeconfig, context: 'reference' });
    assert.strictEqual(name, 'reference');
    assert.match(api.clusterStatus() ?? '', /^\$\(cloud\) reference · /);

    const hover = await waitFor(async () => {
      const text = (await hoverTexts(doc.uri, positionOf(doc, 'Service', 2))).join('\n');
      return /ref-b/.test(text) ? text : undefined;
    }, 'a hover that names the cluster\'s node ref-b', 30_000);
    assert.match(hover, /In cluster reference \(snapshot /);
    assert.match(hover, /ref-a/);

    const diagnostics = await waitForDiagnostics(doc.uri, ds => ds.some(d => d.code === 'live-differs'), 30_000);
    const drift = diagnostics.filter(d => d.code === 'live-differs');
    assert.deepStrictEqual(drift.map(d => d.severity), [vscode.DiagnosticSeverity.Information]);
    assert.match(drift[0]!.message, /In cluster reference \(snapshot .*\), spec\.externalTrafficPolicy of Service shop\/web-public is Cluster; this file says Local\./);
    assert.ok(diagnostics.filter(d => d.code !== 'live-differs' && typeof d.code === 'object').every(d => d.message.startsWith('in cluster reference: ')), 'every finding says which cluster it is for');

    await vscode.commands.executeCommand('natlens.disconnectCluster');
    assert.strictEqual(api.clusterStatus(), undefined);
    const after = await waitFor(async () => {
      const text = (await hoverTexts(doc.uri, positionOf(doc, 'Service', 2))).join('\n');
      return text && !/ref-b|In cluster/.test(text) ? text : undefined;
    }, 'the hover without the cluster', 30_000);
    assert.doesNotMatch(after, /reference/);
    await waitForDiagnostics(doc.uri, ds => !ds.some(d => d.code === 'live-differs'), 30_000);
  });
});
