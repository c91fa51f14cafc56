// Hover explanations for a Service's NAT-relevant fields, for this Service: a one-line summary,
// then details quoted from walks over the generated rules and from the model.
import { ofKind, type ManifestFile, type ManifestObject } from '../manifest/manifest';
import type { FieldPath, SourceRange } from '../manifest/source';
import { localReadyEndpointCounts, type ClusterModel, type ServiceEntry } from '../model/cluster';
import { defaultService, externallyAccessible } from '../model/service';
import { backendFor } from '../proxy/backends';
import { ipvsSettings } from '../proxy/ipvs/settings';
import { serviceFacts, serviceWalker, walkFact, type EntryFact, type EntryVia, type ServiceFacts } from '../facts/service';
import { entryLabel, entryLine, externalEntries, externalSummary, internalSummary, serviceSummary, topologyLines, topologySummary } from '../facts/render';
import { ANNOTATION_TOPOLOGY_AWARE_HINTS, ANNOTATION_TOPOLOGY_MODE } from '../model/topology';
import { skippedSentence } from '../facts/skipped';
import { EXTERNAL_CLIENT_IP, spareNodePodIP } from '../walk/choices';
import type { ReturningClient, WalkResult } from '../walk/walk';
import { serviceEntryOf } from './walks';
import { english, type Messages } from '../i18n';
import { podNetworkParagraph } from '../facts/podNetwork';

/** What a hover link asks the shell to do (the extension maps intents to its commands). */
export interface HoverLink {
  readonly intent: 'previewRules' | 'tracePacket' | 'debugCommands';
  readonly args: Record<string, unknown>;
}

export interface HoverContent {
  readonly range: SourceRange;
  readonly summary: string;
  /** Markdown paragraphs and bullet lists. */
  readonly details: readonly string[];
  readonly links: readonly HoverLink[];
}

const HOVER_FIELDS = new Set(['externalTrafficPolicy', 'internalTrafficPolicy', 'type', 'ports', 'sessionAffinity', 'sessionAffinityConfig',
  'loadBalancerSourceRanges', 'externalIPs', 'clusterIP', 'clusterIPs', 'healthCheckNodePort', 'allocateLoadBalancerNodePorts', 'trafficDistribution']);
/** Annotations with a hover: the topology mode (and the one it replaced). */
const HOVER_ANNOTATIONS = new Set([ANNOTATION_TOPOLOGY_MODE, ANNOTATION_TOPOLOGY_AWARE_HINTS]);


/** A hover bullet for one walk, rendered from its facts. */
function walkLine(label: string, r: WalkResult, via: EntryVia, m: Messages): string {
  return entryLine(label, walkFact(r, via), m);
}

/** Session affinity, from two walks: where a client's next connection goes after each way its first one went. */
function affinityLine(label: string, returns: readonly ReturningClient[], m: Messages): string {
  const reached = returns.filter(r => r.first.endpoint !== null);
  if (reached.length === 0) return m.affinityNoEndpoint({ label });
  if (reached.every(r => r.again.endpoints.length === 1 && r.again.endpoints[0]!.endpoint === r.first.endpoint)) {
    return m.affinitySticks({ label, endpoints: reached.map(r => `${r.first.endpoint}`) });
  }
  const again = reached[0]!.again.endpoints;
  const spread = again.map(e => `${e.endpoint}${again.length > 1 ? ` ${m.percent(e.probability)}` : ''}`).join(', ');
  return m.affinitySpread({ label, spread });
}

/** How each back end remembers a ClientIP-affinity client (proxier.go of each mode). */
const AFFINITY_MECHANISM: Record<ServiceFacts['semantics']['affinity'], (m: Messages, timeout: number) => string> = {
  // pkg/proxy/iptables/proxier.go writeServiceToEndpointRules / syncProxyRules: --rcheck --seconds --reap in KUBE-SVC,
  // --set in KUBE-SEP; the xt_recent module keeps ip_list_tot (default 100) addresses per list and drops the oldest
  recent: (m, timeout) => m.affinityRecent({ timeout }),
  // pkg/proxy/nftables/proxier.go: "update @affinity-… { ip saddr }" in the endpoint chain, a set with a timeout
  set: (m, timeout) => m.affinitySet({ timeout }),
  // pkg/proxy/ipvs/proxier.go syncService: Flags |= persistent, Timeout = StickyMaxAgeSeconds
  'ipvs-persistence': (m, timeout) => m.affinityIpvs({ timeout }),
};

/** Where kube-proxy's other back ends answer differently from iptables mode (kubernetes/kubernetes pkg/proxy/nftables/proxier.go and pkg/proxy/ipvs/proxier.go). */
const MODE_NOTES: Partial<Record<ClusterModel['profile']['proxyMode'], (m: Messages) => string>> = {
  nftables: m => m.modeNoteNftables(),
  ipvs: m => m.modeNoteIpvs(),
};

/**
 * Whether anything answers ARP for a ClusterIP: iptables and nftables mode bind it nowhere; IPVS mode
 * binds it on kube-ipvs0, and only strictARP (arp_ignore=1, arp_announce=2) keeps nodes from answering
 * for it (pkg/proxy/ipvs/proxier.go, NewProxier's strictARP sysctls).
 */
function clusterIPAddressNote(model: ClusterModel, facts: ServiceFacts, m: Messages): string {
  if (facts.semantics.addressBinding === 'rules-only') return m.addressOnlyInRules();
  return ipvsSettings(model.profile).strictARP ? m.addressIpvsStrictArp() : m.addressIpvsAnswersArp();
}

export function hoverAt(file: ManifestFile, offset: number, model: ClusterModel, m: Messages = english): HoverContent | null {
  for (const obj of ofKind(file.objects, 'Service')) {
    const path = obj.pathAt(offset);
    if (path && path.length === 1 && path[0] === 'kind') {
      const entry = serviceEntryOf(model, obj);
      return entry ? serviceHover(obj, entry, model, m) : null;
    }
    if (path && path[0] === 'metadata' && path[1] === 'annotations' && typeof path[2] === 'string' && HOVER_ANNOTATIONS.has(path[2])) {
      const entry = serviceEntryOf(model, obj);
      return entry ? topologyHover(obj, entry, model, obj.rangeOf(path.slice(0, 3), 'key') ?? obj.range, m) : null;
    }
    if (!path || path[0] !== 'spec' || typeof path[1] !== 'string' || !HOVER_FIELDS.has(path[1])) continue;
    const entry = serviceEntryOf(model, obj);
    if (!entry) return null;
    return explain(obj, entry, path, model, m);
  }
  return null;
}

const LINKS = (obj: ManifestObject<'Service'>): HoverLink[] => {
  const service = `${obj.namespace}/${obj.name}`;
  return [
    { intent: 'previewRules', args: { uri: obj.fileName } },
    { intent: 'tracePacket', args: { uri: obj.fileName, service } },
    { intent: 'debugCommands', args: { uri: obj.fileName, service } },
  ];
};

/** The hover on `kind: Service`: the Service's summary and every way in, from its facts. */
export function serviceHover(obj: ManifestObject<'Service'>, entry: ServiceEntry, model: ClusterModel, m: Messages = english): HoverContent {
  const facts = serviceFacts(entry, model);
  const range = obj.rangeOf(['kind'], 'key') ?? obj.range;
  const details = facts.entries.length
    ? [m.hoverEveryWayIn(), facts.entries.map(e => entryLine(entryLabel(e, m), e, m)).join('\n')]
    : [];
  if (model.podNetwork && facts.entries.length) details.push(podNetworkParagraph(model.podNetwork, m));
  return { range, summary: serviceSummary(facts, m), details, links: LINKS(obj) };
}

/** The hover on trafficDistribution and the topology-mode annotation: per node, what kube-proxy keeps. */
function topologyHover(obj: ManifestObject<'Service'>, entry: ServiceEntry, model: ClusterModel, range: SourceRange, m: Messages): HoverContent {
  const facts = serviceFacts(entry, model);
  if (entry.skipped) return { range, summary: skippedSentence(entry.skipped, m), details: [], links: LINKS(obj) };
  return { range, summary: topologySummary(facts, m), details: topologyLines(facts, m), links: LINKS(obj) };
}

/** A hover as markdown text: the bold summary, then its paragraphs (what `natlens explain` prints). */
export function hoverMarkdown(content: HoverContent): string {
  return [`**${content.summary}**`, ...content.details].join('\n\n') + '\n';
}

function explain(obj: ManifestObject<'Service'>, entry: ServiceEntry, path: FieldPath, model: ClusterModel, m: Messages): HoverContent | null {
  const field = path[1] as string;
  const range = obj.rangeOf(path.slice(0, 2), 'key') ?? obj.range;
  const svc = entry.service;
  const d = defaultService(svc);
  const key = `${obj.namespace}/${obj.name}`;
  const walker = serviceWalker(entry, model);
  const sp = entry.ports[0]?.info;
  const links = LINKS(obj);
  const facts = serviceFacts(entry, model);
  const modeNote = MODE_NOTES[model.profile.proxyMode]?.(m);
  const make = (summary: string, details: string[]): HoverContent => ({ range, summary, details: modeNote ? [...details, modeNote] : details, links });
  const nodesList = model.profile.nodes.map(n => n.name).join(', ');

  // kube-proxy never sees a Service its label filter hides: every field says so instead of kube-proxy's answer
  if (entry.skipped?.kind === 'service-proxy-name' || entry.skipped?.kind === 'headless-label') {
    return make(skippedSentence(entry.skipped), [
      m.hoverSkippedDetail({ address: d.clusterIPs[0] ?? null }),
    ]);
  }
  if (d.headless && (field === 'clusterIP' || field === 'clusterIPs')) {
    return make(skippedSentence({ kind: 'headless' }, m), [m.hoverHeadlessDetail()]);
  }
  if (!sp) {
    return make(skippedSentence(entry.skipped ?? { kind: 'no-cluster-ip' }, m), []);
  }

  switch (field) {
    case 'trafficDistribution':
      return topologyHover(obj, entry, model, range, m);
    case 'externalTrafficPolicy':
    case 'type': {
      if (!externallyAccessible(svc)) {
        const fromPod = model.profile.nodes[0] ? walker.trace({ source: { kind: 'node', node: model.profile.nodes[0].name }, dst: sp.clusterIP, dport: sp.port, proto: sp.protocol.toLowerCase() as 'tcp' }) : null;
        const address = `${sp.clusterIP}:${sp.port}`;
        return make(m.hoverInternalOnly({ type: d.type, address }), [
          m.hoverInternalDnat({ address }),
          ...(fromPod ? [walkLine(m.labelFromNodeItself({ node: model.profile.nodes[0]!.name }), fromPod, 'clusterIP', m)] : []),
        ]);
      }
      const local = d.externalTrafficPolicy === 'Local';
      const viaText = (e: EntryFact) => e.via === 'nodePort' ? m.viaNodePort({ port: sp.nodePort }) : e.via === 'loadBalancer' ? m.viaLoadBalancer({ address: e.request.dst }) : m.viaExternalIP({ address: e.request.dst });
      const external = externalEntries(facts);
      const lines = external.map(e => entryLine(m.labelExternal({ source: EXTERNAL_CLIENT_IP, to: viaText(e), node: e.node }), e, m));
      const details: string[] = lines.length ? [m.hoverNewConnection(), lines.join('\n')] : [];
      if (facts.proxiedIngress.length) details.push(m.hoverProxiedIngress({ addresses: facts.proxiedIngress.join(', '), nodePort: Boolean(sp.nodePort) }));
      const vipInside = facts.entries.filter(e => e.client === 'pod' && e.via === 'loadBalancer');
      if (vipInside.length) {
        details.push(m.hoverVipInside({ addresses: sp.loadBalancerVIPs.join(', ') }));
        details.push(vipInside.map(e => entryLine(m.labelPodTo({ node: e.node, to: e.address }), e, m)).join('\n'));
      }
      if (!local) {
        details.push(m.hoverMasqueradeCluster({ chain: facts.chains!.external }));
        return make(externalSummary(facts, 'Cluster', m), details);
      }
      const first = model.profile.nodes[0];
      const entryAddress = first ? (sp.nodePort ? walker.network.primaryIP(first) : sp.loadBalancerVIPs[0] ?? sp.externalIPs[0] ?? sp.clusterIP) : '';
      const dport = sp.nodePort || sp.port;
      const proto = sp.protocol.toLowerCase() as 'tcp';
      const podIP = first ? spareNodePodIP(walker.network, first.name) : null;
      const pod = first && podIP ? walker.trace({ source: { kind: 'pod', ip: podIP, node: first.name }, dst: entryAddress, dport, proto }) : null;
      const host = first ? walker.trace({ source: { kind: 'node', node: first.name }, dst: entryAddress, dport, proto }) : null;
      // proxier.go writes the "pod traffic" short-circuit only when the local-traffic detector is implemented
      details.push(facts.localTrafficDetector ? m.hoverShortCircuit() : m.hoverNoLocalDetector());
      if (pod) details.push(walkLine(m.labelPodOn({ node: first!.name }), pod, sp.nodePort ? 'nodePort' : 'loadBalancer', m));
      if (host) details.push(walkLine(m.labelNodeItself({ node: first!.name }), host, sp.nodePort ? 'nodePort' : 'loadBalancer', m));
      if (d.type === 'LoadBalancer') {
        const counts = model.profile.nodes.map(n => m.hoverReadyCount({ node: n.name, n: localReadyEndpointCounts(model, n.name).get(key) ?? 0 }));
        details.push(m.hoverHealthCheckLb({ port: svc.spec?.healthCheckNodePort ?? null, counts }));
      }
      return make(externalSummary(facts, 'Local', m), details);
    }
    case 'internalTrafficPolicy': {
      const lines = facts.entries.filter(e => e.client === 'node' && e.via === 'clusterIP').map(e => entryLine(m.labelFromNode({ node: e.node }), e, m));
      return make(internalSummary(facts, d.internalTrafficPolicy === 'Local', m), [m.hoverItpWalked(), lines.join('\n'), m.hoverItpNote()]);
    }
    case 'ports': {
      const index = typeof path[2] === 'number' ? path[2] : 0;
      const port = entry.ports.find(p => p.info.portIndex === index) ?? entry.ports[0]!;
      const info = port.info;
      const chains = backendFor(model.profile.proxyMode).semantics.chains(info);
      const eps = port.endpoints.map(e => m.hoverEndpointLine({
        endpoint: e.key, node: e.nodeName || null, state: e.ready ? 'ready' : e.serving && e.terminating ? 'terminating' : 'not-ready',
        from: e.origin === 'derived' ? e.from : `${e.origin} ${e.from}`,
      }));
      const targets = [...new Set(port.endpoints.map(e => e.port))];
      return make(m.hoverPortsSummary({ address: `${info.clusterIP}:${info.port}/${info.protocol}`, targetPort: String(info.targetPort), targets: targets.length ? targets.join(', ') : null, nodePort: info.nodePort || null }), [
        m.hoverPortsDetail({ portName: JSON.stringify(info.portName), protocol: info.protocol, serviceChain: chains.service, externalChain: info.nodePort || info.loadBalancerVIPs.length || info.externalIPs.length ? chains.external : null }),
        !port.endpoints.length ? m.hoverNoEndpoints() : port.endpointOrigin === 'derived' ? m.hoverEndpointsDerived({ lines: eps }) : m.hoverEndpointsFrom({ origin: port.endpointOrigin, lines: eps }),
      ]);
    }
    case 'sessionAffinity':
    case 'sessionAffinityConfig': {
      if (d.sessionAffinity !== 'ClientIP') {
        // pkg/proxy/ipvs/proxier.go syncService: the virtual server's scheduler (ipvs.scheduler, rr by default) picks the real server
        return facts.semantics.loadBalancing === 'ipvs-scheduler'
          ? make(m.hoverAffinityNoneScheduler({ scheduler: ipvsSettings(model.profile).scheduler }), [m.hoverAffinityNoneSchedulerDetail({ address: `${sp.clusterIP}:${sp.port}` })])
          : make(m.hoverAffinityNone(), [m.hoverAffinityNoneDetail({ address: `${sp.clusterIP}:${sp.port}` })]);
      }
      const proto = sp.protocol.toLowerCase() as 'tcp';
      const [a, b] = model.profile.nodes;
      const podIP = a ? spareNodePodIP(walker.network, a.name) : null;
      const walks: string[] = [];
      if (a && podIP) walks.push(affinityLine(m.labelPodTwice({ node: a.name, source: podIP, address: `${sp.clusterIP}:${sp.port}` }), walker.returning({ source: { kind: 'pod', ip: podIP, node: a.name }, dst: sp.clusterIP, dport: sp.port, proto }), m));
      if (a && b && sp.nodePort) {
        const first = { source: { kind: 'external' as const, ip: EXTERNAL_CLIENT_IP }, entryNode: a.name, dst: walker.network.primaryIP(a), dport: sp.nodePort, proto };
        walks.push(affinityLine(m.labelExternalTwice({ source: EXTERNAL_CLIENT_IP, port: sp.nodePort, first: a.name, second: b.name }),
          walker.returning(first, { ...first, sport: 40001, entryNode: b.name, dst: walker.network.primaryIP(b) }), m));
      }
      return make(m.hoverAffinityClientIP({ timeout: d.sessionAffinityTimeout }), [
        m.hoverAffinityMechanism({ mechanism: AFFINITY_MECHANISM[facts.semantics.affinity](m, sp.stickyMaxAgeSeconds) }),
        ...(walks.length ? [m.hoverAffinityWalks(), walks.join('\n')] : []),
        m.hoverAffinitySo(),
      ]);
    }
    case 'loadBalancerSourceRanges': {
      if (d.type !== 'LoadBalancer' || sp.loadBalancerVIPs.length === 0) {
        return make(m.hoverLbsrNotApplicable(), [m.hoverLbsrNoChain()]);
      }
      const vip = sp.loadBalancerVIPs[0]!;
      const node = model.profile.nodes[0]!;
      const blocked = walker.trace({ source: { kind: 'external', ip: '192.0.2.123' }, entryNode: node.name, dst: vip, dport: sp.port, proto: sp.protocol.toLowerCase() as 'tcp' });
      const viaNodePort = sp.nodePort ? walker.trace({ source: { kind: 'external', ip: '192.0.2.123' }, entryNode: node.name, dst: walker.network.primaryIP(node), dport: sp.nodePort, proto: sp.protocol.toLowerCase() as 'tcp' }) : null;
      return make(m.hoverLbsr({ ranges: sp.loadBalancerSourceRanges.join(', '), address: `${vip}:${sp.port}` }), [
        m.hoverLbsrDetail({ chain: facts.chains!.sourceRanges, dropChain: facts.chains!.sourceRangesDrop }),
        walkLine(m.labelUnlisted({ source: '192.0.2.123', address: `${vip}:${sp.port}` }), blocked, 'loadBalancer', m),
        ...(viaNodePort ? [walkLine(m.labelSourceToNodePort({ source: '192.0.2.123', port: sp.nodePort, node: node.name }), viaNodePort, 'nodePort', m), m.hoverLbsrNodePortOpen()] : []),
      ]);
    }
    case 'externalIPs': {
      const node = model.profile.nodes[0]!;
      const ip = sp.externalIPs[0];
      const r = ip ? walker.trace({ source: { kind: 'external', ip: EXTERNAL_CLIENT_IP }, entryNode: node.name, dst: ip, dport: sp.port, proto: sp.protocol.toLowerCase() as 'tcp' }) : null;
      return make(m.hoverExternalIPs({ addresses: sp.externalIPs.join(', ') || null, port: sp.port }), [
        m.hoverExternalIPsRouting(),
        ...(r ? [walkLine(m.labelExternalVia({ node: node.name }), r, 'externalIP', m)] : []),
        m.hoverExternalIPsCve(),
      ]);
    }
    case 'clusterIP':
    case 'clusterIPs': {
      const lines = facts.entries.filter(e => e.client === 'node' && e.via === 'clusterIP').map(e => entryLine(m.labelFromNodeItself({ node: e.node }), e, m));
      return make(m.hoverClusterIP({ clusterIP: sp.clusterIP }), [`${clusterIPAddressNote(model, facts, m)} ${m.hoverClusterIPMasquerade()}`, lines.join('\n')]);
    }
    case 'healthCheckNodePort': {
      const counts = model.profile.nodes.map(n => m.hoverHealthLine({ node: n.name, n: localReadyEndpointCounts(model, n.name).get(key) ?? 0 }));
      return make(m.hoverHealth({ port: svc.spec?.healthCheckNodePort ?? null }), [counts.join('\n'), m.hoverHealthCheckRule({ chain: facts.semantics.healthCheckChain, mode: facts.mode })]);
    }
    case 'allocateLoadBalancerNodePorts':
      return make(svc.spec?.allocateLoadBalancerNodePorts === false ? m.hoverAllocFalse() : m.hoverAllocTrue(), [m.hoverAllocDetail({ nodePort: sp.nodePort || null, nodes: nodesList })]);
    default:
      return null;
  }
}
