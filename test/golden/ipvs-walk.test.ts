// The packet walk in IPVS mode (extension/src/engine/walk/ipvs.ts): the iptables payload IPVS mode
// writes, executed by NodeRules after its `-m set` matches are compiled into plain matches, plus
// IPVS's own decision (every real server a branch, DNAT, no FORWARD, then POSTROUTING).
//
// Upstream's IPVS unit tests (test/golden/ipvs) check the state after a sync and trace no packets,
// so there is no upstream packet-flow table to replay as flows.test.ts / nftables-flows.test.ts do.
// What is checked here:
//   1. every IPVS golden case: a first packet to every virtual server reaches exactly that virtual
//      server's real servers (upstream's expected state) with equal probability, or is REJECTed
//      (ICMP port unreachable from ip_vs_leave) when it has none; the masquerade decision for
//      NodePort / LB / externalIP virtual servers follows the traffic policy; every hop with a line
//      points at that line of the IPVS payload; and the result agrees with the iptables-mode walk of
//      the same model wherever the two modes should agree (see `expectedDifference` for where not);
//   2. the example manifests (examples/*.yaml on examples/cluster.yaml, two nodes, bridge CNI), and
//      a few inline variants, walked in both modes: ClusterIP from a pod and from a node, NodePort
//      from outside (Cluster; Local with and without a local endpoint), LB IP (allowed and refused
//      source), externalIP (Cluster and Local), hairpin, no endpoints, internalTrafficPolicy Local.
// The IPVS decisions are inferred from kernel and kube-proxy source (their hops say so); this
// machine's kernel has no ip_vs module (no /proc/net/ip_vs, no modules directory), so nothing here
// is checked against a kernel: there is no test/kernel counterpart for the IPVS walk.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadGoldenCases } from '../support/golden';
import { Walker, type TraceRequest, type TraceSource, type WalkResult } from '../../extension/src/engine/walk/walk';
import { BACKENDS } from '../../extension/src/engine/proxy/backends';
import { IpvsRules, IPVS_CHAIN, ipvsProgram } from '../../extension/src/engine/walk/ipvs';
import { generateIpvs, type IpvsVirtualServer } from '../../extension/src/engine/proxy/ipvs/generator';
import { parseManifest } from '../../extension/src/engine/manifest/manifest';
import { parseProfile, type ClusterProfile, type ProxyMode } from '../../extension/src/engine/model/profile';
import { buildClusterModel, type ClusterModel } from '../../extension/src/engine/model/cluster';
import { formatIP, offsetIP, parseCIDR } from '../../extension/src/engine/util/ip';

const ROOT = new URL('./ipvs/', import.meta.url).pathname;
const EXAMPLES = new URL('../../examples/', import.meta.url).pathname;

const endpointsOf = (r: WalkResult) => r.endpoints.map(e => e.endpoint).sort();
const ipvsHops = (r: WalkResult) => r.outcomes.flatMap(o => o.hops.filter(h => h.chain === IPVS_CHAIN));
const explain = (r: WalkResult) => `${r.summary}\n${r.outcomes.map(o => `  p=${o.probability.toFixed(3)} ${o.verdict} ${o.endpoint ?? ''}:\n${o.hops.map(h => `    ${h.node} ${h.hook} ${h.table}/${h.chain} ${h.action.slice(0, 60)}`).join('\n')}`).join('\n')}`;

test('the walk registers the IPVS program', () => {
  assert.equal(BACKENDS.ipvs.program, ipvsProgram);
});

// ------------------------------------------------------------------------------------ golden cases

/** Where IPVS and iptables mode should differ for a first packet to this virtual server (null: they agree). */
function expectedDifference(vs: IpvsVirtualServer): string | null {
  // kube-proxy IPVS falls back to cluster-wide endpoints (kubernetes/kubernetes#97081); iptables drops
  if (vs.selection === 'local-fallback-to-cluster' && vs.realServers.length > 0) return 'Local policy without a local endpoint';
  // iptables REJECTs in filter (KUBE-EXTERNAL-SERVICES / KUBE-SERVICES), IPVS in ip_vs_leave: same verdict, other hop
  if (vs.realServers.length === 0) return null;
  // a ClusterIP is LOCAL in IPVS mode (kube-ipvs0), so `--dst-type LOCAL -j KUBE-NODE-PORT` also sees it:
  // the masquerade decision for an external client can differ when the port is also a node port
  if (vs.kind === 'clusterIP') return 'ClusterIP from outside: masquerade compared only for endpoints';
  return null;
}

function sourceFor(model: ClusterModel, vs: IpvsVirtualServer): string {
  const v6 = model.profile.ipFamily === 'IPv6';
  const sp = model.services.flatMap(s => s.ports).find(p => p.info.nameString === vs.service)?.info;
  // an LB virtual server with source ranges: a client inside the first range
  if (vs.kind === 'loadBalancer' && sp && sp.loadBalancerSourceRanges.length > 0) {
    const c = parseCIDR(sp.loadBalancerSourceRanges[0]!)!;
    return formatIP(c.prefix >= (v6 ? 127 : 31) ? c.ip : offsetIP(c.ip, 1));
  }
  return v6 ? '2001:db8:ffff::77' : '203.0.113.77';
}

const goldenCases = loadGoldenCases(ROOT);
test('IPVS golden cases were found', () => assert.ok(goldenCases.length >= 60, `only ${goldenCases.length}`));

for (const c of goldenCases) {
  test(`IPVS walk reaches the real servers upstream expects: ${c.name}`, () => {
    const profile = c.model.profile;
    const state = generateIpvs(c.model);
    const walker = new Walker(c.model, new Map(), 'ipvs');
    let iptables: Walker | null = null;
    try { iptables = new Walker(c.model, new Map(), 'iptables'); } catch { iptables = null; }
    const payload = state.iptables.payload.split('\n');
    for (const vs of state.virtualServers) {
      const proto = vs.protocol.toLowerCase() as TraceRequest['proto'];
      const request: TraceRequest = { source: { kind: 'external', ip: sourceFor(c.model, vs) }, dst: vs.address, dport: vs.port, proto, entryNode: profile.nodeName };
      const r = walker.trace(request);
      const what = `${vs.key} (${vs.kind}, ${vs.service})\n${explain(r)}`;
      if (vs.realServers.length === 0) {
        assert.equal(r.verdict, 'REJECT', what);
        assert.match(r.outcomes[0]!.hops.at(-1)!.action, /^REJECT \(IPVS .*ip_vs_leave.*inferred/, what);
      } else {
        assert.equal(r.verdict, 'DNAT', what);
        assert.deepEqual(endpointsOf(r), vs.realServers.map(rs => rs.key).sort(), what);
        for (const e of r.endpoints) assert.ok(Math.abs(e.probability - 1 / vs.realServers.length) < 1e-9, what);
        assert.ok(ipvsHops(r).every(h => h.hook === 'INPUT' && /^DNAT to .*IPVS .*inferred/.test(h.action)), what);
        // IPVS-scheduled packets never traverse FORWARD on the scheduling node
        assert.ok(r.outcomes.every(o => !o.hops.some(h => h.node === profile.nodeName && h.hook === 'FORWARD')), what);
        if (vs.kind !== 'clusterIP') {
          const sp = c.model.services.flatMap(s => s.ports).find(p => p.info.nameString === vs.service)!.info;
          assert.equal(r.masquerade, !sp.externalPolicyLocal, `masquerade: ${what}`);
        }
      }
      // hops point into the IPVS payload kube-proxy writes
      for (const o of r.outcomes) for (const h of o.hops) if (h.line !== null) assert.equal(payload[h.line]!.trim(), h.rule, what);
      // the same packet in iptables mode
      const diff = expectedDifference(vs);
      // upstream's TestExternalIPs uses 127.0.0.1 as an external IP: iptables mode's KUBE-FIREWALL
      // drops outside packets to 127.0.0.0/8, IPVS has a virtual server on it; nothing to compare
      if (!iptables || diff === 'Local policy without a local endpoint' || vs.address.startsWith('127.')) continue;
      const other = iptables.trace(request);
      if (vs.realServers.length === 0) {
        // no endpoint anywhere: both reject. A Local policy whose endpoints are all on other nodes
        // (and no cluster-wide fallback, e.g. a ClusterIP-only service with ITP=Local): IPVS has no
        // real server (ICMP port unreachable), iptables DROPs (pkg/proxy/ipvs/proxier.go syncEndpoint; the kernel's ip_vs_leave in net/netfilter/ipvs/ip_vs_core.c)
        const nsn = vs.service.split(':')[0]!;
        const localOnElsewhere = state.noLocalEndpoints.internal.includes(nsn) || state.noLocalEndpoints.external.includes(nsn);
        assert.equal(other.verdict, localOnElsewhere ? 'DROP' : 'REJECT', `iptables: ${what}\n${explain(other)}`);
        continue;
      }
      assert.deepEqual(endpointsOf(other), endpointsOf(r), `iptables endpoints: ${what}\n${explain(other)}`);
      if (diff === null) assert.equal(other.masquerade, r.masquerade, `iptables masquerade: ${what}\n${explain(other)}`);
    }
  });
}

test('hops of the IPVS payload keep their line; set matches are compiled for NodeRules, not changed in it', () => {
  const c = goldenCases.find(x => x.name === 'TestLoadBalancerSourceRanges')!;
  const state = generateIpvs(c.model);
  const rules = (new Walker(c.model, new Map(), 'ipvs').rulesFor(c.model.profile.nodes[0]!)) as IpvsRules;
  assert.ok(rules instanceof IpvsRules);
  // every compiled rule is plain iptables: no -m set left
  assert.doesNotMatch(rules.rules.ruleset.payload, /-m set|-m physdev|-m ipvs/);
  assert.match(state.iptables.payload, /-m set --match-set KUBE-LOAD-BALANCER-SOURCE-CIDR dst,dst,src -j RETURN/);
});

// --------------------------------------------------------------------------------------- examples

function model(files: string[], mode: ProxyMode, extra = '', change: Partial<ClusterProfile> = {}): ClusterModel {
  const base = parseProfile(readFileSync(join(EXAMPLES, 'cluster.yaml'), 'utf8')).profile;
  const objects = [
    ...files.flatMap(f => parseManifest(readFileSync(join(EXAMPLES, f), 'utf8'), f).objects),
    ...(extra ? parseManifest(extra, 'inline.yaml').objects : []),
  ];
  return buildClusterModel(objects, { ...base, proxyMode: mode, ...change });
}

/** The same request walked in IPVS and in iptables mode. */
function both(files: string[], request: TraceRequest, extra = ''): { ipvs: WalkResult; iptables: WalkResult } {
  return {
    ipvs: new Walker(model(files, 'ipvs', extra), new Map(), 'ipvs').trace(request),
    iptables: new Walker(model(files, 'iptables', extra), new Map(), 'iptables').trace(request),
  };
}

const pod = (ip: string, node: string): TraceSource => ({ kind: 'pod', ip, node });
const outside: TraceSource = { kind: 'external', ip: '203.0.113.7' };

function sameAsIptables(r: { ipvs: WalkResult; iptables: WalkResult }): void {
  assert.equal(r.ipvs.verdict, r.iptables.verdict, `verdict\n${explain(r.ipvs)}\n---\n${explain(r.iptables)}`);
  assert.deepEqual(r.ipvs.endpoints.map(e => [e.endpoint, e.probability, e.node]).sort(), r.iptables.endpoints.map(e => [e.endpoint, e.probability, e.node]).sort());
  assert.equal(r.ipvs.masquerade, r.iptables.masquerade, `masquerade\n${explain(r.ipvs)}\n---\n${explain(r.iptables)}`);
  assert.deepEqual(r.ipvs.sourceSeenByPod, r.iptables.sourceSeenByPod);
}

test('examples: ClusterIP from a pod: both endpoints, no masquerade, the pod address is seen (as iptables)', () => {
  const r = both(['loadbalancer.yaml'], { source: pod('10.244.0.99', 'node-a'), dst: '10.96.20.30', dport: 443, proto: 'tcp' });
  assert.deepEqual(endpointsOf(r.ipvs), ['10.244.0.21:8443', '10.244.1.22:8443']);
  assert.equal(r.ipvs.masquerade, false);
  assert.equal(r.ipvs.sourceSeenByPod, '10.244.0.99');
  sameAsIptables(r);
  // one IPVS decision per branch, at LOCAL_IN, after filter INPUT; persistence (ClientIP affinity) noted
  const hops = r.ipvs.outcomes[0]!.hops;
  const at = hops.findIndex(h => h.chain === IPVS_CHAIN);
  assert.ok(at > 0 && hops.slice(0, at).some(h => h.hook === 'INPUT' && h.table === 'filter'));
  assert.match(hops[at]!.action, /^DNAT to 10\.244\.\d\.2\d:8443 \(IPVS rr at LOCAL_IN; 1 of 2 real servers.*persistent 10800s.*inferred/);
  assert.match(hops[at]!.rule, /^-a -t 10\.96\.20\.30:443 -r 10\.244\.\d\.2\d:8443 -m -w 1/);
});

test('examples: ClusterIP from the node itself: masqueraded (not from the cluster CIDR), IPVS at LOCAL_OUT', () => {
  const r = both(['loadbalancer.yaml'], { source: { kind: 'node', node: 'node-a' }, dst: '10.96.20.30', dport: 443, proto: 'tcp' });
  assert.equal(r.ipvs.masquerade, true);
  assert.deepEqual(r.ipvs.sourceSeenByPod, { '10.244.0.21:8443': '10.244.0.1', '10.244.1.22:8443': '192.168.0.2' });
  assert.ok(ipvsHops(r.ipvs).every(h => h.hook === 'OUTPUT' && /LOCAL_OUT/.test(h.action)));
  sameAsIptables(r);
  // the kernel's own source for a local (kube-ipvs0) destination is the VIP itself; the walk's node
  // source defaults to the primary address (walk.ts does not know kube-ipvs0). With the VIP as source
  // the outcome is the same: `! -s 10.244.0.0/16` marks it, MASQUERADE picks the egress address.
  const vipSource = new Walker(model(['loadbalancer.yaml'], 'ipvs'), new Map(), 'ipvs')
    .trace({ source: { kind: 'node', node: 'node-a', ip: '10.96.20.30' }, dst: '10.96.20.30', dport: 443, proto: 'tcp' });
  assert.deepEqual(vipSource.sourceSeenByPod, r.ipvs.sourceSeenByPod);
});

test('examples: hairpin: a pod reaching itself through the ClusterIP is masqueraded to the pod gateway (KUBE-LOOP-BACK)', () => {
  const r = both(['loadbalancer.yaml'], { source: pod('10.244.0.21', 'node-a'), dst: '10.96.20.30', dport: 443, proto: 'tcp' });
  assert.deepEqual(r.ipvs.sourceSeenByPod, { '10.244.0.21:8443': '10.244.0.1', '10.244.1.22:8443': '10.244.0.21' });
  const self = r.ipvs.outcomes.find(o => o.endpoint === '10.244.0.21:8443')!;
  // IPVS masquerades the hairpin straight from the ipset rule; iptables marks in KUBE-SEP and masquerades in KUBE-POSTROUTING
  assert.ok(self.hops.some(h => h.chain === 'KUBE-POSTROUTING' && /KUBE-LOOP-BACK dst,dst,src -j MASQUERADE/.test(h.rule) && h.action === 'MASQUERADE to 10.244.0.1'));
  // the loop-back rule masquerades without KUBE-MARK-MASQ; the walk counts that MASQUERADE as masquerading
  assert.equal(self.masqueraded, true);
  assert.equal(self.snatAddress, '10.244.0.1');
  assert.equal(r.iptables.outcomes.find(o => o.endpoint === '10.244.0.21:8443')!.masqueraded, true);
  assert.deepEqual(r.ipvs.sourceSeenByPod, r.iptables.sourceSeenByPod);
});

test('examples: NodePort from outside, Cluster policy: SNAT on the entry node; local pod sees the gateway, remote the node (as iptables)', () => {
  for (const [node, ip, local, remote, gw] of [['node-a', '192.168.0.2', '10.244.0.21:8443', '10.244.1.22:8443', '10.244.0.1'], ['node-b', '192.168.0.3', '10.244.1.22:8443', '10.244.0.21:8443', '10.244.1.1']] as const) {
    const r = both(['loadbalancer.yaml'], { source: outside, dst: ip, dport: 31443, proto: 'tcp' });
    assert.equal(r.ipvs.firstNode, node);
    assert.equal(r.ipvs.masquerade, true);
    assert.deepEqual(r.ipvs.sourceSeenByPod, { [local]: gw, [remote]: ip });
    assert.ok(r.ipvs.outcomes.every(o => !o.replyBroken));
    sameAsIptables(r);
  }
});

test('examples: NodePort, Local policy, node with the endpoint: no SNAT, the client address is seen (as iptables)', () => {
  const r = both(['nodeport-local.yaml'], { source: outside, dst: '192.168.0.2', dport: 30080, proto: 'tcp' });
  assert.deepEqual(endpointsOf(r.ipvs), ['10.244.0.10:8080']);
  assert.equal(r.ipvs.masquerade, false);
  assert.equal(r.ipvs.sourceSeenByPod, '203.0.113.7');
  sameAsIptables(r);
});

test('examples: NodePort, Local policy, node without an endpoint: IPVS falls back to the remote pod without SNAT (the reply is lost); iptables drops', () => {
  const r = both(['nodeport-local.yaml'], { source: outside, dst: '192.168.0.3', dport: 30080, proto: 'tcp' });
  // IPVS differs (pkg/proxy/ipvs/proxier.go syncEndpoint, kubernetes/kubernetes#97081): the
  // virtual server gets the cluster-wide real servers, the node port is in KUBE-NODE-PORT-LOCAL-TCP
  // (RETURN, no mark), so the pod on node-a sees the client and answers it directly: the client drops it.
  assert.equal(r.ipvs.verdict, 'DNAT');
  assert.deepEqual(endpointsOf(r.ipvs), ['10.244.0.10:8080']);
  assert.equal(r.ipvs.masquerade, false);
  assert.equal(r.ipvs.sourceSeenByPod, '203.0.113.7');
  assert.equal(r.ipvs.outcomes[0]!.replyBroken, true);
  assert.match(ipvsHops(r.ipvs)[0]!.action, /externalTrafficPolicy Local without a local endpoint: kube-proxy falls back.*#97081.*inferred/);
  assert.match(r.ipvs.summary, /does not return through node-b/);
  assert.equal(r.iptables.verdict, 'DROP');
});

test('examples: NodePort, Local policy, from a pod on the node without an endpoint: reaches the remote pod (the #97081 case)', () => {
  const r = both(['nodeport-local.yaml'], { source: pod('10.244.1.50', 'node-b'), dst: '192.168.0.3', dport: 30080, proto: 'tcp' });
  assert.deepEqual(endpointsOf(r.ipvs), ['10.244.0.10:8080']);
  assert.equal(r.ipvs.outcomes[0]!.replyBroken, false);
  // iptables short-circuits pods to the cluster-wide endpoints too, without SNAT
  assert.deepEqual(endpointsOf(r.iptables), ['10.244.0.10:8080']);
  assert.equal(r.ipvs.masquerade, r.iptables.masquerade);
});

test('examples: LB IP: allowed source reaches both endpoints with SNAT, a refused source is dropped (as iptables)', () => {
  const ok = both(['loadbalancer.yaml'], { source: outside, dst: '198.51.100.10', dport: 443, proto: 'tcp', entryNode: 'node-a' });
  assert.deepEqual(endpointsOf(ok.ipvs), ['10.244.0.21:8443', '10.244.1.22:8443']);
  assert.equal(ok.ipvs.masquerade, true);
  sameAsIptables(ok);
  const refused = both(['loadbalancer.yaml'], { source: { kind: 'external', ip: '198.18.0.7' }, dst: '198.51.100.10', dport: 443, proto: 'tcp', entryNode: 'node-a' });
  assert.equal(refused.ipvs.verdict, 'DROP');
  assert.equal(refused.ipvs.outcomes[0]!.hops.at(-1)!.chain, 'KUBE-SOURCE-RANGES-FIREWALL');
  assert.equal(refused.iptables.verdict, 'DROP');
});

test('examples: ClusterIP with internalTrafficPolicy Local: only the node-local endpoint, no masquerade (as iptables)', () => {
  for (const [node, ep] of [['node-a', '10.244.0.10:53'], ['node-b', '10.244.1.10:53']] as const) {
    const r = both(['clusterip-dns.yaml'], { source: pod(node === 'node-a' ? '10.244.0.99' : '10.244.1.99', node), dst: '10.96.0.10', dport: 53, proto: 'udp' });
    assert.deepEqual(endpointsOf(r.ipvs), [ep]);
    assert.equal(r.ipvs.masquerade, false);
    sameAsIptables(r);
  }
});

test('examples: a VIP port without a virtual server is rejected by KUBE-IPVS-FILTER (IPVS only; iptables has no rule for it)', () => {
  const r = both(['loadbalancer.yaml'], { source: pod('10.244.0.99', 'node-a'), dst: '10.96.20.30', dport: 22, proto: 'tcp' });
  assert.equal(r.ipvs.verdict, 'REJECT');
  assert.equal(r.ipvs.outcomes[0]!.hops.at(-1)!.chain, 'KUBE-IPVS-FILTER');
  // iptables: no Service rule matches, the packet is routed on unchanged
  assert.equal(r.iptables.verdict, 'NONE');
});

const EXTERNAL_IPS = (policy: 'Cluster' | 'Local') => `apiVersion: v1
kind: Service
metadata: {name: ext, namespace: shop}
spec:
  clusterIP: 10.96.30.40
  externalIPs: [198.51.100.50]
  externalTrafficPolicy: ${policy}
  ports: [{name: http, port: 80, targetPort: 8080}]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: ext-1, namespace: shop, labels: {kubernetes.io/service-name: ext}}
addressType: IPv4
ports: [{name: http, port: 8080, protocol: TCP}]
endpoints:
  - {addresses: [10.244.0.30], nodeName: node-a}
  - {addresses: [10.244.1.30], nodeName: node-b}
`;

test('externalIP, Cluster policy: SNAT from outside (as iptables); IPVS also masquerades pods', () => {
  const r = both([], { source: outside, dst: '198.51.100.50', dport: 80, proto: 'tcp', entryNode: 'node-a' }, EXTERNAL_IPS('Cluster'));
  assert.deepEqual(endpointsOf(r.ipvs), ['10.244.0.30:8080', '10.244.1.30:8080']);
  assert.equal(r.ipvs.masquerade, true);
  sameAsIptables(r);
  // from a pod: IPVS's KUBE-EXTERNAL-IP rule marks every source (pkg/proxy/ipvs/proxier.go); iptables
  // mode short-circuits pods only under ETP=Local, so here it marks them as well: both masquerade
  const p = both([], { source: pod('10.244.0.99', 'node-a'), dst: '198.51.100.50', dport: 80, proto: 'tcp' }, EXTERNAL_IPS('Cluster'));
  assert.equal(p.ipvs.masquerade, true);
  assert.equal(p.ipvs.masquerade, p.iptables.masquerade);
});

test('externalIP, Local policy: the node-local endpoint, client address kept (as iptables)', () => {
  const r = both([], { source: outside, dst: '198.51.100.50', dport: 80, proto: 'tcp', entryNode: 'node-b' }, EXTERNAL_IPS('Local'));
  assert.deepEqual(endpointsOf(r.ipvs), ['10.244.1.30:8080']);
  assert.equal(r.ipvs.masquerade, false);
  assert.equal(r.ipvs.sourceSeenByPod, '203.0.113.7');
  sameAsIptables(r);
});

const NO_ENDPOINTS = `apiVersion: v1
kind: Service
metadata: {name: empty, namespace: shop}
spec:
  type: NodePort
  clusterIP: 10.96.40.50
  ports: [{name: http, port: 80, targetPort: 8080, nodePort: 30090}]
`;

test('no endpoints: the virtual server has no real server, ip_vs_leave answers ICMP port unreachable (REJECT, as iptables)', () => {
  for (const request of [
    { source: pod('10.244.0.99', 'node-a'), dst: '10.96.40.50', dport: 80, proto: 'tcp' },
    { source: outside, dst: '192.168.0.2', dport: 30090, proto: 'tcp' },
  ] as TraceRequest[]) {
    const r = both([], request, NO_ENDPOINTS);
    assert.equal(r.ipvs.verdict, 'REJECT');
    const last = r.ipvs.outcomes[0]!.hops.at(-1)!;
    assert.equal(last.chain, IPVS_CHAIN);
    assert.match(last.action, /^REJECT \(IPVS at LOCAL_IN: virtual server .* has no real server; the kernel's ip_vs_leave sends ICMP port unreachable.*inferred/);
    assert.equal(r.iptables.verdict, 'REJECT');
  }
});

const ITP_LOCAL_REMOTE_ONLY = `apiVersion: v1
kind: Service
metadata: {name: cache, namespace: shop}
spec:
  clusterIP: 10.96.50.60
  internalTrafficPolicy: Local
  ports: [{name: redis, port: 6379}]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: cache-1, namespace: shop, labels: {kubernetes.io/service-name: cache}}
addressType: IPv4
ports: [{name: redis, port: 6379, protocol: TCP}]
endpoints:
  - {addresses: [10.244.1.60], nodeName: node-b}
`;

test('internalTrafficPolicy Local, endpoint only on another node: IPVS has no real server (REJECT); iptables DROPs', () => {
  // IPVS differs in the verdict only: CategorizeEndpoints gives no cluster-wide endpoints to a
  // ClusterIP-only service with ITP=Local, so syncEndpoint's fallback finds nothing (pkg/proxy/ipvs/proxier.go syncEndpoint)
  const r = both([], { source: pod('10.244.0.99', 'node-a'), dst: '10.96.50.60', dport: 6379, proto: 'tcp' }, ITP_LOCAL_REMOTE_ONLY);
  assert.equal(r.ipvs.verdict, 'REJECT');
  assert.equal(r.iptables.verdict, 'DROP');
  const onB = both([], { source: pod('10.244.1.99', 'node-b'), dst: '10.96.50.60', dport: 6379, proto: 'tcp' }, ITP_LOCAL_REMOTE_ONLY);
  assert.deepEqual(endpointsOf(onB.ipvs), ['10.244.1.60:6379']);
  sameAsIptables(onB);
});

test('every example walks on both nodes in IPVS mode without an unmodelled rule', () => {
  for (const f of ['clusterip-dns.yaml', 'loadbalancer.yaml', 'nodeport-local.yaml']) {
    const m = model([f], 'ipvs');
    const w = new Walker(m, new Map(), 'ipvs');
    for (const node of m.profile.nodes) {
      const state = generateIpvs(m, { nodeName: node.name });
      for (const vs of state.virtualServers) {
        const r = w.trace({ source: outside, dst: vs.address, dport: vs.port, proto: vs.protocol.toLowerCase() as 'tcp', entryNode: node.name });
        assert.ok(r.verdict === 'DNAT' || r.verdict === 'DROP' || r.verdict === 'REJECT', `${f} ${node.name} ${vs.key}: ${r.summary}`);
      }
    }
  }
});
