// The packet walk: runs one connection's first packet through the rules generated for each node it
// crosses (nat and filter tables at each hook), follows every load-balancing branch, and derives the
// reply path from what conntrack recorded. Nothing here restates kube-proxy's logic: every rewrite
// comes from executing the generated rule text (see netfilter.ts).
import type { ClusterModel } from '../model/cluster';
import type { NodeProfile } from '../model/profile';
import type { IptablesRuleset } from '../proxy/iptables/generator';
import { ClusterNetwork } from './network';
import { canonicalIP, parseIP } from '../util/ip';
import { affinityEntry, formatPacket, makeHop, NodeRules, WalkError, type ConnState, type EndpointGrouping, type Hook, type NodeNetwork, type NodeProgram, type Packet, type RememberedClient, type RuleHop } from './netfilter';
import { effectOf, hasEffect, type HopEffect } from './effects';
import type { ProxyMode } from '../model/profile';
import type { EgressDecision } from '../egress/types';
import type { EgressPod } from '../egress/decide';
import type { OverlayDevice } from '../egress/podNetwork';
import { overlaySentence } from '../facts/podNetwork';
import { backendFor } from '../proxy/backends';
import { english, type Messages } from '../i18n';
import { podInterfaceName } from '../proxy/common';
import { hiddenSlicesSentence, skippedSentence } from '../facts/skipped';
import { hiddenFromKubeProxy, type SkipReason } from '../model/service';
import type { Delivery, ReplyWhat } from '../i18n/delivery.en';

export type TraceSource =
  | { readonly kind: 'external'; readonly ip: string }
  | { readonly kind: 'pod'; readonly ip: string; readonly node: string }
  /** The node itself (host network); `ip` picks one of its addresses, else the kernel's choice. */
  | { readonly kind: 'node'; readonly node: string; readonly ip?: string };

export interface TraceRequest {
  readonly source: TraceSource;
  readonly dst: string;
  readonly dport: number;
  readonly proto: 'tcp' | 'udp' | 'sctp';
  /** External sources: the node the packet reaches first (the NodePort's node, or where the LB or a route sends it). */
  readonly entryNode?: string;
  readonly sport?: number;
}

export type Verdict = 'DNAT' | 'DROP' | 'REJECT' | 'ACCEPT' | 'NONE';

export interface ReplyStep {
  readonly node: string | null;
  /** What the step does, for the catalog to word; `description` is its English. */
  readonly what: ReplyWhat;
  readonly description: string;
  readonly packet: Packet;
}

/** One way the connection can go (one load-balancing branch). */
export interface WalkOutcome {
  readonly probability: number;
  readonly verdict: Verdict;
  /** "ip:port" the connection was DNATed to. */
  readonly endpoint: string | null;
  readonly endpointNode: string | null;
  /** The node whose rules did the DNAT (and SNAT, if any): its conntrack holds the connection. */
  readonly natNode: string | null;
  readonly masqueraded: boolean;
  readonly snatAddress: string | null;
  /** Source ip:port the destination sees. */
  readonly sourceSeen: string | null;
  readonly hops: readonly RuleHop[];
  /** Where the connection ends, for the catalog to word; `delivered` is its English. */
  readonly delivery: Delivery;
  readonly delivered: string;
  readonly reply: readonly ReplyStep[];
  /** The reply cannot return through the node that translated the connection: the client drops it. */
  readonly replyBroken: boolean;
  /** Session affinity: the client addresses the nodes remember after this connection (recent lists, affinity sets). */
  readonly remembered: readonly RememberedClient[];
  /**
   * A grouped walk (Walker.branches): the branches this outcome stands for, each with the endpoint it
   * reached and its probability (`probability` and `endpoint` above are the walked one's, counted from
   * its branch); `order` is where the ungrouped walk would have reached it.
   */
  readonly members?: readonly { readonly endpoint: string | null; readonly probability: number; readonly order: number }[];
  /** kube-proxy's MASQUERADE sent it by an overlay device: the source is that device's address (null: not in the input). */
  readonly overlay?: OverlayDevice;
}

/** A walk whose equivalent endpoint branches were walked once (see Walker.branches). */
export interface GroupedWalk {
  readonly request: TraceRequest;
  readonly packet: Packet;
  readonly firstNode: string;
  readonly outcomes: readonly WalkOutcome[];
}

export type { RememberedClient };

/** Session affinity: one way a client's first connection went, and where its next one goes. */
export interface ReturningClient {
  readonly first: WalkOutcome;
  readonly again: WalkResult;
}

/** The interface packets from the network (other nodes, external clients) enter a node by. */
const UPLINK_INTERFACE = 'eth0';

/** The chain name of the walk's hop for the CNI's own egress SNAT (it is not a kube-proxy rule). */
export const CNI_EGRESS_CHAIN = 'CNI egress';

export interface WalkResult {
  readonly request: TraceRequest;
  readonly packet: Packet;
  readonly firstNode: string;
  readonly verdict: Verdict;
  readonly endpoints: readonly { endpoint: string; probability: number; node: string | null }[];
  /** The masquerade mark was set (in any branch) on the node that translated the connection. */
  readonly masquerade: boolean;
  readonly snatAddress: string | null;
  /** Source address the pod sees: one "ip" when every branch agrees, else per endpoint. */
  readonly sourceSeenByPod: string | Readonly<Record<string, string>> | null;
  /** A connection that leaves the cluster through the CNI: the source address the destination sees. */
  readonly sourceSeenByDestination: string | null;
  readonly outcomes: readonly WalkOutcome[];
  readonly hops: readonly RuleHop[];
  /** Services at the destination that kube-proxy never programs (a service-proxy-name or headless label): why no rule matched. */
  readonly notProgrammed?: readonly { readonly service: string; readonly reason?: SkipReason; readonly hiddenSlices?: readonly string[]; readonly why: string }[];
  readonly summary: string;
}

/** Rules per node, generated once and parsed once, for any number of walks. */
export class Walker {
  readonly network: ClusterNetwork;
  private readonly programs = new Map<string, NodeProgram>();
  private readonly endpointClasses = new Map<string, string | null>();
  private readonly keyIds = new Map<string, number>();

  /**
   * `rulesets`: iptables rules already generated, by node (they are not generated again).
   * `egress`: the CNI's SNAT decision for pod traffic leaving the cluster (none: it leaves unchanged).
   */
  constructor(readonly model: ClusterModel, private readonly rulesets: Map<string, IptablesRuleset> = new Map(), readonly mode: ProxyMode = 'iptables',
    private readonly egress?: (pod: EgressPod, dst: string) => EgressDecision,
    /** The model whose Services get rules (the whole model by default); see forServices. */
    private readonly rulesModel: ClusterModel = model, network?: ClusterNetwork) {
    this.network = network ?? new ClusterNetwork(model);
  }

  /**
   * A walker over the rules of these Services alone, in the same network (nodes, pods, every
   * Service's endpoints). Walks to one of them give the same verdicts, endpoints and chains as on
   * the full rules, since a Service's rules do not depend on the others', for a fraction of the
   * generation: what a hover or a CodeLens of one Service needs.
   */
  forServices(services: ClusterModel['services']): Walker {
    return new Walker(this.model, new Map(), this.mode, this.egress, { ...this.model, services }, this.network);
  }

  rulesFor(node: NodeProfile): NodeProgram {
    let program = this.programs.get(node.name);
    if (!program) {
      const network: NodeNetwork = {
        name: node.name,
        isLocal: ip => this.network.isLocal(node, ip),
        masqueradeSource: dst => this.network.masqueradeSource(node, dst),
      };
      const given = this.mode === 'iptables' ? this.rulesets.get(node.name) : undefined;
      program = given ? new NodeRules(network, given) : backendFor(this.mode).program(this.rulesModel, node, network);
      this.programs.set(node.name, program);
    }
    return program;
  }

  /**
   * Walks a connection. `remembered`: what earlier connections left in the nodes' session-affinity lists
   * (taken as not yet expired), so that a returning client's connection is walked as the kernel sees it.
   */
  trace(request: TraceRequest, remembered: readonly RememberedClient[] = []): WalkResult {
    const { packet, startNode, outcomes } = this.walk(request, remembered, undefined);
    const result = summarize(request, packet, startNode.name, outcomes);
    const hidden = result.verdict === 'DNAT' ? [] : this.hiddenServicesAt(packet, startNode);
    if (hidden.length === 0) return result;
    return { ...result, notProgrammed: hidden, summary: `${result.summary} ${hidden.map(h => `${h.service}: ${h.why}`).join(' ')}` };
  }

  /**
   * The walk the per-Service facts read: a new connection's outcomes, where load-balancing branches to
   * endpoints the rest of the walk cannot tell apart are walked once, each such outcome listing the
   * branches it stands for (`members`; see joinBranch). Linear in the endpoints, with a small constant.
   */
  branches(request: TraceRequest): GroupedWalk {
    const ids = this.keyIds;
    const grouping: EndpointGrouping = {
      classify: (ip, state, node) => this.endpointClass(ip, state, node), branches: 0,
      id: text => { let id = ids.get(text); if (id === undefined) ids.set(text, (id = ids.size)); return id; },
    };
    const { packet, startNode, outcomes } = this.walk(request, [], grouping);
    return { request, packet, firstNode: startNode.name, outcomes };
  }

  /**
   * What the walk after a DNAT to `ip` can read of the address, from `node` on along its route: the
   * route and masquerade source on each node, each node's destination matches, the node or pod
   * owning it, the CNI's egress decision. null for an address of a node on the way (a local
   * destination) or one MASQUERADE picks as the source (an overlay device's).
   */
  private endpointClass(ip: string, state: ConnState, nodeName: string): string | null {
    // the same endpoints come back for every way in: only the source's egress decision can differ
    const podSource = this.egress !== undefined && this.network.isPodAddress(state.packet.src);
    const key = `${nodeName}\u0000${ip}\u0000${podSource ? state.packet.src : ''}`;
    let found = this.endpointClasses.get(key);
    if (found === undefined) this.endpointClasses.set(key, (found = this.classOf(ip, podSource ? state.packet.src : null, nodeName)));
    return found;
  }

  private classOf(ip: string, podSource: string | null, nodeName: string): string | null {
    const net = this.network;
    const family = parseIP(ip)?.family;
    if (!family) return null;
    const parts: (string | number | boolean | null)[] = [family, net.isPodAddress(ip), net.podNode(ip), net.nodeOwning(ip)?.name ?? null];
    const seen = new Set<string>();
    for (let node = net.node(nodeName); node && !seen.has(node.name);) {
      seen.add(node.name);
      const masquerade = net.masqueradeSource(node, ip);
      if (net.isLocal(node, ip) || masquerade.address === ip) return null;
      const program = this.rulesFor(node);
      if (!program.destinationClass) return null;
      const route = net.route(node, ip);
      parts.push(node.name, route.kind, route.kind === 'remote' ? `${route.node}/${route.known}` : '', JSON.stringify(masquerade), program.destinationClass(ip));
      if (podSource !== null && (route.kind === 'external' || route.kind === 'local')) parts.push(JSON.stringify(this.egress!({ ip: podSource, node: node.name }, ip)));
      node = route.kind === 'remote' && route.node ? net.node(route.node) : undefined;
    }
    return parts.join('\u0000');
  }

  private walk(request: TraceRequest, remembered: readonly RememberedClient[], grouping: EndpointGrouping | undefined): { packet: Packet; startNode: NodeProfile; outcomes: WalkOutcome[] } {
    const profile = this.model.profile;
    const net = this.network;
    const startNodeName = request.source.kind === 'external' ? request.entryNode ?? net.nodeOwning(request.dst)?.name ?? profile.nodeName : request.source.node;
    const startNode = net.node(startNodeName);
    if (!startNode) throw new WalkError(`node ${startNodeName} is not in the profile (nodes: ${net.nodes.map(n => n.name).join(', ')})`);
    const src = request.source.kind === 'node' ? request.source.ip ?? sourceAddressFor(net, startNode, request.dst) : request.source.ip;
    const packet: Packet = { proto: request.proto, src: canonicalIP(src) ?? src, sport: request.sport ?? 40000, dst: canonicalIP(request.dst) ?? request.dst, dport: request.dport };
    // a local pod's packets enter by its own interface, anything else from the network by the uplink; the node's own have none
    const inInterface = request.source.kind === 'pod' ? podInterfaceName(profile) : request.source.kind === 'external' ? UPLINK_INTERFACE : '';
    const initial: ConnState = {
      packet, mark: 0, dnat: false, masqueradedTo: null, probability: 1, hops: [], inInterface,
      ...(remembered.length ? { affinity: new Map(remembered.map(r => [affinityEntry(r.node, r.list, r.address), r])) } : {}),
      ...(grouping ? { grouping } : {}),
    };
    const outcomes = this.walkNode(startNode, initial, request.source.kind === 'node' ? 'OUTPUT' : 'PREROUTING', 0)
      .map(o => this.finish(request, packet, startNode.name, o));
    return { packet, startNode, outcomes };
  }

  /** Services kube-proxy's label filter hides whose address (ClusterIP, external IP, LB IP, or a node port) the packet is for. */
  private hiddenServicesAt(packet: Packet, entry: NodeProfile): NonNullable<WalkResult['notProgrammed']> {
    const out: NonNullable<WalkResult['notProgrammed']>[number][] = [];
    for (const s of this.model.services) {
      const reason = hiddenFromKubeProxy(s.service.metadata?.labels);
      if (!reason && s.hiddenSlices.length === 0) continue;
      const spec = s.service.spec ?? {};
      const addresses = [spec.clusterIP, ...(spec.clusterIPs ?? []), ...(spec.externalIPs ?? []), ...(s.service.status?.loadBalancer?.ingress ?? []).map(i => i?.ip)]
        .map(ip => (ip ? canonicalIP(ip) : null));
      const ports = spec.ports ?? [];
      const atAddress = addresses.includes(packet.dst) && ports.some(p => p?.port === packet.dport);
      const atNodePort = this.network.isLocal(entry, packet.dst) && ports.some(p => p?.nodePort === packet.dport);
      if (!atAddress && !atNodePort) continue;
      const service = `${s.obj.namespace}/${s.obj.name}`;
      out.push(reason ? { service, reason, why: skippedSentence(reason) } : { service, hiddenSlices: s.hiddenSlices, why: hiddenSlicesSentence(s.hiddenSlices) });
    }
    return out;
  }

  /**
   * Session affinity, walked twice: for each way `first` can go, the walk of `next` (by default the same
   * client again, from another source port) with what the first connection left in the affinity lists.
   */
  returning(first: TraceRequest, next: TraceRequest = { ...first, sport: (first.sport ?? 40000) + 1 }): ReturningClient[] {
    // outcomes that left the same affinity entries (all of them, without ClientIP affinity) lead to the
    // same next walk: one walk per distinct set, not one per outcome (quadratic in endpoints)
    const walks = new Map<string, WalkResult>();
    return this.trace(first).outcomes.map(o => {
      const key = o.remembered.map(r => affinityEntry(r.node, r.list, r.address)).sort().join('\n');
      let again = walks.get(key);
      if (!again) walks.set(key, (again = this.trace(next, o.remembered)));
      return { first: o, again };
    });
  }

  private walkNode(node: NodeProfile, state: ConnState, entry: 'PREROUTING' | 'OUTPUT', depth: number): Leaf[] {
    if (depth > 8) throw new WalkError('the packet crossed more than 8 nodes: a routing loop');
    const rules = this.rulesFor(node);
    const leaves: Leaf[] = [];
    const run = (hook: Hook, states: ConnState[], next: (s: ConnState) => void) => {
      for (const s of states) for (const o of rules.runHook(hook, s)) {
        if (o.verdict === 'ACCEPT') next(o.state);
        else leaves.push({ state: o.state, end: o.verdict, node: node.name });
      }
    };
    const afterRouting = (s: ConnState, fromHost: boolean) => {
      const route = this.network.route(node, s.packet.dst);
      if (route.kind === 'local') {
        const input = (t: ConnState) => run('INPUT', [t], u => leaves.push({ state: u, end: 'local', node: node.name }));
        // the host's own packet leaves through POSTROUTING and comes back in on loopback, NAT already bound
        if (fromHost) run('POSTROUTING', [s], t => run('PREROUTING', [{ ...t, natBound: true, inInterface: 'lo' }], input));
        else input(s);
        return;
      }
      const out = (t: ConnState) => run('POSTROUTING', [t], u => leaves.push(...this.leaveNode(node, u, route, depth)));
      if (fromHost) out(s);
      else run('FORWARD', [s], out);
    };
    if (entry === 'OUTPUT') run('OUTPUT', [state], s => afterRouting(s, true));
    else run('PREROUTING', [state], s => afterRouting(s, false));
    return leaves;
  }

  private leaveNode(node: NodeProfile, state: ConnState, route: ReturnType<ClusterNetwork['route']>, depth: number): Leaf[] {
    if (route.kind === 'pod') return [{ state, end: 'pod', node: node.name }];
    if (route.kind === 'external' || route.kind === 'local') return [{ state: this.cniEgress(node, state), end: 'external', node: node.name }];
    const next = route.node ? this.network.node(route.node) : undefined;
    if (!next) return [{ state, end: 'unknown-node', node: route.node ?? '?' }];
    // the packet mark is local to a node's stack; it does not cross the wire
    return this.walkNode(next, { ...state, mark: 0, inInterface: UPLINK_INTERFACE }, 'PREROUTING', depth + 1);
  }

  /** A pod's packet leaving the cluster: the CNI's own masquerade rules (after kube-proxy's) may rewrite it. */
  private cniEgress(node: NodeProfile, state: ConnState): ConnState {
    const p = state.packet;
    if (!this.egress || state.masqueradedTo !== null || !this.network.isPodAddress(p.src)) return state;
    const d = this.egress({ ip: p.src, node: node.name }, p.dst);
    if (d.verdict === 'not-egress') return state;
    const after: Packet = d.verdict === 'snat' && d.sourceSeen ? { ...p, src: d.sourceSeen, sport: 0 } : p;
    const hop = makeHop({
      node: node.name, hook: 'POSTROUTING', table: 'nat', chain: CNI_EGRESS_CHAIN, line: null, rule: d.reason,
      effects: [d.verdict === 'snat' ? { kind: 'snat', how: d.translation === 'snat-to-source' ? 'SNAT' : 'MASQUERADE', to: d.sourceSeen ?? after.src, owner: 'cni' } : { kind: 'keep-source', owner: 'cni' }],
      before: p, after, mark: state.mark,
    });
    return { ...state, packet: after, masqueradedTo: d.verdict === 'snat' ? d.sourceSeen : null, hops: [...state.hops, hop] };
  }

  private finish(request: TraceRequest, original: Packet, firstNode: string, leaf: Leaf): WalkOutcome {
    const s = leaf.state;
    const dnatHop = s.hops.find(h => hasEffect(h.effects, 'dnat'));
    const masqHop = s.hops.find(h => hasEffect(h.effects, 'snat'));
    const overlay = masqHop ? effectOf(masqHop.effects, 'snat')?.overlay : undefined;
    const natNode = dnatHop?.node ?? masqHop?.node ?? null;
    // the mark counts on the node that translated the connection: the first node, except for a
    // packet that crosses a node untranslated (a pod connecting to another node's NodePort)
    const markNode = natNode ?? firstNode;
    // any back end: the masquerade bit was set on that node (iptables KUBE-MARK-MASQ, nftables mark-for-masquerade)
    const bit = 2 ** this.model.profile.masqueradeBit;
    // (IPVS's KUBE-LOOP-BACK hairpin rule masquerades without the mark, so a MASQUERADE there counts too)
    const masqueraded = s.hops.some(h => h.node === markNode && (Math.floor(h.mark / bit) % 2 === 1 || effectOf(h.effects, 'snat')?.owner === 'kube-proxy'));
    const endpoint = dnatHop ? `${bracket(s.packet.dst)}:${s.packet.dport}` : null;
    const sourceSeen = `${bracket(s.packet.src)}:${s.packet.sport || '*'}`;
    const explicitAccept = s.hops.some(h => h.chain.startsWith('KUBE-') && h.effects.some(e => e.kind === 'verdict' && e.verdict === 'ACCEPT' && !e.branch));
    let verdict: Verdict;
    let delivery: Delivery;
    switch (leaf.end) {
      case 'DROP': case 'REJECT':
        verdict = leaf.end;
        delivery = { kind: 'blocked', verdict: leaf.end, node: leaf.node };
        break;
      case 'pod':
        verdict = dnatHop ? 'DNAT' : explicitAccept ? 'ACCEPT' : 'NONE';
        delivery = { kind: 'pod', address: s.packet.dst, node: leaf.node };
        break;
      case 'local':
        verdict = dnatHop ? 'DNAT' : explicitAccept ? 'ACCEPT' : 'NONE';
        delivery = { kind: 'local', node: leaf.node };
        break;
      case 'unknown-node':
        verdict = dnatHop ? 'DNAT' : 'NONE';
        delivery = { kind: 'unknown-node', address: s.packet.dst, node: leaf.node };
        break;
      default:
        verdict = dnatHop ? 'DNAT' : 'NONE';
        delivery = { kind: 'outside', address: s.packet.dst };
    }
    const reached = verdict !== 'DROP' && verdict !== 'REJECT';
    const endpointNode = endpoint ? this.network.podNode(s.packet.dst) ?? this.network.nodeOwning(s.packet.dst)?.name ?? null : null;
    const { reply, broken } = reached && (dnatHop || masqHop) ? this.replyPath(request, original, s, natNode, endpointNode) : { reply: [], broken: false };
    const group = s.group;
    // each member went to its own address (unless a later DNAT rewrote it again), with its own probability
    const members = group?.members.map(m => ({
      endpoint: endpoint !== null && s.packet.dst === group.ip ? `${bracket(m.ip)}:${s.packet.dport}` : endpoint,
      probability: m.probability * s.probability, order: m.order,
    }));
    return {
      probability: s.probability, verdict, endpoint, endpointNode, natNode, masqueraded,
      snatAddress: s.masqueradedTo, sourceSeen: reached ? sourceSeen : null, hops: s.hops, delivery, delivered: english.walkDelivered(delivery), reply, replyBroken: broken,
      remembered: [...(s.affinity?.values() ?? [])], ...(members ? { members } : {}),
      ...(overlay ? { overlay } : {}),
    };
  }

  /** The reply, as conntrack on the translating node undoes the NAT; and whether it gets there at all. */
  private replyPath(request: TraceRequest, original: Packet, s: ConnState, natNode: string | null, endpointNode: string | null): { reply: ReplyStep[]; broken: boolean } {
    const replyPacket: Packet = { proto: s.packet.proto, src: s.packet.dst, sport: s.packet.dport, dst: s.packet.src, dport: s.packet.sport };
    const step = (node: string | null, what: ReplyWhat, packet: Packet): ReplyStep => ({ node, what, description: english.walkReplyStep(what), packet });
    const steps: ReplyStep[] = [step(endpointNode, { kind: 'replies', endpoint: s.packet.dst }, replyPacket)];
    // Where does the reply go? To whoever owns its destination address.
    const net = this.network;
    const replyGoesTo = net.nodeOwning(replyPacket.dst)?.name ?? (net.isPodAddress(replyPacket.dst) ? net.podNode(replyPacket.dst) : null);
    const passesNatNode = natNode !== null && (replyGoesTo === natNode || endpointNode === natNode ||
      (request.source.kind !== 'pod' && replyGoesTo === null && endpointNode === natNode));
    const restored: Packet = { ...original, src: original.dst, sport: original.dport, dst: original.src, dport: original.sport };
    if (!passesNatNode) {
      steps.push(step(replyGoesTo, { kind: 'bypasses', to: replyPacket.dst, natNode, from: replyPacket.src, expected: original.dst }, replyPacket));
      return { reply: steps, broken: true };
    }
    steps.push(step(natNode, {
      kind: 'reverses', natNode: natNode!,
      unSnat: s.hops.some(h => hasEffect(h.effects, 'snat')) ? { from: replyPacket.dst, to: original.src } : null,
      unDnat: s.hops.some(h => hasEffect(h.effects, 'dnat')) ? { from: replyPacket.src, to: original.dst } : null,
    }, restored));
    steps.push(step(null, { kind: 'received', from: `${original.dst}:${original.dport}` }, restored));
    return { reply: steps, broken: false };
  }
}

interface Leaf {
  readonly state: ConnState;
  readonly end: 'DROP' | 'REJECT' | 'pod' | 'local' | 'external' | 'unknown-node';
  readonly node: string;
}

function bracket(ip: string): string {
  return ip.includes(':') ? `[${ip}]` : ip;
}

/** The kernel picks a host's source address by route: loopback for loopback, else the node's primary address. */
function sourceAddressFor(net: ClusterNetwork, node: NodeProfile, dst: string): string {
  if (dst.startsWith('127.')) return '127.0.0.1';
  if (dst === '::1') return '::1';
  return net.primaryIP(node);
}

function summarize(request: TraceRequest, packet: Packet, firstNode: string, outcomes: WalkOutcome[]): WalkResult {
  // by endpoint, in the order first reached (a Map: one walk may reach thousands)
  const byEndpoint = new Map<string, { endpoint: string; probability: number; node: string | null }>();
  for (const o of outcomes) {
    if (!o.endpoint || o.verdict !== 'DNAT') continue;
    const seen = byEndpoint.get(o.endpoint);
    if (seen) seen.probability += o.probability;
    else byEndpoint.set(o.endpoint, { endpoint: o.endpoint, probability: o.probability, node: o.endpointNode });
  }
  const endpoints = [...byEndpoint.values()];
  const byProbability = [...outcomes].sort((a, b) => b.probability - a.probability);
  const verdict: Verdict = outcomes.some(o => o.verdict === 'DNAT') ? 'DNAT' : byProbability[0]?.verdict ?? 'NONE';
  const reached = outcomes.filter(o => o.verdict === 'DNAT');
  const seenByEndpoint: Record<string, string> = {};
  for (const o of reached) if (o.endpoint && o.sourceSeen) seenByEndpoint[o.endpoint] = ipOfHostPort(o.sourceSeen);
  const distinct = [...new Set(Object.values(seenByEndpoint))];
  const sourceSeenByPod = distinct.length === 0 ? null : distinct.length === 1 ? distinct[0]! : seenByEndpoint;
  // a pod's connection out of the cluster: the CNI decides the source the destination sees
  const egress = outcomes.filter(o => o.verdict !== 'DNAT' && o.sourceSeen !== null && o.hops.some(h => h.chain === CNI_EGRESS_CHAIN));
  const seenOutside = [...new Set(egress.map(o => ipOfHostPort(o.sourceSeen!)))];
  const snat = [...new Set([...reached, ...egress].map(o => o.snatAddress).filter((a): a is string => a !== null))];
  const first = byProbability.find(o => o.verdict === verdict) ?? outcomes[0];
  const result = {
    request, packet, firstNode, verdict, endpoints,
    masquerade: outcomes.some(o => o.masqueraded),
    snatAddress: snat.length === 1 ? snat[0]! : null,
    sourceSeenByPod, sourceSeenByDestination: seenOutside.length === 1 ? seenOutside[0]! : null, outcomes, hops: first?.hops ?? [],
  };
  return { ...result, summary: describeWalk(result, english) };
}

/** "ip" of "ip:port" or "[ip6]:port" (the port may be "*"). */
function ipOfHostPort(hostPort: string): string {
  return hostPort.replace(/:(\d+|\*)$/, '').replace(/^\[|\]$/g, '');
}


/** One paragraph in plain words, built only from the walk's data: the trace summary and the preview's "In words". */
export function describeWalk(r: Omit<WalkResult, 'summary'>, m: Messages): string {
  const packet = r.packet;
  const source = r.request.source;
  const from = source.kind === 'external' ? m.walkFromExternal() : source.kind === 'pod' ? m.walkFromPod({ node: source.node }) : m.walkFromNode({ node: source.node });
  const conn = m.walkConnection({ packet: formatPacket(packet), from, node: r.firstNode });
  if (r.verdict === 'DROP' || r.verdict === 'REJECT') {
    const o = r.outcomes.find(x => x.verdict === r.verdict)!;
    const rule = o.hops.at(-1);
    return m.walkBlocked({ conn, verdict: r.verdict, table: `${rule?.table}`, chain: `${rule?.chain}`, node: `${rule?.node}`, rule: `${rule?.rule}` });
  }
  if (r.verdict !== 'DNAT') {
    const o = r.outcomes[0];
    const cni = o?.hops.find(h => h.chain === CNI_EGRESS_CHAIN);
    if (o && cni) {
      return m.walkEgress({ conn, cniRule: cni.rule, keeps: hasEffect(cni.effects, 'keep-source'), podAddress: packet.src, seen: cni.after.src, replyNode: o.natNode ?? r.firstNode });
    }
    return m.walkUnchanged({ conn, delivered: o ? m.walkDelivered(o.delivery) : null });
  }
  const parts = [conn];
  const n = r.endpoints.length;
  // searched in place: flattening every outcome's hops allocates per endpoint for nothing
  const isIpvs = (e: HopEffect) => e.kind === 'dnat' && e.ipvs !== undefined;
  const scheduling = r.outcomes.find(o => o.hops.some(h => h.effects.some(isIpvs)))?.hops.flatMap(h => h.effects).find(isIpvs);
  parts.push(n === 1 ? m.walkDnatOne({ endpoint: r.endpoints[0]!.endpoint, node: r.endpoints[0]!.node })
    : m.walkDnatMany({ n, scheduler: scheduling?.kind === 'dnat' && scheduling.ipvs ? scheduling.ipvs.scheduler : null, endpoints: r.endpoints }));
  const dnat = r.outcomes.filter(o => o.verdict === 'DNAT');
  const masqueraded = dnat.filter(o => o.masqueraded);
  const kept = dnat.filter(o => !o.masqueraded);
  const sees = (os: readonly WalkOutcome[]) => os.map(o => m.walkSees({ endpoint: `${o.endpoint}`, seen: o.sourceSeen ? ipOfHostPort(o.sourceSeen) : '?' })).join(', ');
  if (masqueraded.length > 0 && kept.length === 0) {
    const seen = typeof r.sourceSeenByPod === 'string' ? m.walkEverySees({ seen: r.sourceSeenByPod })
      : Object.entries(r.sourceSeenByPod ?? {}).map(([endpoint, s]) => m.walkSees({ endpoint, seen: s })).join(', ');
    parts.push(m.walkMasqueraded({ node: masqueraded[0]!.natNode ?? r.firstNode, seen, client: packet.src }));
  } else if (masqueraded.length > 0) {
    parts.push(m.walkMasqueradedSome({
      masqueraded: masqueraded.map(o => `${o.endpoint}`), node: masqueraded[0]!.natNode ?? r.firstNode, sees: sees(masqueraded),
      kept: kept.map(o => `${o.endpoint}`), client: packet.src,
    }));
  } else {
    parts.push(m.walkNoMasquerade({ seen: typeof r.sourceSeenByPod === 'string' ? r.sourceSeenByPod : packet.src }));
  }
  // a matched affinity lookup (iptables --rcheck, an nftables @affinity-… set, an IPVS persistence template)
  if (r.outcomes.every(o => o.hops.some(h => hasEffect(h.effects, 'affinity-hit')))) {
    parts.push(m.walkAffinityHit({ client: packet.src }));
  } else if (r.outcomes.some(o => o.remembered.length > 0)) {
    parts.push(m.walkAffinityFirst({ client: packet.src, nodes: [...new Set(r.outcomes.flatMap(o => o.remembered.map(x => x.node)))].join(', ') }));
  }
  for (const o of overlaysOf(masqueraded)) parts.push(overlaySentence(o.overlay!, ipOfHostPort(o.sourceSeen ?? ''), m));
  const broken = r.outcomes.filter(o => o.replyBroken && o.verdict === 'DNAT');
  if (broken.length) parts.push(m.walkReplyBroken({ endpoints: broken.map(o => `${o.endpoint}`), node: `${broken[0]!.natNode}` }));
  return parts.join(' ');
}

/** The branches that left by an overlay device, one per node and device. */
function overlaysOf(outcomes: readonly WalkOutcome[]): WalkOutcome[] {
  const byDevice = new Map<string, WalkOutcome>();
  for (const o of outcomes) if (o.overlay && !byDevice.has(`${o.overlay.node}/${o.overlay.device}`)) byDevice.set(`${o.overlay.node}/${o.overlay.device}`, o);
  return [...byDevice.values()];
}

/** A walker for the profile's proxy mode. */
export function walkerFor(model: ClusterModel, egress?: (pod: EgressPod, dst: string) => EgressDecision): Walker {
  return new Walker(model, new Map(), model.profile.proxyMode, egress);
}
