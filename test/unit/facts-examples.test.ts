// The examples of issue 11, each now stated truly, in every mode where it applies: what the surfaces
// said against the walk before, and what they say now that they render the walk's facts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseManifest, type ManifestFile } from '../../extension/src/engine/manifest/manifest';
import { parseProfile, withProxyMode, type ClusterProfile, type ProxyMode } from '../../extension/src/engine/model/profile';
import { buildClusterModel, type ClusterModel } from '../../extension/src/engine/model/cluster';
import { serviceLenses } from '../../extension/src/engine/findings/codelens';
import { hoverAt, hoverMarkdown } from '../../extension/src/engine/findings/hover';
import { walkerFor } from '../../extension/src/engine/walk/walk';
import { formatWalk } from '../../extension/src/engine/walk/format';
import { analyzeFile } from '../../extension/src/engine/findings/analyze';
import { debugCommands } from '../../extension/src/engine/debug';
import { serviceFacts } from '../../extension/src/engine/facts/service';
import { localPolicyFacts, localPolicyMessage } from '../../extension/src/engine/facts/diagnostics';
import { messagesFor } from '../../extension/src/engine/i18n';

const root = new URL('../../', import.meta.url).pathname;
const base = parseProfile(readFileSync(`${root}examples/cluster.yaml`, 'utf8')).profile;
const MODES: readonly ProxyMode[] = ['iptables', 'nftables', 'ipvs'];

function setup(text: string, mode: ProxyMode, patch: Partial<ClusterProfile> = {}): { file: ManifestFile; model: ClusterModel; hover: (needle: string) => string; lens: string } {
  const file = parseManifest(text, 'svc.yaml');
  const model = buildClusterModel(file.objects, { ...withProxyMode(base, mode), ...patch });
  const hover = (needle: string) => {
    const h = hoverAt(file, text.indexOf(needle) + 1, model);
    assert.ok(h, `a hover at ${needle}`);
    return hoverMarkdown(h);
  };
  return { file, model, hover, lens: serviceLenses(file, model)[0]!.title };
}

const deployment = (replicas: number, nodeSelector = '') => `---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: t}
spec:
  replicas: ${replicas}
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {${nodeSelector}containers: [{name: web, image: x, ports: [{containerPort: 8080}]}]}
`;

const endpointOnNodeA = `---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: web-1, namespace: t, labels: {kubernetes.io/service-name: web}}
addressType: IPv4
ports: [{name: http, port: 8080, protocol: TCP}]
endpoints:
  - {addresses: [10.244.0.10], nodeName: node-a, conditions: {ready: true}}
`;

const nodePortLocal = `apiVersion: v1
kind: Service
metadata: {name: web, namespace: t}
spec:
  type: NodePort
  externalTrafficPolicy: Local
  clusterIP: 10.96.7.7
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: 8080, nodePort: 30777}]
${endpointOnNodeA}`;

test('IPVS, NodePort with externalTrafficPolicy Local, its only endpoint on node-a: the lens and hover say the reply is lost via node-b', () => {
  const { lens, hover } = setup(nodePortLocal, 'ipvs');
  assert.equal(lens, 'NAT: 1 ready endpoint · external: client IP kept · reply lost via node-b (no SNAT)');
  const h = hover('externalTrafficPolicy');
  assert.match(h, /^\*\*externalTrafficPolicy: Local — the client IP is kept; only nodes with a ready local endpoint answer; node-b has none and sends the connection unmasqueraded to another node's endpoint, whose reply is lost\.\*\*/);
  assert.doesNotMatch(h, /the others drop/);
  assert.match(h, /via NodePort 30777 on node-b: DNAT to 10\.244\.0\.10:8080 \(node-a\); no SNAT, the pod sees `203\.0\.113\.10`; \*\*the reply does not come back\*\* through node-b/);
});

test('IPVS, the same Service: the debug commands walk through IPVS on node-b and quote the generated virtual servers', () => {
  const { model } = setup(nodePortLocal, 'ipvs');
  const list = debugCommands(model, model.services[0]!, { nodeName: 'node-b' });
  const text = list.map(c => `${c.title} ${c.lookFor}`).join('\n');
  assert.doesNotMatch(text, /does not generate IPVS rules|restricted to this node's endpoints|inferred from/);
  assert.equal(list.find(c => /traffic policy$/.test(c.title))!.lookFor,
    'externalTrafficPolicy: Local — the client IP is kept; only nodes with a ready local endpoint answer; node-b has none and sends the connection unmasqueraded to another node\'s endpoint, whose reply is lost.');
  const nodePort = list.find(c => c.command === 'ipvsadm -Ln -t 192.168.0.3:30777')!;
  assert.match(nodePort.lookFor, /^Scheduler rr; 1 real server, forward method Masq, weight 1: 10\.244\.0\.10:8080 \(node-a\)\./);
  assert.match(nodePort.expected![1]!, /^ {2}-> 10\.244\.0\.10:8080 +Masq/);
  assert.match(list.find(c => /^conntrack entries for NodePort/.test(c.title))!.lookFor, /\(predicted: DNAT to 10\.244\.0\.10:8080 \(node-a\); no SNAT, the pod sees 203\.0\.113\.10; the reply does not come back through node-b for 10\.244\.0\.10:8080, so the connection fails\)/);
  assert.match(list.find(c => /^Packets arriving/.test(c.title))!.lookFor, /via NodePort 30777 on node-b: the client's own address \(no SNAT\), but the reply does not come back through node-b/);
});

for (const mode of ['iptables', 'nftables'] as const) {
  test(`${mode}: the same Service drops on node-b, and lens and hover say so`, () => {
    const { lens, hover } = setup(nodePortLocal, mode);
    assert.equal(lens, 'NAT: 1 ready endpoint · external: client IP kept · drops on node-b');
    assert.match(hover('externalTrafficPolicy'), /^\*\*externalTrafficPolicy: Local — the client IP is kept; only nodes with a ready local endpoint answer; node-b has none and drops the connection\.\*\*/);
  });
}

const internalLocal = (type: string) => `apiVersion: v1
kind: Service
metadata: {name: web, namespace: t}
spec:
  type: ${type}
  internalTrafficPolicy: Local
  clusterIP: 10.96.7.8
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: 8080${type === 'NodePort' ? ', nodePort: 30778' : ''}}]
${endpointOnNodeA}`;

for (const mode of MODES) {
  test(`${mode}: internalTrafficPolicy Local: the hover summary says what the walk from node-b does`, () => {
    const { hover } = setup(internalLocal('ClusterIP'), mode);
    const h = hover('internalTrafficPolicy');
    const refused = mode === 'ipvs';
    assert.match(h, new RegExp(`^\\*\\*internalTrafficPolicy: Local — 10\\.96\\.7\\.8 reaches only endpoints on the client's own node; node-b has none and ${refused ? 'refuses the connections \\(REJECT\\)' : 'drops the connections'} \\(no fallback\\)\\.\\*\\*`));
    assert.match(h, new RegExp(`From node node-b: \\*\\*${refused ? 'REJECT' : 'DROP'}\\*\\*`));
  });
}

const clusterIP = `apiVersion: v1
kind: Service
metadata: {name: web, namespace: t}
spec:
  clusterIP: 10.96.7.9
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080}]
${deployment(2)}`;

test('IPVS: the ClusterIP hover says kube-ipvs0 binds the address and strictARP decides who answers ARP', () => {
  const loose = setup(clusterIP, 'ipvs').hover('clusterIP');
  assert.doesNotMatch(loose, /nothing answers ARP/);
  assert.match(loose, /binds the address on the dummy device `kube-ipvs0`.*without `strictARP` every node answers ARP/);
  const strict = setup(clusterIP, 'ipvs', { ipvsStrictARP: true }).hover('clusterIP');
  assert.match(strict, /with `strictARP` the nodes do not answer ARP for it/);
  for (const mode of ['iptables', 'nftables'] as const) assert.match(setup(clusterIP, mode).hover('clusterIP'), /nothing answers ARP for it/);
});

const loadBalancer = (extra: string, status: string) => `apiVersion: v1
kind: Service
metadata: {name: web, namespace: t}
spec:
  type: LoadBalancer
  clusterIP: 10.96.7.10
  selector: {app: web}
  ${extra}
  ports: [{port: 443, targetPort: 8080, nodePort: 30779}]
status:
  loadBalancer:
    ingress: [${status}]
${deployment(2)}`;

test('nftables: the ports and loadBalancerSourceRanges hovers name the service-/external-/firewall- chains', () => {
  const { hover } = setup(loadBalancer('loadBalancerSourceRanges: [203.0.113.0/24]', '{ip: 198.51.100.7}'), 'nftables');
  const ports = hover('ports:');
  assert.match(ports, /Decided in `service-[A-Z0-9]{8}-t\/web\/tcp\/`; external traffic in `external-[A-Z0-9]{8}-t\/web\/tcp\/`/);
  const ranges = hover('loadBalancerSourceRanges');
  assert.match(ranges, /`firewall-[A-Z0-9]{8}-t\/web\/tcp\/` checks the source/);
  for (const h of [ports, ranges, hover('type:')]) assert.doesNotMatch(h, /KUBE-(SVC|EXT|FW|PROXY-FIREWALL)/);
  assert.match(hover('type:'), /The mark for masquerade is set in `external-/);
});

test('IPVS rr: no hover says "at random" or names KUBE-EXT; sessionAffinity None names the scheduler', () => {
  const { hover } = setup(loadBalancer('', '{ip: 198.51.100.7}'), 'ipvs');
  const type = hover('type:');
  assert.doesNotMatch(type, /KUBE-EXT/);
  assert.match(type, /The mark for masquerade is set in `KUBE-NODE-PORT \/ KUBE-LOAD-BALANCER/);
  const affinity = setup(clusterIP.replace('  selector: {app: web}', '  selector: {app: web}\n  sessionAffinity: None'), 'ipvs').hover('sessionAffinity');
  assert.match(affinity, /^\*\*sessionAffinity: None — IPVS's rr scheduler picks the endpoint of every new connection\.\*\*/);
  assert.doesNotMatch(affinity, /at random/);
  for (const mode of ['iptables', 'nftables'] as const) {
    assert.match(setup(clusterIP.replace('  selector: {app: web}', '  selector: {app: web}\n  sessionAffinity: None'), mode).hover('sessionAffinity'), /picks an endpoint at random/);
  }
});

for (const mode of MODES) {
  test(`${mode}: without a local-traffic detector (clusterCIDR null) the Local hover promises no pod short-circuit`, () => {
    const { hover } = setup(nodePortLocal, mode, { clusterCIDR: null });
    const h = hover('externalTrafficPolicy');
    assert.doesNotMatch(h, /short-circuited for pods/);
    assert.match(h, /no local-traffic detector here \(no `clusterCIDR`\), so it writes no `pod traffic` short-circuit/);
    assert.match(setup(nodePortLocal, mode).hover('externalTrafficPolicy'), /short-circuited for pods and for the node itself/);
  });
}

for (const mode of MODES) {
  test(`${mode}: ipMode Proxy: the lens says kube-proxy does not handle the address, the hover has no empty walk list`, () => {
    const text = loadBalancer('allocateLoadBalancerNodePorts: false', '{ip: 198.51.100.8, ipMode: Proxy}').replace(', nodePort: 30779', '');
    const { lens, hover } = setup(text, mode);
    assert.match(lens, /load balancer 198\.51\.100\.8: ipMode Proxy, not through kube-proxy/);
    assert.doesNotMatch(lens, /client IP kept/);
    const h = hover('type:');
    assert.doesNotMatch(h, /What kube-proxy's rules do with a new connection[^\n]*:\n\n(\n|$)/);
    assert.match(h, /has `ipMode: Proxy`: kube-proxy writes no rules for that address/);
  });

  test(`${mode}: LoadBalancer with externalTrafficPolicy Cluster: in-cluster clients of the VIP are captured and SNATed on their own node`, () => {
    const { hover } = setup(loadBalancer('', '{ip: 198.51.100.9}'), mode);
    const h = hover('type:');
    assert.match(h, /In-cluster clients of the load-balancer IP never reach the load balancer: kube-proxy captures 198\.51\.100\.9 on their own node/);
    // captured on the pod's own node and marked for masquerade there (ipMode VIP): the walk's SNAT
    assert.match(h, /A pod on node-a → 198\.51\.100\.9:443: DNAT to [^\n]*; \*\*SNAT\*\*/);
    assert.match(h, /A pod on node-b → 198\.51\.100\.9:443: DNAT to [^\n]*; \*\*SNAT\*\*/);
  });
}

const selfCall = `apiVersion: v1
kind: Service
metadata: {name: web, namespace: t}
spec:
  clusterIP: 10.96.7.11
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080}]
${deployment(3)}`;

for (const mode of MODES) {
  test(`${mode}: partial masquerade: a pod calling its own Service is masqueraded only on the branch back to itself`, () => {
    const { model } = setup(selfCall, mode);
    const pod = model.workloads[0]!.pods[0]!;
    const r = walkerFor(model).trace({ source: { kind: 'pod', ip: pod.ip, node: pod.nodeName }, dst: '10.96.7.11', dport: 80, proto: 'tcp' });
    const masqueraded = r.outcomes.filter(o => o.masqueraded);
    assert.deepEqual(masqueraded.map(o => o.endpoint), [`${pod.ip}:8080`], 'hairpin: only the branch to itself');
    assert.match(r.summary, new RegExp(`Only some branches are masqueraded: on the way to ${pod.ip.replace(/\./g, '\\.')}:8080`));
    assert.doesNotMatch(r.summary, /is not visible to the pod/);
    assert.match(formatWalk(r), /^verdict: DNAT, masqueraded on 1 of 3 branches/m);
  });
}

test('sessionAffinity: the hover says the timer runs from the last recorded new connection, and iptables evicts beyond 100 clients', () => {
  const text = clusterIP.replace('  selector: {app: web}', '  selector: {app: web}\n  sessionAffinity: ClientIP');
  const iptables = setup(text, 'iptables').hover('sessionAffinity');
  assert.match(iptables, /up to 10800 s after its last recorded new connection/);
  assert.doesNotMatch(iptables, /after its last connection,/);
  assert.match(iptables, /keeps at most 100 addresses per endpoint \(`ip_list_tot`\): with more clients the oldest are evicted/);
  assert.match(setup(text, 'nftables').hover('sessionAffinity'), /refreshed by each new connection/);
  assert.match(setup(text, 'ipvs').hover('sessionAffinity'), /persistent \(`-p 10800`\)/);
});

test('IPVS: the walk summary names the IPVS scheduler instead of a random pick', () => {
  const { model } = setup(clusterIP, 'ipvs');
  const r = walkerFor(model).trace({ source: { kind: 'node', node: 'node-a' }, dst: '10.96.7.9', dport: 80, proto: 'tcp' });
  assert.match(r.summary, /chosen by IPVS's rr scheduler/);
  assert.doesNotMatch(r.summary, /at random/);
});

const loadBalancerLocal = `apiVersion: v1
kind: Service
metadata: {name: web, namespace: t}
spec:
  type: LoadBalancer
  externalTrafficPolicy: Local
  healthCheckNodePort: 32000
  clusterIP: 10.96.7.12
  selector: {app: web}
  ports: [{name: http, port: 443, targetPort: 8080, nodePort: 30780}]
status:
  loadBalancer:
    ingress: [{ip: 198.51.100.12}]
${endpointOnNodeA}`;

for (const mode of MODES) {
  test(`${mode}: local-policy-imbalance behind a health-checked load balancer is information that says what each node does`, () => {
    const { file, model } = setup(loadBalancerLocal, mode);
    const f = analyzeFile(file, model).find(x => x.rule === 'local-policy-imbalance');
    assert.ok(f, 'reported');
    assert.equal(f.severity, 'information', 'fewer replicas than nodes behind a health-checked load balancer is the intended design');
    assert.match(f.message, /node-a sends external connections to its own endpoint, keeping the client IP/);
    assert.match(f.message, /the health check node port 32000 answers 503 on node-b, so a load balancer that honours it sends them nothing/);
    const facts = serviceFacts(model.services[0]!, model);
    const german = localPolicyMessage(facts, localPolicyFacts(facts), true, 32000, messagesFor('de'));
    assert.match(german, /^externalTrafficPolicy Local: node-a schickt externe Verbindungen an seinen eigenen Endpoint, die Client-IP bleibt erhalten; node-b hat keinen lokalen Endpoint und /);
    assert.match(german, /Hinter einem Load Balancer ist das so gewollt: Der Health-Check-Node-Port 32000 antwortet auf node-b mit 503/);
    if (mode === 'ipvs') {
      assert.match(f.message, /node-b has no local endpoint and sends them to 10\.244\.0\.10:8080 \(node-a\) without SNAT: kube-proxy's ipvs mode falls back/);
      assert.doesNotMatch(f.message, /drop|DROP|REJECT/);
    } else {
      assert.match(f.message, new RegExp(`node-b has no local endpoint and drops the connections \\(DROP in filter ${mode === 'iptables' ? 'KUBE-EXTERNAL-SERVICES' : 'nodeport-endpoints-check'}\\): clients time out`));
      assert.doesNotMatch(f.message, /REJECT|refuse/);
    }
  });

  test(`${mode}: internalTrafficPolicy Local on a NodePort Service: the finding says what the walk from node-b does`, () => {
    const { file, model, hover } = setup(internalLocal('NodePort'), mode);
    const f = analyzeFile(file, model).find(x => x.rule === 'internal-local-dropped');
    const h = hover('internalTrafficPolicy');
    assert.ok(f, 'reported');
    if (mode === 'ipvs') {
      // the walk from node-b reaches node-a's endpoint: not dropped, so information, not a warning
      assert.match(h, /From node node-b: DNAT to 10\.244\.0\.10:8080 \(node-a\)/);
      assert.equal(f.severity, 'information');
      assert.equal(f.message, 'internalTrafficPolicy Local: from node-b connections to 10.96.7.8:80 go to 10.244.0.10:8080 (node-a) on another node.');
      assert.doesNotMatch(h, /drops|no fallback/);
    } else {
      assert.match(h, /From node node-b: \*\*DROP\*\*/);
      assert.equal(f.severity, 'warning');
      assert.match(f.message, /clients on node-b have no local endpoint, and their connections to 10\.96\.7\.8:80 are dropped \(DROP in filter (KUBE-SERVICES|service-endpoints-check)\), not sent to another node\.$/);
    }
  });
}
