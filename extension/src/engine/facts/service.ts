// The facts of one Service, computed once from walks over the generated rules: for every way in
// (who connects, through which node, to which address and port) the verdict, the endpoints with
// their probabilities, whether and where the source is rewritten, what each endpoint sees, whether
// the reply finds its way back, and the rule that decided. Every surface renders these facts.
import type { ClusterModel, ServiceEntry } from '../model/cluster';
import type { NodeProfile, ProxyMode } from '../model/profile';
import { defaultService, type ServicePortInfo, type SkipReason } from '../model/service';
import { backendFor, type PortChains, type ProxySemantics } from '../proxy/backends';
import { localTrafficDetector } from '../proxy/common';
import { joinHostPort } from '../util/ip';
import { EXTERNAL_CLIENT_IP } from '../walk/choices';
import { hasEffect } from '../walk/effects';
import { topologyFacts, type TopologyFacts } from './topology';
import type { OverlayDevice } from '../egress/podNetwork';
import { nodeClasses, nodeRenamer, sparePodIP, type NodeClass, type NodeRenaming } from './nodeClasses';
import type { RuleHop } from '../walk/netfilter';
import { walkerFor, type GroupedWalk, type TraceRequest, type Verdict, type Walker, type WalkOutcome, type WalkResult } from '../walk/walk';

export type ClientKind = 'external' | 'pod' | 'node';
export type EntryVia = 'clusterIP' | 'nodePort' | 'loadBalancer' | 'externalIP';

export interface EndpointFact {
  /** "ip:port" the connection is DNATed to. */
  readonly endpoint: string;
  readonly node: string | null;
  readonly probability: number;
  /** kube-proxy masqueraded the connection on its way to this endpoint. */
  readonly masquerade: boolean;
  /** The node whose rules masqueraded it (null: no masquerade). */
  readonly snatNode: string | null;
  /** The source address this endpoint sees. */
  readonly sourceSeen: string | null;
  /** The reply does not come back through the node that translated the connection: it fails. */
  readonly replyBroken: boolean;
  /** The masqueraded connection left by an overlay device (its address is the source seen, when known). */
  readonly overlay?: OverlayDevice;
}

/** The rule that decided a connection's fate (the drop, the reject, or the DNAT). */
export interface DecidingRule {
  readonly node: string;
  readonly table: string;
  readonly chain: string;
  readonly rule: string;
}

export interface EntryFact {
  readonly client: ClientKind;
  /** The client's address. */
  readonly source: string;
  /** The node the connection enters (a pod's or node client's own node). */
  readonly node: string;
  readonly via: EntryVia;
  /** "ip:port" the client connects to. */
  readonly address: string;
  readonly verdict: Verdict;
  readonly endpoints: readonly EndpointFact[];
  readonly rule: DecidingRule | null;
  /** The walk request, so that any surface can replay exactly this walk. */
  readonly request: TraceRequest;
}

export interface ServiceFacts {
  /** "namespace/name". */
  readonly service: string;
  readonly mode: ProxyMode;
  readonly headless: boolean;
  /** Why kube-proxy writes no rules for the Service; null when it does. */
  readonly skipped: SkipReason | null;
  /** EndpointSlices kube-proxy's label filter hides. */
  readonly hiddenSlices: readonly string[];
  /** Distinct ready endpoints over all ports. */
  readonly readyEndpoints: number;
  readonly externallyAccessible: boolean;
  /** The port these facts are of; null without ports. */
  readonly port: ServicePortInfo | null;
  readonly chains: PortChains | null;
  readonly semantics: Omit<ProxySemantics, 'chains'>;
  /** kube-proxy can tell pod traffic from other traffic (detect-local by clusterCIDR). */
  readonly localTrafficDetector: boolean;
  /** Load-balancer ingress addresses with ipMode Proxy: kube-proxy writes no rules for them. */
  readonly proxiedIngress: readonly string[];
  readonly entries: readonly EntryFact[];
  /** Zones and hints: per node the endpoints CategorizeEndpoints keeps; null without ports. */
  readonly topology: TopologyFacts | null;
}

const networks = new WeakMap<ClusterModel, Walker>();
const walkers = new WeakMap<ClusterModel, WeakMap<ServiceEntry, Walker>>();
const cache = new WeakMap<ClusterModel, WeakMap<ServiceEntry, ServiceFacts[]>>();

function memo<K extends object, V>(map: WeakMap<ClusterModel, WeakMap<K, V>>, model: ClusterModel, key: K, make: () => V): V {
  let perModel = map.get(model);
  if (!perModel) map.set(model, (perModel = new WeakMap()));
  let value = perModel.get(key);
  if (value === undefined) perModel.set(key, (value = make()));
  return value;
}

/**
 * The walker every surface walks one Service with: its rules alone (a Service's rules do not depend on
 * the others') in the whole model's network (nodes, pods, every Service's endpoints), built once per model.
 */
export function serviceWalker(entry: ServiceEntry, model: ClusterModel): Walker {
  return memo(walkers, model, entry, () => {
    let base = networks.get(model);
    if (!base) networks.set(model, (base = walkerFor(model)));
    return base.forServices([entry]);
  });
}

/** The facts of one of the Service's ports (the first by default, the one hovers and the CodeLens speak about), computed once per model. */
export function serviceFacts(entry: ServiceEntry, model: ClusterModel, portIndex = 0): ServiceFacts {
  const perPort = memo(cache, model, entry, (): ServiceFacts[] => []);
  return (perPort[portIndex] ??= computeFacts(entry, model, serviceWalker(entry, model), portIndex));
}

function computeFacts(entry: ServiceEntry, model: ClusterModel, walker: Walker, portIndex: number): ServiceFacts {
  const backend = backendFor(model.profile.proxyMode);
  const { chains, ...semantics } = backend.semantics;
  const sp = entry.ports[portIndex]?.info ?? null;
  const readyEndpoints = new Set(entry.ports.flatMap(p => p.endpoints.filter(e => e.ready).map(e => e.key))).size;
  const proxiedIngress = (entry.service.status?.loadBalancer?.ingress ?? []).filter(i => i?.ip && i.ipMode === 'Proxy').map(i => i.ip!);
  // the walks (every way in, each with every endpoint) are most of the cost, and some readers need
  // none of them (the CodeLens of a cluster-internal Service): walked on first read, then kept
  let entries: readonly EntryFact[] | undefined;
  let topology: TopologyFacts | null | undefined;
  return {
    service: `${entry.obj.namespace}/${entry.obj.name}`,
    mode: backend.mode,
    headless: defaultService(entry.service).headless,
    skipped: entry.skipped,
    hiddenSlices: entry.hiddenSlices,
    readyEndpoints,
    externallyAccessible: sp !== null && (sp.nodePort !== 0 || sp.loadBalancerVIPs.length > 0 || sp.externalIPs.length > 0),
    port: sp,
    chains: sp ? chains(sp) : null,
    semantics,
    localTrafficDetector: localTrafficDetector(model.profile, model.profile.nodes[0]) !== null,
    proxiedIngress,
    get topology() {
      return (topology ??= topologyFacts(entry, model));
    },
    get entries() {
      return (entries ??= sp ? entryFacts(sp, model, walker, nodeClasses(entry, model, walker.network)) : []);
    },
  };
}

type EntryRequest = { client: ClientKind; via: EntryVia; request: TraceRequest };

/**
 * The facts of every way into a Service port: external clients through each node, then pods and nodes
 * from inside, node by node in profile order. One node of each class is walked; the other members get
 * its facts with their own names and addresses (`classes`: nodeClasses, or singletonClasses to walk all).
 */
export function entryFacts(sp: ServicePortInfo, model: ClusterModel, walker: Walker, classes: readonly NodeClass[]): EntryFact[] {
  const byNode = new Map<string, { external: EntryFact[]; inside: EntryFact[] }>();
  const walk = (rs: readonly EntryRequest[]) => rs.map(e => entryFact(e.client, e.via, e.request, walker.branches(e.request)));
  for (const { members } of classes) {
    const first = members[0]!;
    const asked = nodeRequests(sp, first, walker);
    const walked = { external: walk(asked.external), inside: walk(asked.inside) };
    byNode.set(first.name, walked);
    const renamer = members.length > 1 ? nodeRenamer(walker.network, first) : null;
    for (const member of members.slice(1)) {
      const own = nodeRequests(sp, member, walker);
      // a class has one shape of requests; should a member ask differently, it is walked itself
      if (own.external.length !== asked.external.length || own.inside.length !== asked.inside.length) {
        byNode.set(member.name, { external: walk(own.external), inside: walk(own.inside) });
        continue;
      }
      const rename = renamer!(member);
      byNode.set(member.name, {
        external: walked.external.map((f, i) => renamedFact(f, own.external[i]!.request, rename)),
        inside: walked.inside.map((f, i) => renamedFact(f, own.inside[i]!.request, rename)),
      });
    }
  }
  const nodes = model.profile.nodes;
  return [...nodes.flatMap(n => byNode.get(n.name)?.external ?? []), ...nodes.flatMap(n => byNode.get(n.name)?.inside ?? [])];
}

/** A node's ways into a Service port: external clients through it, and its pods and itself from inside. */
function nodeRequests(sp: ServicePortInfo, node: NodeProfile, walker: Walker): { external: EntryRequest[]; inside: EntryRequest[] } {
  const proto = sp.protocol.toLowerCase() as TraceRequest['proto'];
  const external: EntryRequest[] = [], inside: EntryRequest[] = [];
  const from = (via: EntryVia, dst: string, dport: number) =>
    external.push({ client: 'external', via, request: { source: { kind: 'external', ip: EXTERNAL_CLIENT_IP }, entryNode: node.name, dst, dport, proto } });
  const within = (via: EntryVia, dst: string, dport: number) => {
    const podIP = sparePodIP(walker.network, node);
    if (podIP) inside.push({ client: 'pod', via, request: { source: { kind: 'pod', ip: podIP, node: node.name }, dst, dport, proto } });
    const nodeIP = walker.network.node(node.name) ? walker.network.primaryIP(node) : null;
    if (nodeIP) inside.push({ client: 'node', via, request: { source: { kind: 'node', node: node.name, ip: nodeIP }, dst, dport, proto } });
  };
  if (sp.nodePort) from('nodePort', walker.network.primaryIP(node), sp.nodePort);
  for (const vip of sp.loadBalancerVIPs) from('loadBalancer', vip, sp.port);
  for (const ip of sp.externalIPs) from('externalIP', ip, sp.port);
  within('clusterIP', sp.clusterIP, sp.port);
  // in-cluster clients of a load-balancer address are captured on their own node (ipMode VIP)
  for (const vip of sp.loadBalancerVIPs) within('loadBalancer', vip, sp.port);
  return { external, inside };
}

/** Another class member's facts: the walked node's names and addresses replaced by the member's. */
function renamedFact(f: EntryFact, request: TraceRequest, rename: NodeRenaming): EntryFact {
  const hostPort = (s: string) => { const m = /^\[?(.*?)\]?:(\d+)$/.exec(s); return m ? joinHostPort(rename.address(m[1]!), Number(m[2])) : rename.address(s); };
  return {
    ...f, source: rename.address(f.source), node: rename.node(f.node), address: hostPort(f.address), request,
    endpoints: f.endpoints.map(p => ({
      ...p, node: p.node === null ? null : rename.node(p.node), snatNode: p.snatNode === null ? null : rename.node(p.snatNode),
      sourceSeen: p.sourceSeen === null ? null : rename.address(p.sourceSeen),
    })),
    rule: f.rule && { ...f.rule, node: rename.node(f.rule.node), rule: rename.text(f.rule.rule) },
  };
}

/** The facts of one walk (for a hover that walks a client of its own, such as a source outside loadBalancerSourceRanges). */
export function walkFact(r: WalkResult, via: EntryVia): EntryFact {
  return entryFact(r.request.source.kind, via, r.request, r);
}

/** One branch's share of an outcome: a grouped outcome stands for each of its members. */
interface Branch { readonly outcome: WalkOutcome; readonly endpoint: string | null; readonly probability: number; readonly order: number }

function branchesOf(outcomes: readonly WalkOutcome[]): Branch[] {
  const grouped = outcomes.some(o => o.members);
  const out: Branch[] = [];
  outcomes.forEach((outcome, i) => {
    if (!outcome.members) out.push({ outcome, endpoint: outcome.endpoint, probability: outcome.probability, order: grouped ? -1 : i });
    else for (const m of outcome.members) out.push({ outcome, endpoint: m.endpoint, probability: m.probability, order: m.order });
  });
  // in the order the ungrouped walk reaches them (a sort is stable: an outcome's members keep theirs)
  return grouped ? out.sort((a, b) => a.order - b.order) : out;
}

function entryFact(client: ClientKind, via: EntryVia, request: TraceRequest, r: Pick<GroupedWalk, 'packet' | 'firstNode' | 'outcomes'>): EntryFact {
  const branches = branchesOf(r.outcomes);
  const byEndpoint = new Map<string, { fact: EndpointFact; probability: number }>();
  for (const { outcome: o, endpoint, probability } of branches) {
    if (o.verdict !== 'DNAT' || !endpoint) continue;
    const seen = byEndpoint.get(endpoint);
    const sourceSeen = o.sourceSeen ? o.sourceSeen.replace(/:(\d+|\*)$/, '').replace(/^\[|\]$/g, '') : null;
    const fact: EndpointFact = {
      endpoint, node: o.endpointNode, probability: (seen?.probability ?? 0) + probability,
      masquerade: (seen?.fact.masquerade ?? false) || o.masqueraded, snatNode: seen?.fact.snatNode ?? (o.masqueraded ? o.natNode : null),
      sourceSeen: seen?.fact.sourceSeen ?? sourceSeen, replyBroken: (seen?.fact.replyBroken ?? false) || o.replyBroken,
      ...(seen?.fact.overlay ?? o.overlay ? { overlay: seen?.fact.overlay ?? o.overlay } : {}),
    };
    byEndpoint.set(endpoint, { fact, probability: fact.probability });
  }
  // the walk's verdict: DNAT if any branch reaches an endpoint, else the most likely single branch's
  const verdict: Verdict = branches.some(b => b.outcome.verdict === 'DNAT') ? 'DNAT'
    : branches.reduce<Branch | undefined>((best, b) => (best === undefined || b.probability > best.probability ? b : best), undefined)?.outcome.verdict ?? 'NONE';
  return {
    client, source: r.packet.src, node: r.firstNode, via, address: joinHostPort(r.packet.dst, r.packet.dport),
    verdict, endpoints: [...byEndpoint.values()].map(e => e.fact), rule: decidingRule(verdict, r.outcomes), request,
  };
}

/** The rule that decided: the first branch's drop or reject, or its DNAT. */
function decidingRule(verdict: Verdict, outcomes: readonly WalkOutcome[]): DecidingRule | null {
  const hop = (h: RuleHop | undefined) => (h ? { node: h.node, table: h.table, chain: h.chain, rule: h.rule } : null);
  if (verdict === 'DROP' || verdict === 'REJECT') return hop(outcomes.find(o => o.verdict === verdict)?.hops.at(-1));
  if (verdict === 'DNAT') return hop(outcomes.find(o => o.verdict === 'DNAT')?.hops.find(h => hasEffect(h.effects, 'dnat')));
  return null;
}
