// Hovers on every NAT-relevant field, for this Service, from walks over the generated rules.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseManifest } from '../../extension/src/engine/manifest/manifest';
import { parseProfile, withProxyMode } from '../../extension/src/engine/model/profile';
import { buildClusterModel } from '../../extension/src/engine/model/cluster';
import { hoverAt, type HoverContent } from '../../extension/src/engine/findings/hover';

const root = new URL('../../', import.meta.url).pathname;
const profile = parseProfile(readFileSync(`${root}examples/cluster.yaml`, 'utf8')).profile;
const text = readFileSync(`${root}test/fixtures/findings/hover.yaml`, 'utf8');
const file = parseManifest(text, 'hover.yaml');
const model = buildClusterModel(file.objects, profile);

function hover(needle: string, nth = 0) {
  let at = -1;
  for (let i = 0; i <= nth; i++) at = text.indexOf(needle, at + 1);
  assert.ok(at >= 0, needle);
  const h = hoverAt(file, at + 1, model);
  assert.ok(h, `no hover on ${needle}`);
  return { ...h, all: [h.summary, ...h.details].join('\n') };
}

/** The hover covers exactly the spec key of the hovered field (`key` at column 2 of 0-based `line`). */
function assertKeyRange(h: HoverContent, key: string, line: number) {
  const start = file.lines.offsetAt(line, 2);
  assert.equal(text.slice(start, start + key.length + 1), `${key}:`, `fixture: ${key} is not at line ${line}`);
  assert.deepEqual(h.range, {
    start: { offset: start, line, character: 2 },
    end: { offset: start + key.length, line, character: 2 + key.length },
  }, key);
}

test('externalTrafficPolicy: Local, walked through each node, with the in-cluster short-circuit', () => {
  const h = hover('externalTrafficPolicy');
  // both nodes have a ready local endpoint here: no node drops, and the summary says no more than that
  assert.equal(h.summary, 'externalTrafficPolicy: Local — the client IP is kept; only nodes with a ready local endpoint answer.');
  assert.equal(text.slice(h.range.start.offset, h.range.end.offset), 'externalTrafficPolicy');
  // 3 StatefulSet pods: shop-0 and shop-2 on node-a, shop-1 on node-b
  assert.match(h.all, /via NodePort 31000 on node-a: DNAT to 10\.244\.0\.10:8443 \(node-a\) 50%, 10\.244\.0\.11:8443 \(node-a\) 50%; no SNAT, the pod sees `203\.0\.113\.10`/);
  assert.match(h.all, /via NodePort 31000 on node-b: DNAT to 10\.244\.1\.10:8443 \(node-b\); no SNAT/);
  assert.match(h.all, /A pod on node-a: DNAT to .*10\.244\.1\.10:8443 \(node-b\) 33\.3%; no SNAT/);
  assert.match(h.all, /Node node-a itself: DNAT to .*; \*\*SNAT\*\*/);
  assert.match(h.all, /Health check node port 32100 answers 200 .* \(node-a: 2 ready, node-b: 1 ready\)/);
  assert.deepEqual(h.links.map(l => l.intent), ['previewRules', 'tracePacket', 'debugCommands'], 'intents, which the extension maps to its commands');
});

test('type, ports, session affinity, source ranges, external IPs, cluster IP, health check, allocation', () => {
  assert.match(hover('type:').summary, /^externalTrafficPolicy: Local/);
  const port = hover('targetPort');
  assert.equal(port.summary, '10.96.2.1:443/TCP → targetPort 8443 → endpoint port 8443; NodePort 31000 on every node');
  assert.match(port.all, /kube-proxy never reads targetPort/);
  assert.match(port.all, /- 10\.244\.1\.10:8443 on node-b — from StatefulSet\/shop pod shop-1/);
  const affinity = hover('sessionAffinity:');
  assert.equal(affinity.summary, 'sessionAffinity: ClientIP — a client address sticks to one endpoint for up to 600 s after its last recorded new connection, on each node separately.');
  // two walks each: the second connection carries what the first one left in the recent lists
  assert.match(affinity.all, /- A pod on node-a \(10\.244\.0\.200\) → 10\.96\.2\.1:443, twice: the next connection goes to the endpoint the first one took \(10\.244\.0\.10:8443 or 10\.244\.0\.11:8443 or 10\.244\.1\.10:8443\), with probability 1/);
  assert.match(affinity.all, /- External client 203\.0\.113\.10 via NodePort 31000 on node-a, then on node-b: \*\*does not stick\*\*: the next connection goes to 10\.244\.1\.10:8443, whichever endpoint the first one took/);
  const ranges = hover('loadBalancerSourceRanges');
  assert.match(ranges.all, /192\.0\.2\.123 \(not listed\) → 198\.51\.100\.20:443: \*\*DROP\*\* \(filter `KUBE-PROXY-FIREWALL`\)/);
  assert.match(ranges.all, /\*\*The node port is not protected\*\*/);
  assert.match(hover('externalIPs').summary, /^externalIPs: kube-proxy captures 198\.51\.100\.9 port 443 on every node/);
  assert.match(hover('clusterIP: 10').summary, /^ClusterIP 10\.96\.2\.1: DNATed on the client's own node/);
  const hc = hover('healthCheckNodePort');
  assert.match(hc.all, /- node-a: 2 ready local endpoints → HTTP 200\n- node-b: 1 ready local endpoint → HTTP 200/);
  assert.match(hover('allocateLoadBalancerNodePorts').summary, /every port also gets a NodePort/);
  assert.match(hover('internalTrafficPolicy').summary, /^internalTrafficPolicy: Cluster — 10\.96\.2\.1 reaches every ready endpoint/);
});

test('clusterIP: None explains that a headless Service has no NAT at all', () => {
  const h = hover('clusterIP: None');
  assert.equal(h.summary, 'Headless Service: kube-proxy programs no rules for it, so there is no DNAT and no SNAT.');
});

test('no hover outside Service NAT fields', () => {
  assert.equal(hoverAt(file, text.indexOf('replicas') + 1, model), null);
  assert.equal(hoverAt(file, text.indexOf('metadata') + 1, model), null);
});

test('in nftables mode the hover walks the nftables rules and says where the mode changes the answer', () => {
  const nft = buildClusterModel(file.objects, withProxyMode(profile, 'nftables'));
  const at = text.indexOf('externalTrafficPolicy');
  const h = hoverAt(file, at + 1, nft)!;
  const all = [h.summary, ...h.details].join('\n');
  assert.match(all, /via NodePort 31000 on node-a: DNAT to 10\.244\.0\.10:8443 \(node-a\) 50%, 10\.244\.0\.11:8443 \(node-a\) 50%; no SNAT/);
  assert.match(all, /\*nftables mode\* \(the walks above ran on its rules\): no NodePorts on 127\.0\.0\.1/);
});

test('in IPVS mode the hover says the Local-policy fallback still fails: the reply misses the node', () => {
  const ipvs = buildClusterModel(file.objects, withProxyMode(profile, 'ipvs'));
  const h = hoverAt(file, text.indexOf('externalTrafficPolicy') + 1, ipvs)!;
  assert.match(h.details.join('\n'), /falls back to the other nodes' endpoints instead of dropping \(unmasqueraded, so the reply does not come back through that node and the connection still fails\)/);
});

test('every hovered field of t/shop: the range is the spec key, wherever in the field the pointer is', () => {
  const cases: [needle: string, nth: number, key: string, line: number][] = [
    ['type:', 0, 'type', 5],
    ['LoadBalancer', 0, 'type', 5],
    ['clusterIP: 10', 0, 'clusterIP', 6],
    ['10.96.2.1', 0, 'clusterIP', 6],
    ['externalTrafficPolicy', 0, 'externalTrafficPolicy', 7],
    ['internalTrafficPolicy', 0, 'internalTrafficPolicy', 8],
    ['healthCheckNodePort', 0, 'healthCheckNodePort', 9],
    ['32100', 0, 'healthCheckNodePort', 9],
    ['allocateLoadBalancerNodePorts', 0, 'allocateLoadBalancerNodePorts', 10],
    ['sessionAffinity:', 0, 'sessionAffinity', 11],
    ['sessionAffinityConfig', 0, 'sessionAffinityConfig', 12],
    ['timeoutSeconds', 0, 'sessionAffinityConfig', 12],
    ['loadBalancerSourceRanges', 0, 'loadBalancerSourceRanges', 14],
    ['203.0.113.0/24', 0, 'loadBalancerSourceRanges', 14],
    ['externalIPs', 0, 'externalIPs', 15],
    ['ports:', 0, 'ports', 17],
    ['targetPort', 0, 'ports', 17],
    ['nodePort: 31000', 0, 'ports', 17],
  ];
  for (const [needle, nth, key, line] of cases) assertKeyRange(hover(needle, nth), key, line);
  // the headless Service's clusterIP
  assertKeyRange(hover('clusterIP: None'), 'clusterIP', 30);
  // sessionAffinityConfig explains the same thing as sessionAffinity
  assert.equal(hover('timeoutSeconds').summary, hover('sessionAffinity:').summary);
});

test('externalTrafficPolicy: Cluster: SNAT even when the pod is on the receiving node, and what the pod sees', () => {
  const h = hover('externalTrafficPolicy: Cluster');
  assertKeyRange(h, 'externalTrafficPolicy', 51);
  assert.equal(h.summary, 'externalTrafficPolicy: Cluster — external traffic is spread over every endpoint and SNATed: the pod never sees the client IP.');
  // the only api pod (Deployment/api) runs on node-a at 10.244.0.12, after the StatefulSet's two pods there
  assert.equal(h.details[1], [
    '- External client 203.0.113.10 via NodePort 31001 on node-a: DNAT to 10.244.0.12:8080 (node-a); **SNAT**, the pod sees `10.244.0.1`',
    '- External client 203.0.113.10 via NodePort 31001 on node-b: DNAT to 10.244.0.12:8080 (node-a); **SNAT**, the pod sees `192.168.0.3`',
  ].join('\n'));
  // the tutorial correction: the mark is set before the endpoint is chosen
  assert.equal(h.details[2], 'The mark for masquerade is set in `KUBE-EXT-AYXRFFGSXE6VA63F` before an endpoint is chosen, so the connection is SNATed **even when the chosen pod is on the node it entered**. ' +
    'Tutorials that draw "no SNAT when the pod is on the receiving node" describe Cilium\'s kube-proxy replacement, not kube-proxy. ' +
    'The address the pod sees is the one of the interface the packet leaves by: a pod on another node sees the node address on a routed pod network and the overlay device\'s address on an overlay (VXLAN, IPIP, Cilium\'s tunnel); a local pod sees the pod-side gateway where the CNI has one.');
  assert.equal(h.details.length, 3);
  // `type` of the same Service explains the same policy
  const type = hover('type: NodePort');
  assertKeyRange(type, 'type', 49);
  assert.equal(type.summary, h.summary);
});

test('type on a ClusterIP Service: cluster-internal only, walked from the first node', () => {
  const h = hover('type: ClusterIP');
  assertKeyRange(h, 'type', 63);
  assert.equal(h.summary, 'ClusterIP: reachable only at 10.96.2.3:80 inside the cluster; no NodePort, nothing external.');
  assert.deepEqual(h.details, [
    "kube-proxy DNATs 10.96.2.3:80 on the client's own node. Pods keep their source address; traffic from a node's own address is masqueraded.",
    '- From node node-a itself: DNAT to 10.244.0.12:8080 (node-a); **SNAT**, the pod sees `10.244.0.1`',
  ]);
});

test('internalTrafficPolicy: Local: a node without a local endpoint drops, with no fallback', () => {
  const h = hover('internalTrafficPolicy: Local');
  assertKeyRange(h, 'internalTrafficPolicy', 65);
  assert.equal(h.summary, "internalTrafficPolicy: Local — 10.96.2.3 reaches only endpoints on the client's own node; node-b has none and drops the connections (no fallback).");
  assert.deepEqual(h.details, [
    'Connections to the ClusterIP, as walked from each node:',
    '- From node node-a: DNAT to 10.244.0.12:8080 (node-a); **SNAT**, the pod sees `10.244.0.1`\n- From node node-b: **DROP** (filter `KUBE-SERVICES`), the client times out',
    'internalTrafficPolicy never changes masquerading; it only narrows the endpoints (NodePort and load-balancer traffic keep using externalTrafficPolicy).',
  ]);
});

test('sessionAffinity: None: a random pick per connection', () => {
  const h = hover('sessionAffinity: None');
  assertKeyRange(h, 'sessionAffinity', 66);
  assert.equal(h.summary, 'sessionAffinity: None — every new connection picks an endpoint at random.');
  assert.deepEqual(h.details, ['Each endpoint of 10.96.2.3:80 has probability 1/n per connection; long-lived connections are never rebalanced.']);
});
