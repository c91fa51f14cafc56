// PreviewState fixtures for the webview tests, produced by the real engine: the examples/ manifests
// and cluster profile, parsed, modelled, generated and walked exactly as the extension host does
// (buildPreviewState runs generateIptables / toIptablesSave / generateNftables, sourceChoices /
// entryChoices and the Walker). No rule text is written by hand.
//
//   node --import tsx test/webview/fixtures.ts OUT.json
import { readFileSync, writeFileSync } from 'node:fs';
import { parseManifest } from '../../extension/src/engine/manifest/manifest';
import { parseProfile } from '../../extension/src/engine/model/profile';
import { buildClusterModel } from '../../extension/src/engine/model/cluster';
import { generateIptables } from '../../extension/src/engine/proxy/iptables/generator';
import { toIptablesSave } from '../../extension/src/engine/proxy/iptables/save';
import { entryChoices, sourceChoices } from '../../extension/src/engine/walk/choices';
import { buildPreviewState, type PreviewSelection } from '../../extension/src/engine/preview/state';
import { syntheticManifest } from '../bench/synthetic';
import type { PreviewState } from '../../protocol/preview';
import { previewHtml } from '../../webview/src/html';
import { messagesFor } from '../../extension/src/engine/i18n';

const root = new URL('../../', import.meta.url).pathname;
const profileText = readFileSync(root + 'examples/cluster.yaml', 'utf8');
const { profile } = parseProfile(profileText, 'examples/cluster.yaml');

function state(file: string, text: string, selection: Partial<PreviewSelection>, locale: 'en' | 'de' = 'en'): PreviewState {
  const manifest = parseManifest(text, file);
  const model = buildClusterModel(manifest.objects, profile);
  const services = model.services.filter(s => s.obj.fileName === file);
  const sel: PreviewSelection = { service: null, port: 0, node: profile.nodeName, mode: 'iptables', format: 'restore', trace: null, ...selection };
  const st = buildPreviewState({ fileName: file, services, model, profileSource: 'examples/cluster.yaml', problems: manifest.problems.map(p => p.message), messages: messagesFor(locale) }, sel);
  // the engine's own generators agree with what the preview shows
  if (sel.mode === 'iptables') {
    const ruleset = generateIptables({ ...model, services }, { nodeName: sel.node });
    const expected = sel.format === 'save' ? toIptablesSave(ruleset, model.profile.ipFamily) : ruleset.payload;
    if (st.rules.text !== expected) throw new Error(`${file}: rules text differs from the generator's`);
  }
  const focus = services[0];
  if (focus && st.sources.length !== sourceChoices(model, focus, 0).length) throw new Error(`${file}: sources differ`);
  if (focus && st.entries.length !== entryChoices(model, focus, 0).length) throw new Error(`${file}: entries differ`);
  if (sel.trace && !st.walk) throw new Error(`${file}: no walk for ${JSON.stringify(sel.trace)}`);
  return st;
}

const example = (name: string) => ({ file: `examples/${name}.yaml`, text: readFileSync(root + `examples/${name}.yaml`, 'utf8') });

/** Replaces every occurrence of each key in every string of a value (keys, too). */
function replaceStrings<T>(value: T, swaps: [string, string][]): T {
  const swap = (s: string) => swaps.reduce((acc, [from, to]) => acc.split(from).join(to), s);
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return swap(v);
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [swap(k), walk(x)]));
    return v;
  };
  return walk(value) as T;
}

/** Payloads that must show up as text and never run. */
export const XSS = {
  img: '<img src=x onerror="window.__xss=1">',
  script: '<script>window.__xss=2</script>',
  svg: '"><svg onload="window.__xss=3">',
};

// a Service whose selector matches nothing: kube-proxy REJECTs its traffic
const noEndpoints = {
  file: 'examples/no-endpoints.yaml',
  text: `apiVersion: v1
kind: Service
metadata:
  name: orphan
  namespace: shop
spec:
  clusterIP: 10.96.50.50
  selector:
    app: nothing-has-this-label
  ports:
    - name: http
      port: 80
      targetPort: 8080
`,
};

const lb = example('loadbalancer');
const np = example('nodeport-local');
const dns = example('clusterip-dns');

const fixtures: Record<string, PreviewState> = {
  // two endpoints on two nodes, 50/50, masquerade: stepping, branches, DNAT + SNAT
  loadbalancer: state(lb.file, lb.text, { trace: { source: 'external', entry: 'nodePort:node-a' } }),
  loadbalancerNodeB: state(lb.file, lb.text, { node: 'node-b', trace: { source: 'external', entry: 'nodePort:node-a' } }),
  loadbalancerSave: state(lb.file, lb.text, { format: 'save', trace: { source: 'external', entry: 'nodePort:node-a' } }),
  loadbalancerNft: state(lb.file, lb.text, { mode: 'nftables' }),
  loadbalancerIpvs: state(lb.file, lb.text, { mode: 'ipvs' }),
  // externalTrafficPolicy Local: delivered on node-a, dropped on node-b (a step on another node)
  nodeportLocal: state(np.file, np.text, { trace: { source: 'external', entry: 'nodePort:node-a' } }),
  nodeportLocalDrop: state(np.file, np.text, { trace: { source: 'external', entry: 'nodePort:node-b' } }),
  nodeportLocalNoWalk: state(np.file, np.text, {}),
  // the same walk with VS Code in German: the state's locale decides the preview's own labels
  nodeportLocalDe: state(np.file, np.text, { trace: { source: 'external', entry: 'nodePort:node-b' } }, 'de'),
  noEndpoints: state(noEndpoints.file, noEndpoints.text, { trace: { source: 'pod:node-a', entry: 'clusterIP' } }),
  clusteripDns: state(dns.file, dns.text, { trace: { source: 'pod:node-b', entry: 'clusterIP' } }),
  // every string a manifest controls, swapped for markup: names, comments, rules, labels, reasons
  xss: replaceStrings(state(np.file, np.text, { trace: { source: 'external', entry: 'nodePort:node-a' } }), [
    ['shop/web', `shop/${XSS.img}`],
    ['http', `http${XSS.script}`],
    ['Deployment/web', `Deployment/${XSS.svg}`],
    ['examples/nodeport-local.yaml', `examples/${XSS.svg}.yaml`],
  ]),
};
// a long ruleset: 1,000+ rules (-A lines) for the first-paint figure
{
  const rulesIn = (st: PreviewState) => st.rules.text.split('\n').filter(l => l.startsWith('-A ')).length;
  let n = 60;
  let big = state('bench/synthetic.yaml', syntheticManifest(n, 2), {});
  while (rulesIn(big) < 1000) { n += 5; big = state('bench/synthetic.yaml', syntheticManifest(n, 2), {}); }
  fixtures.big = big;
}
fixtures.xss = { ...fixtures.xss, problems: [...fixtures.xss.problems, `a problem mentioning ${XSS.svg} and ${XSS.img}`] };

// the test page: the host's own document (same CSP), served from NATLENS_ORIGIN with NATLENS_NONCE
const origin = process.env['NATLENS_ORIGIN'] ?? 'http://127.0.0.1';
const nonce = process.env['NATLENS_NONCE'] ?? 'dGVzdC1ub25jZQ';
const html = previewHtml({
  scriptUri: `${origin}/dist/webview/preview.js`, styleUri: `${origin}/dist/webview/preview.css`, codiconsUri: `${origin}/dist/webview/codicon.css`,
  nonce, cspSource: origin,
});

const out = process.argv[2];
if (!out) throw new Error('usage: fixtures.ts OUT.json');
writeFileSync(out, JSON.stringify({ fixtures, xss: XSS, html }));
console.log(`fixtures: ${Object.entries(fixtures).map(([k, v]) => `${k} (${v.rules.text.split('\n').length - 1} lines${v.walk ? `, walk ${v.walk.outcomes.length} branch(es)` : ''})`).join(', ')}`);
