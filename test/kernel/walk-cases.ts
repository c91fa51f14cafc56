// The walk-vs-kernel machinery shared by walk.test.ts (iptables mode) and walk-nft.test.ts
// (nftables mode): the two-node lab cluster, its Services, the cases, and the comparison of one
// case's walk with real connections. A back end (`KernelBackend`) says how its rules are loaded into
// the lab nodes and how the kernel's own record of a verdict is read (iptables packet counters,
// nftables rule tracing).
//
// For every case the walk predicts which endpoints a connection can reach and which source address
// each pod sees, then real connections are made and the kernel's answer must match:
//   - the set of endpoints reached == the set the walk predicts (probability > 0);
//   - every reached pod saw exactly the source address the walk predicts for it;
//   - DROP: every try times out, REJECT: every try is refused, and in both cases the kernel's record
//     of the chain the walk names as the last hop shows at least one packet per try.
// Each case also pins what the walk should say (`expect`), so a case cannot silently stop exercising
// what its name says. Everything runs twice: pod links with a gateway address (bridge/ptp CNI style)
// and without one (Calico style), which changes the address MASQUERADE picks towards a local pod.
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import { withLab, type Lab, type LabMember, type LabSpec } from './lab';
import { parseManifest, type AnyManifestObject } from '../../extension/src/engine/manifest/manifest';
import { parseProfile, type ClusterProfile } from '../../extension/src/engine/model/profile';
import { buildClusterModel, type ClusterModel } from '../../extension/src/engine/model/cluster';
import { Walker, type TraceSource, type WalkOutcome, type WalkResult } from '../../extension/src/engine/walk/walk';
import type { RuleHop } from '../../extension/src/engine/walk/netfilter';

// ------------------------------------------------------------------------------------ the cluster

export type Style = 'ip' | 'none';
export type Mode = 'iptables' | 'nftables';

export const N1 = '192.168.0.2';
export const N2 = '192.168.0.3';
export const GW1 = '10.0.1.1';
export const GW2 = '10.0.2.1';
export const EXT = '203.0.113.2'; // inside the LoadBalancer's loadBalancerSourceRanges
export const EXT2 = '100.64.0.2'; // outside them
export const A1 = '10.0.1.2'; // node1
export const A2 = '10.0.1.3'; // node1
export const B1 = '10.0.2.2'; // node2
export const PORT = 8080;

export const WEB_IP = '172.30.0.10'; // NodePort 30080, externalTrafficPolicy Cluster: a1, a2, b1
export const LOC_IP = '172.30.0.11'; // NodePort 30081, externalTrafficPolicy Local: a1 (node1 only)
export const EMPTY_IP = '172.30.0.12'; // ClusterIP without endpoints
export const LB_VIP = '198.51.100.10'; // LoadBalancer, Cluster, loadBalancerSourceRanges [203.0.113.0/24]: a1, b1
export const LBLOC_VIP = '198.51.100.11'; // LoadBalancer, Local: b1 (node2 only)
export const STICKY_IP = '172.30.0.15'; // NodePort 30085, Cluster, sessionAffinity ClientIP: a1, a2, b1

export const POD_NAMES: Record<string, string> = { [A1]: 'a1', [A2]: 'a2', [B1]: 'b1' };

export function labSpec(style: Style): LabSpec {
  return {
    nodes: [
      { name: 'node1', ip: N1, podCIDR: '10.0.1.0/24', podGateway: style, pods: [{ name: 'a1', ip: A1, ports: [PORT] }, { name: 'a2', ip: A2, ports: [PORT] }] },
      { name: 'node2', ip: N2, podCIDR: '10.0.2.0/24', podGateway: style, pods: [{ name: 'b1', ip: B1, ports: [PORT] }] },
    ],
    clients: [{ name: 'ext', ip: EXT }, { name: 'ext2', ip: EXT2 }],
    serviceCIDR: '172.30.0.0/16',
    // Stands in for a node's default route: a VIP packet that is not DNATed is forwarded (and so
    // reaches filter FORWARD, where a DROP verdict lives) instead of failing the route lookup.
    extraLocalRoutes: ['198.51.100.0/24'],
  };
}

/** The iptables-only settings are left out in nftables mode, which does not read them. */
function profileYaml(style: Style, mode: Mode): string {
  const gw = (ip: string) => (style === 'ip' ? ip : 'none');
  return `
proxyMode: ${mode}
nodeName: node1
nodeIPs: [${N1}]
clusterCIDR: 10.0.0.0/16
serviceCIDRs: [172.30.0.0/16]
allocate: false
${mode === 'iptables' ? 'iptablesRandomFully: true\nnfacctCounters: []\n' : ''}nodes:
  - { name: node1, ips: [${N1}], podCIDR: 10.0.1.0/24, podGateway: ${gw(GW1)} }
  - { name: node2, ips: [${N2}], podCIDR: 10.0.2.0/24, podGateway: ${gw(GW2)} }
`;
}

function service(name: string, clusterIP: string, type: string, extra: string, eps: [string, string][]): string {
  const slice = `---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: { name: ${name}-x, namespace: lab, labels: { kubernetes.io/service-name: ${name} } }
addressType: IPv4
ports: [{ name: http, port: ${PORT}, protocol: TCP }]
endpoints:${eps.length === 0 ? ' []' : ''}
${eps.map(([ip, node]) => `  - { addresses: [${ip}], nodeName: ${node}, conditions: { ready: true } }`).join('\n')}
`;
  return `---
apiVersion: v1
kind: Service
metadata: { name: ${name}, namespace: lab }
spec:
  type: ${type}
  clusterIP: ${clusterIP}
${extra}
${slice}`;
}

const MANIFEST = [
  service('web', WEB_IP, 'NodePort', `  externalTrafficPolicy: Cluster
  ports: [{ name: http, port: 80, targetPort: ${PORT}, nodePort: 30080 }]`, [[A1, 'node1'], [A2, 'node1'], [B1, 'node2']]),
  service('loc', LOC_IP, 'NodePort', `  externalTrafficPolicy: Local
  ports: [{ name: http, port: 80, targetPort: ${PORT}, nodePort: 30081 }]`, [[A1, 'node1']]),
  service('empty', EMPTY_IP, 'ClusterIP', `  ports: [{ name: http, port: 80, targetPort: ${PORT} }]`, []),
  service('lb', '172.30.0.13', 'LoadBalancer', `  externalTrafficPolicy: Cluster
  loadBalancerSourceRanges: [203.0.113.0/24]
  ports: [{ name: http, port: 80, targetPort: ${PORT}, nodePort: 30083 }]
status: { loadBalancer: { ingress: [{ ip: ${LB_VIP} }] } }`, [[A1, 'node1'], [B1, 'node2']]),
  service('lbloc', '172.30.0.14', 'LoadBalancer', `  externalTrafficPolicy: Local
  healthCheckNodePort: 32004
  ports: [{ name: http, port: 80, targetPort: ${PORT}, nodePort: 30084 }]
status: { loadBalancer: { ingress: [{ ip: ${LBLOC_VIP} }] } }`, [[B1, 'node2']]),
  service('sticky', STICKY_IP, 'NodePort', `  sessionAffinity: ClientIP
  ports: [{ name: http, port: 80, targetPort: ${PORT}, nodePort: 30085 }]`, [[A1, 'node1'], [A2, 'node1'], [B1, 'node2']]),
].join('');

/** The lab cluster's objects and profile (test/reference applies them to a real API server). */
export function labInput(style: Style, mode: Mode = 'iptables'): { objects: AnyManifestObject[]; profile: ClusterProfile } {
  const prof = parseProfile(profileYaml(style, mode));
  assert.deepEqual(prof.problems.map((p) => p.message), [], 'profile parses cleanly');
  const file = parseManifest(MANIFEST, 'walk-lab.yaml');
  assert.deepEqual(file.problems.filter((p) => p.severity === 'error').map((p) => p.message), [], 'manifest parses cleanly');
  return { objects: file.objects, profile: prof.profile };
}

export function buildModel(style: Style, mode: Mode = 'iptables'): ClusterModel {
  const { objects, profile } = labInput(style, mode);
  return buildClusterModel(objects, profile);
}

// ---------------------------------------------------------------------------------------- cases

/**
 * What the walk should say: the source address each reached pod sees, or a failure verdict, or
 * 'NONE': no rule translates the connection and it reaches the node itself, where nothing listens
 * (the kernel refuses it with a TCP reset, not a REJECT rule).
 */
export type Expect = Record<string, string> | 'DROP' | 'REJECT' | 'NONE';

export interface Case {
  name: string;
  from: LabMember;
  source: TraceSource;
  dst: string;
  dport: number;
  entryNode?: string;
  /** Client-side route for a VIP: [client, cidr, node]. */
  via?: [string, string, string];
  expect: Expect;
  /** A known disagreement (the reason): the case runs as a todo test, so it reports but does not fail. */
  todo?: string;
}

/** MASQUERADE picks the egress interface's address: towards a pod on the same node that is the pod link's gateway address ('ip') or, without one ('none'), the node address. */
export function localSource(style: Style, node: 'node1' | 'node2'): string {
  return node === 'node1' ? (style === 'ip' ? GW1 : N1) : (style === 'ip' ? GW2 : N2);
}

export function cases(style: Style): Case[] {
  const local1 = localSource(style, 'node1');
  const local2 = localSource(style, 'node2');
  const ext = { kind: 'external', ip: EXT } as const;
  return [
    { name: 'NodePort, externalTrafficPolicy Cluster: external client -> node1', from: { client: 'ext' }, source: ext, dst: N1, dport: 30080, entryNode: 'node1',
      expect: { a1: local1, a2: local1, b1: N1 } },
    { name: 'NodePort, externalTrafficPolicy Cluster: external client -> node2', from: { client: 'ext' }, source: ext, dst: N2, dport: 30080, entryNode: 'node2',
      expect: { a1: N2, a2: N2, b1: local2 } },
    { name: 'NodePort, externalTrafficPolicy Local: external client -> node1 (local endpoint): client IP kept', from: { client: 'ext' }, source: ext, dst: N1, dport: 30081, entryNode: 'node1',
      expect: { a1: EXT } },
    { name: 'NodePort, externalTrafficPolicy Local: external client -> node2 (no local endpoint): DROP', from: { client: 'ext' }, source: ext, dst: N2, dport: 30081, entryNode: 'node2',
      expect: 'DROP' },
    { name: 'NodePort, externalTrafficPolicy Local: pod b1 -> its own node2 (pods short-circuit to every endpoint)', from: { pod: 'b1' }, source: { kind: 'pod', ip: B1, node: 'node2' }, dst: N2, dport: 30081,
      expect: { a1: B1 } },
    { name: 'NodePort, Cluster: pod a1 -> node2 (crosses node1 untranslated, NATed on node2)', from: { pod: 'a1' }, source: { kind: 'pod', ip: A1, node: 'node1' }, dst: N2, dport: 30080,
      expect: { a1: N2, a2: N2, b1: local2 } },
    { name: 'NodePort, Cluster: node1 host network -> its own node IP', from: { node: 'node1' }, source: { kind: 'node', node: 'node1' }, dst: N1, dport: 30080,
      expect: { a1: local1, a2: local1, b1: N1 } },
    { name: 'ClusterIP: pod a1 -> service (itself = hairpin, masqueraded; a2 and b1 see the pod IP)', from: { pod: 'a1' }, source: { kind: 'pod', ip: A1, node: 'node1' }, dst: WEB_IP, dport: 80,
      expect: { a1: local1, a2: A1, b1: A1 } },
    { name: 'ClusterIP: pod b1 -> service (itself = hairpin, masqueraded)', from: { pod: 'b1' }, source: { kind: 'pod', ip: B1, node: 'node2' }, dst: WEB_IP, dport: 80,
      expect: { a1: B1, a2: B1, b1: local2 } },
    { name: 'ClusterIP: node1 host network -> service (masqueraded: not from the cluster CIDR)', from: { node: 'node1' }, source: { kind: 'node', node: 'node1' }, dst: WEB_IP, dport: 80,
      expect: { a1: local1, a2: local1, b1: N1 } },
    { name: 'ClusterIP: node2 host network -> service', from: { node: 'node2' }, source: { kind: 'node', node: 'node2' }, dst: WEB_IP, dport: 80,
      expect: { a1: N2, a2: N2, b1: local2 } },
    { name: 'ClusterIP without endpoints: pod a1 -> REJECT', from: { pod: 'a1' }, source: { kind: 'pod', ip: A1, node: 'node1' }, dst: EMPTY_IP, dport: 80,
      expect: 'REJECT' },
    { name: 'LoadBalancer VIP, Cluster: external client (in loadBalancerSourceRanges) routed to node2', from: { client: 'ext' }, source: ext, dst: LB_VIP, dport: 80, entryNode: 'node2',
      via: ['ext', `${LB_VIP}/32`, 'node2'], expect: { a1: N2, b1: local2 } },
    { name: 'LoadBalancer VIP, Cluster: client outside loadBalancerSourceRanges routed to node1: DROP', from: { client: 'ext2' }, source: { kind: 'external', ip: EXT2 }, dst: LB_VIP, dport: 80, entryNode: 'node1',
      via: ['ext2', `${LB_VIP}/32`, 'node1'], expect: 'DROP' },
    { name: 'LoadBalancer VIP, Local: routed to node2 (local endpoint): client IP kept', from: { client: 'ext' }, source: ext, dst: LBLOC_VIP, dport: 80, entryNode: 'node2',
      via: ['ext', `${LBLOC_VIP}/32`, 'node2'], expect: { b1: EXT } },
    { name: 'LoadBalancer VIP, Local: routed to node1 (no local endpoint): DROP', from: { client: 'ext' }, source: ext, dst: LBLOC_VIP, dport: 80, entryNode: 'node1',
      via: ['ext', `${LBLOC_VIP}/32`, 'node1'], expect: 'DROP' },
  ];
}

/**
 * Session affinity: a client's repeated connections. The walk's second pass (with what the first
 * connection left in the node's recent lists or affinity sets) must send each back to the endpoint
 * its first connection took, and the kernel must send every try to one endpoint among those.
 */
export type AffinityCase = Pick<Case, 'name' | 'from' | 'source' | 'dst' | 'dport' | 'entryNode'>;

export function affinityCases(): AffinityCase[] {
  const ext = { kind: 'external', ip: EXT } as const;
  return [
    { name: 'sessionAffinity ClientIP: pod b1 -> ClusterIP, again and again', from: { pod: 'b1' }, source: { kind: 'pod', ip: B1, node: 'node2' }, dst: STICKY_IP, dport: 80 },
    { name: 'sessionAffinity ClientIP: external client -> NodePort on node1, again and again', from: { client: 'ext' }, source: ext, dst: N1, dport: 30085, entryNode: 'node1' },
    { name: 'sessionAffinity ClientIP: external client -> NodePort on node2, again and again (node2 keeps its own list)', from: { client: 'ext' }, source: ext, dst: N2, dport: 30085, entryNode: 'node2' },
  ];
}

async function runAffinityCase(t: TestContext, lab: Lab, walker: Walker, c: AffinityCase): Promise<void> {
  const returns = walker.returning({ source: c.source, dst: c.dst, dport: c.dport, proto: 'tcp', ...(c.entryNode ? { entryNode: c.entryNode } : {}) });
  const firsts = returns.map((r) => r.first.endpoint);
  assert.equal(firsts.length, 3, `the first connection can take any of the three endpoints: ${JSON.stringify(firsts)}`);
  for (const r of returns) {
    assert.deepEqual(r.again.endpoints.map((e) => [e.endpoint, e.probability]), [[r.first.endpoint, 1]], `after ${r.first.endpoint}, the walk sends the next connection back there\n${r.again.summary}`);
  }
  await lab.flushConntrack(); // the recent lists and affinity sets are not conntrack: they stay
  const tries = 8;
  const res = await lab.connect(c.from, c.dst, c.dport, { count: tries, timeoutMs: 1000 });
  const got = res.map((r) => (r.ok ? r.local! : r.error ?? '?'));
  t.diagnostic(`walk: first connection to ${firsts.join(' or ')}, each later one back to the same; kernel (${tries} tries): ${got.join(', ')}`);
  assert.equal(new Set(got).size, 1, `every try reaches the same endpoint: ${got.join(', ')}`);
  assert.ok(firsts.includes(got[0]!), `${got[0]} is one of the walk's endpoints ${firsts.join(', ')}`);
}

// ------------------------------------------------------------------------------------ back ends

/** What the kernel recorded while a case's connections were made. */
export interface KernelRecord<T> {
  readonly value: T;
  /** DROP/REJECT cases: packets the kernel attributes to the walk's last hop (its chain and verdict). */
  readonly verdictPackets?: number;
  /** One line for the diagnostics, e.g. the counter delta. */
  readonly text?: string;
  /** Where the kernel's record contradicts the walk (beyond endpoints and sources). */
  readonly problems?: readonly string[];
}

export interface KernelBackend {
  /** Loads the rules the generator makes for every lab node. */
  load(lab: Lab, model: ClusterModel): Promise<void>;
  /**
   * Runs a case's connection tries (`fn`) and reads the kernel's own record of them. `last` is the
   * walk's last hop in a DROP/REJECT case (the rule the verdict should come from), else null.
   */
  record<T>(lab: Lab, walk: WalkResult, last: RuleHop | null, fn: () => Promise<T>): Promise<KernelRecord<T>>;
  /** "the DROP rules of filter X on node1": what `verdictPackets` counted, for failure messages. */
  verdictRecordName(last: RuleHop, verdict: string): string;
  /** What the kernel did, for failure messages. */
  evidence(lab: Lab): Promise<string>;
  /** The lab's watchdog (default 60 s); a backend that starts processes in the lab needs longer. */
  readonly maxRuntimeMs?: number;
  /** Whether a branch masqueraded (default: outcome.masqueraded). */
  masqueraded?(o: WalkOutcome, walk: WalkResult): boolean;
}

// ------------------------------------------------------------------------------------ checking

/** "ip:port" -> ip; the walk writes a port MASQUERADE --random-fully picks as "*". */
export const ipOf = (hostPort: string) => hostPort.replace(/:(\d+|\*)$/, '').replace(/^\[|\]$/g, '');
const podOf = (endpoint: string) => POD_NAMES[ipOf(endpoint)] ?? endpoint;
export const sorted = <T>(xs: Iterable<T>) => [...xs].sort();

/** Tries so that every endpoint with probability p misses with chance < 1e-9 (at least 20, at most 200). */
function triesFor(minP: number): number {
  if (!(minP > 0) || minP >= 1) return 20;
  return Math.min(200, Math.max(20, Math.ceil(Math.log(1e-9) / Math.log(1 - minP))));
}

export interface Timing { name: string; ms: number; tries: number }

/** What a DNAT case observed, for the masquerade check that follows it. */
export interface Observed { walk: WalkResult; rewritten: Map<string, boolean>; text: string }

const portOf = (hostPort: string) => /:(\d+)$/.exec(hostPort)?.[1] ?? '';

export async function runCase(t: TestContext, lab: Lab, walker: Walker, c: Case, timings: Timing[], backend: KernelBackend): Promise<Observed | null> {
  const t0 = performance.now();
  const walk: WalkResult = walker.trace({ source: c.source, dst: c.dst, dport: c.dport, proto: 'tcp', ...(c.entryNode ? { entryNode: c.entryNode } : {}) });
  t.diagnostic(`walk: ${walk.summary}`);

  // 1. the walk says what the case is about
  if (typeof c.expect === 'string') {
    assert.equal(walk.verdict, c.expect, `walk verdict\n${walk.summary}`);
  } else {
    assert.equal(walk.verdict, 'DNAT', `walk verdict\n${walk.summary}`);
    const expected = Object.fromEntries(Object.entries(c.expect).sort());
    const predicted = Object.fromEntries(walk.outcomes.filter((o) => o.verdict === 'DNAT' && o.endpoint).map((o) => [podOf(o.endpoint!), ipOf(o.sourceSeen ?? '?')] as const).sort());
    assert.deepEqual(predicted, expected, `walk: endpoint -> source seen\n${walk.summary}`);
  }

  // 2. the kernel does what the walk says
  await lab.flushConntrack();
  if (c.via) await lab.routeVia(...c.via);
  const fails = walk.outcomes.filter((o) => o.verdict === 'DROP' || o.verdict === 'REJECT' || o.replyBroken);
  const failP = fails.reduce((s, o) => s + o.probability, 0);
  const kernelProblems = (r: KernelRecord<unknown>) => (r.problems?.length ? `kernel record: ${r.problems.join('; ')}` : null);

  if (walk.verdict === 'DROP' || walk.verdict === 'REJECT') {
    assert.ok(failP > 0.999, `every branch fails (${failP})`);
    const last = fails[0]!.hops.at(-1)!;
    const tries = 5;
    const rec = await backend.record(lab, walk, last, () => lab.connect(c.from, c.dst, c.dport, { count: tries, timeoutMs: walk.verdict === 'DROP' ? 250 : 1000 }));
    const res = rec.value;
    const counted = rec.verdictPackets ?? 0;
    const want = walk.verdict === 'DROP' ? 'timeout' : 'ECONNREFUSED';
    const got = res.map((r) => (r.ok ? `reached ${r.pod} ${r.local} <- ${r.remote}` : r.error));
    t.diagnostic(`kernel (${tries} tries): ${got.join(', ')}; ${rec.text ?? ''}`);
    if (!got.every((g) => g === want)) assert.fail(`walk predicts ${walk.verdict} (${want} on every try); the kernel: ${JSON.stringify(got)}\n${walk.summary}\n${await backend.evidence(lab)}`);
    assert.ok(counted >= tries, `${backend.verdictRecordName(last, walk.verdict)} (the walk's last hop: ${last.rule}) counted ${counted} packets for ${tries} tries\n${await backend.evidence(lab)}`);
    const problem = kernelProblems(rec);
    if (problem) assert.fail(`${problem}\n${walk.summary}\n${await backend.evidence(lab)}`);
    timings.push({ name: c.name, ms: performance.now() - t0, tries });
    return null;
  }

  if (walk.verdict === 'NONE') {
    // nothing translates the connection: it reaches the node's own stack, where nothing listens
    assert.ok(walk.outcomes.every((o) => o.delivered.startsWith('a socket on')), `the walk delivers to the node itself\n${walk.summary}`);
    const tries = 5;
    const rec = await backend.record(lab, walk, null, () => lab.connect(c.from, c.dst, c.dport, { count: tries, timeoutMs: 1000 }));
    const got = rec.value.map((r) => (r.ok ? `reached ${r.pod} ${r.local} <- ${r.remote}` : r.error));
    t.diagnostic(`kernel (${tries} tries): ${got.join(', ')}${rec.text ? `; ${rec.text}` : ''}`);
    if (!got.every((g) => g === 'ECONNREFUSED')) assert.fail(`walk predicts no translation (refused by the node itself on every try); the kernel: ${JSON.stringify(got)}\n${walk.summary}\n${await backend.evidence(lab)}`);
    const problem = kernelProblems(rec);
    if (problem) assert.fail(`${problem}\n${walk.summary}\n${await backend.evidence(lab)}`);
    timings.push({ name: c.name, ms: performance.now() - t0, tries });
    return null;
  }

  const predicted = new Map(walk.endpoints.filter((e) => e.probability > 0).map((e) => [e.endpoint, e.probability]));
  const seenBy = new Map<string, Set<string>>();
  for (const o of walk.outcomes) {
    if (o.verdict !== 'DNAT' || !o.endpoint || !o.sourceSeen) continue;
    if (!seenBy.has(o.endpoint)) seenBy.set(o.endpoint, new Set());
    seenBy.get(o.endpoint)!.add(ipOf(o.sourceSeen));
  }
  // the top-level answer agrees with the branches
  const byPod = walk.sourceSeenByPod;
  for (const [ep, ips] of seenBy) {
    const top = typeof byPod === 'string' ? byPod : byPod?.[ep];
    assert.deepEqual([...ips], [top], `sourceSeenByPod (${JSON.stringify(byPod)}) vs the outcome for ${ep}`);
  }

  const tries = triesFor(Math.min(...predicted.values()));
  const rec = await backend.record(lab, walk, null, () => lab.connect(c.from, c.dst, c.dport, { count: tries, timeoutMs: 1000 }));
  const res = rec.value;
  // rewritten: the source address or port changed on the way (MASQUERADE --random-fully picks a new
  // port, so this shows a masquerade even where the new address equals the old one, e.g. a node
  // reaching a remote pod)
  const reached = new Map<string, { pods: Set<string>; sources: Set<string>; n: number; rewritten: number }>();
  const failed: string[] = [];
  for (const r of res) {
    if (!r.ok) { failed.push(r.error ?? '?'); continue; }
    const e = reached.get(r.local!) ?? { pods: new Set(), sources: new Set(), n: 0, rewritten: 0 };
    e.pods.add(r.pod!);
    e.sources.add(ipOf(r.remote!));
    e.n++;
    if (ipOf(r.remote!) !== ipOf(r.client ?? '') || portOf(r.remote!) !== portOf(r.client ?? '')) e.rewritten++;
    reached.set(r.local!, e);
  }
  const kernelText = [...reached].map(([ep, v]) => `${ep} (${[...v.pods].join(',')}) x${v.n} <- ${[...v.sources].join(',')}${v.rewritten ? ` (rewritten x${v.rewritten})` : ''}`).join('; ') + (failed.length ? `; failed: ${failed.join(',')}` : '');
  const walkText = [...predicted].map(([ep, p]) => `${ep} p=${p.toFixed(3)} <- ${[...(seenBy.get(ep) ?? [])].join(',')}`).join('; ');
  t.diagnostic(`kernel (${tries} tries): ${kernelText}${rec.text ? `; ${rec.text}` : ''}`);
  const problems: string[] = [];
  if (failP === 0 && failed.length > 0) problems.push(`${failed.length}/${tries} tries failed, the walk predicts none`);
  if (sorted(reached.keys()).join(' ') !== sorted(predicted.keys()).join(' ')) problems.push('endpoints reached != endpoints predicted');
  for (const [ep, v] of reached) {
    const want = seenBy.get(ep);
    if (!want) continue;
    if (sorted(v.sources).join(',') !== sorted(want).join(',')) problems.push(`${ep}: pod saw ${sorted(v.sources).join(',')}, walk predicts ${sorted(want).join(',')}`);
    if (v.pods.size !== 1 || POD_NAMES[ipOf(ep)] !== [...v.pods][0]) problems.push(`${ep} answered by ${[...v.pods].join(',')}`);
  }
  const problem = kernelProblems(rec);
  if (problem) problems.push(problem);
  if (problems.length > 0) {
    assert.fail(`${problems.join('; ')}\n  walk:   ${walkText}\n  kernel: ${kernelText}\n${walk.summary}\n${await backend.evidence(lab)}`);
  }
  timings.push({ name: c.name, ms: performance.now() - t0, tries });
  // every connection to an endpoint was rewritten, or none was
  for (const [ep, v] of reached) assert.ok(v.rewritten === 0 || v.rewritten === v.n, `${ep}: ${v.rewritten} of ${v.n} connections rewritten`);
  return { walk, rewritten: new Map([...reached].map(([ep, v]) => [ep, v.rewritten > 0])), text: kernelText };
}

/** The walk's masquerade answers (per branch and overall) against the connections that were rewritten. */
export function checkMasquerade(o: Observed, backend: KernelBackend): void {
  const masqueraded = (x: WalkOutcome) => (backend.masqueraded ? backend.masqueraded(x, o.walk) : x.masqueraded);
  const walkSays = new Map<string, boolean>();
  for (const x of o.walk.outcomes) if (x.verdict === 'DNAT' && x.endpoint) walkSays.set(x.endpoint, (walkSays.get(x.endpoint) ?? false) || masqueraded(x));
  const perEndpoint = (m: Map<string, boolean>) => Object.fromEntries(sorted(m.keys()).map((ep) => [ep, m.get(ep)]));
  const msg = `walk per endpoint (outcome.masqueraded) vs kernel (source rewritten)\n  kernel: ${o.text}\n${o.walk.summary}`;
  assert.deepEqual(perEndpoint(walkSays), perEndpoint(o.rewritten), msg);
  const overall = backend.masqueraded ? o.walk.outcomes.some(masqueraded) : o.walk.masquerade;
  assert.equal(overall, [...o.rewritten.values()].some(Boolean), `result.masquerade\n${msg}`);
}

/** One lab, every case as a subtest (plus its masquerade check), and the timings. */
export async function runLab(t: TestContext, style: Style, model: ClusterModel, walker: Walker, caseList: Case[], backend: KernelBackend): Promise<void> {
  const timings: Timing[] = [];
  const t0 = performance.now();
  await withLab(labSpec(style), async (lab) => {
    const setupMs = performance.now() - t0;
    await backend.load(lab, model);
    t.diagnostic(`lab setup ${setupMs.toFixed(0)} ms, rules loaded at ${(performance.now() - t0).toFixed(0)} ms`);
    for (const c of caseList) {
      let observed: Observed | null = null;
      await t.test(c.name, c.todo ? { todo: c.todo } : {}, async (st) => { observed = await runCase(st, lab, walker, c, timings, backend); });
      if (observed) await t.test(`${c.name}: masquerade flags`, () => checkMasquerade(observed!, backend));
    }
    for (const c of affinityCases()) await t.test(c.name, async (st) => runAffinityCase(st, lab, walker, c));
  }, { maxRuntimeMs: backend.maxRuntimeMs ?? 60_000 });
  t.diagnostic(`total ${(performance.now() - t0).toFixed(0)} ms; per case: ${timings.map((x) => `${x.ms.toFixed(0)} ms/${x.tries}`).join(', ')}`);
}
