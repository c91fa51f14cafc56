// The English messages: every sentence the engine renders for people. Parameters are typed here;
// the German table (de.ts) must give the same keys with the same parameters (tsc and test/unit/i18n.test.ts).
import { bold, joinList, percentNumber } from './vocabulary';
import type { Locale } from './locale';
import type { IgnoredHints } from '../model/topology';
import type { TopologyFallback } from '../facts/topology';
import { enPodNetwork } from './podNetwork.en';
import { rulesEn } from './rules.en';
import { debugEn } from './debug.en';
import { modelEn } from './model.en';
import { choicesEn } from './choices.en';
import { deliveryEn } from './delivery.en';

export const en = {
  // area tables (one file per area, spread here)
  ...rulesEn,
  ...debugEn,
  ...modelEn,
  ...choicesEn,
  ...deliveryEn,
  /** The language of this table, for a shell that passes it on (the preview's state). */
  locale: (): Locale => 'en',
  // shared vocabulary
  percent: (p: number) => `${percentNumber(p, '.')}%`,
  andList: (items: readonly string[]) => joinList(items, 'and'),

  // CodeLens above a Service
  lensHeadless: () => 'headless: no kube-proxy NAT, clients reach pods directly',
  lensNoRules: () => 'no kube-proxy rules',
  lensText: ({ parts }: { parts: readonly string[] }) => `NAT: ${parts.join(' · ')}`,
  lensReadyEndpoints: ({ n }: { n: number }) => `${n} ready endpoint${n === 1 ? '' : 's'}`,
  lensRefused: () => 'connections refused (REJECT)',
  lensSnatSome: ({ snatNodes, keptNodes }: { snatNodes: string; keptNodes: string }) => `external: SNAT via ${snatNodes}, client IP kept via ${keptNodes}`,
  lensSnatAll: () => 'external: SNAT, client IP lost',
  lensClientIpKept: () => 'external: client IP kept',
  lensDropsOn: ({ nodes }: { nodes: string }) => `drops on ${nodes}`,
  lensRefusedOn: ({ nodes }: { nodes: string }) => `refused on ${nodes}`,
  lensReplyLost: ({ nodes }: { nodes: string }) => `reply lost via ${nodes} (no SNAT)`,
  lensInternalOnly: () => 'cluster-internal only',
  lensProxiedIngress: ({ addresses }: { addresses: string }) => `load balancer ${addresses}: ipMode Proxy, not through kube-proxy`,
  lensServiceProxyName: ({ proxy }: { proxy: string }) => `no kube-proxy rules: service-proxy-name ${proxy || '(empty)'} implements it`,
  lensHeadlessLabel: () => 'no kube-proxy rules: labelled service.kubernetes.io/headless',


  // topology: the hovers on trafficDistribution and the topology-mode annotation (facts/topology.ts)
  topoNoPorts: () => 'No ports: nothing to distribute.',
  topoWhere: ({ used, all }: { used: readonly string[]; all: number }) => (used.length === 0 ? 'no node routes by topology here'
    : used.length === all ? 'every node routes by topology' : `${used.join(', ')} route${used.length === 1 ? 's' : ''} by topology, the others use every ready endpoint`),
  topoIgnored: (reason: IgnoredHints): string => (reason.kind === 'gate'
    ? `trafficDistribution: ${reason.value} needs the PreferSameTrafficDistribution feature gate (off by default in ${reason.version}); the controller writes no hints`
    : reason.kind === 'unknown' ? `trafficDistribution: ${reason.value} is not a value the controller knows; it writes no hints`
      : `${reason.annotation}: ${reason.value} enables nothing (only Auto does)`),
  topoSlicesHinted: ({ ignored, where }: { ignored: string | null; where: string }) =>
    `${ignored ? `${ignored}. ` : ''}The EndpointSlices carry hints all the same, and kube-proxy reads the hints, not the Service: ${where}.`,
  topoIgnoredSpread: ({ ignored }: { ignored: string }) => `${ignored}; kube-proxy spreads over every ready endpoint.`,
  topoNone: () => 'No topology: kube-proxy spreads connections over every ready endpoint, wherever it runs.',
  topoTrafficDistribution: ({ value, where }: { value: string; where: string }) =>
    `trafficDistribution: ${value} — the EndpointSlice controller hints each ready endpoint for ${value === 'PreferSameNode' ? 'its own node and zone' : 'its own zone'}; ${where}.`,
  topoAutoRemoved: ({ annotation, removed }: { annotation: string; removed: string }) =>
    `${annotation}: Auto — the EndpointSlice controller writes no hints here (${removed}), so kube-proxy spreads over every ready endpoint.`,
  topoAuto: ({ annotation, where }: { annotation: string; where: string }) =>
    `${annotation}: Auto — the EndpointSlice controller hints endpoints to zones in proportion to each zone's allocatable CPU; ${where}.`,
  topoZone: ({ zone }: { zone: string }) => (zone ? `zone ${zone}` : 'no zone label'),
  topoMode: ({ mode }: { mode: 'PreferSameNode' | 'PreferSameZone' }): string => (mode === 'PreferSameNode' ? 'only the endpoints hinted for this node' : 'only the endpoints hinted for its zone'),
  topoFallback: ({ fallback }: { fallback: TopologyFallback }): string => ({
    'no-hints': 'no endpoint carries a hint, so it uses every ready endpoint',
    'nodes-without-zone': 'no node has a topology.kubernetes.io/zone label, so the EndpointSlice controller writes no zone hints and kube-proxy uses every ready endpoint',
    'no-ready-endpoint': 'no endpoint is ready',
    'unhinted-endpoint': 'a ready endpoint has no zone hint, so kube-proxy ignores all hints and uses every ready endpoint',
    'no-zone-label': 'the node has no topology.kubernetes.io/zone label, so kube-proxy ignores the hints and uses every ready endpoint',
    'no-endpoint-for-zone': 'no endpoint is hinted for its zone, so kube-proxy falls back to every ready endpoint',
  })[fallback],
  topoHintsFrom: ({ from }: { from: 'EndpointSlice' | 'derived' }): string => (from === 'derived'
    ? 'Hints as the EndpointSlice controller would write them for the derived endpoints (no EndpointSlice in the input).'
    : 'Hints as the EndpointSlices in the input give them (kube-proxy reads only the hints).'),
  topoAssumed: ({ assumptions }: { assumptions: readonly string[] }) => `Assumed: ${assumptions.join('; ')}.`,
  topoPerNode: () => 'What kube-proxy programs on each node for a pod connecting to the ClusterIP (pkg/proxy/topology.go CategorizeEndpoints):',
  // why kube-proxy writes no rules for a Service (facts/skipped.ts)
  skippedServiceProxyName: ({ proxy }: { proxy: string }) =>
    `kube-proxy programs no rules for this Service: its label service.kubernetes.io/service-proxy-name${proxy ? `=${proxy}` : ''} hands it to another Service proxy, and kube-proxy's informers skip every Service and EndpointSlice with that label. What happens to its traffic is that proxy's business; NAT Lens does not model it.`,
  skippedHeadlessLabel: () => 'kube-proxy programs no rules for this Service: it carries the label service.kubernetes.io/headless, and kube-proxy\'s informers skip every Service and EndpointSlice with that label.',
  skippedHeadless: () => 'Headless Service: kube-proxy programs no rules for it, so there is no DNAT and no SNAT.',
  skippedExternalName: () => 'ExternalName Service: a DNS alias; kube-proxy programs nothing.',
  skippedNoClusterIP: () => 'kube-proxy programs no rules for this Service (no ClusterIP or no ports).',
  hiddenSlices: ({ slices }: { slices: readonly string[] }) => (slices.length === 1
    ? `kube-proxy does not see the EndpointSlice ${slices[0]}: it carries service.kubernetes.io/service-proxy-name or service.kubernetes.io/headless, which its informers filter out, so its endpoints get no rules.`
    : `kube-proxy does not see the EndpointSlices ${slices.join(', ')}: they carry service.kubernetes.io/service-proxy-name or service.kubernetes.io/headless, which its informers filter out, so their endpoints get no rules.`),


  // one hover bullet per way in (facts/render.ts entryLine)
  outcomeBlocked: ({ verdict, table, chain, md }: { verdict: 'DROP' | 'REJECT'; table: string; chain: string; md: boolean }) =>
    `${bold(verdict, md)} (${table} ${chain})${verdict === 'REJECT' ? ', "connection refused"' : ', the client times out'}`,
  outcomeNoRule: () => 'no Service rule matches',
  outcomeDnat: ({ endpoints, snat, seen, reply }: { endpoints: string; snat: string; seen: string; reply: string }) =>
    `DNAT to ${endpoints}; ${snat}, ${seen}${reply}`,
  entryNoSnat: () => 'no SNAT',
  entrySnat: ({ md }: { md: boolean }) => bold('SNAT', md),
  entrySnatSome: ({ masqueraded, branches, md }: { masqueraded: number; branches: number; md: boolean }) => `${bold('SNAT', md)} on ${masqueraded} of ${branches} branches`,
  entryReplyLost: ({ node, endpoints, md }: { node: string; endpoints: string; md: boolean }) => `; ${bold('the reply does not come back', md)} through ${node} for ${endpoints}, so the connection fails`,
  seenByEveryPod: ({ seen }: { seen: string }) => `the pod sees ${seen}`,
  /** Endpoints that see one source: `shown` are the first few of `count`. */
  seenByPods: ({ shown, count, node, seen }: { shown: readonly string[]; count: number; node: string | null; seen: string }) =>
    count === 1 ? `the pod ${shown[0]}${node ? ` (${node})` : ''} sees ${seen}`
      : `the ${count} pods${node ? ` on ${node}` : ''} (${shown.join(', ')}${count > shown.length ? `, ${count - shown.length} more` : ''}) see ${seen}`,
  ...enPodNetwork,

  // who connects where (facts/render.ts entryLabel)
  viaNodePort: ({ port }: { port: number }) => `NodePort ${port}`,
  viaLoadBalancer: ({ address }: { address: string }) => `load balancer IP ${address}`,
  viaExternalIP: ({ address }: { address: string }) => `external IP ${address}`,
  viaClusterIP: ({ address }: { address: string }) => `ClusterIP ${address}`,
  labelExternal: ({ source, to, node }: { source: string; to: string; node: string }) => `External client ${source} via ${to} on ${node}`,
  labelPod: ({ node, source, to }: { node: string; source: string; to: string }) => `A pod on ${node} (${source}) → ${to}`,
  labelNode: ({ node, to }: { node: string; to: string }) => `Node ${node} itself → ${to}`,

  // the hover summaries of the traffic policies (facts/render.ts)
  etpClusterAllSnat: () => 'externalTrafficPolicy: Cluster — external traffic is spread over every endpoint and SNATed: the pod never sees the client IP.',
  etpCluster: ({ someSnat }: { someSnat: boolean }) => `externalTrafficPolicy: Cluster — external traffic is spread over every endpoint${someSnat ? '; some paths are SNATed' : ''}.`,
  etpLocal: ({ others }: { others: readonly string[] }) => `externalTrafficPolicy: Local — the client IP is kept; only nodes with a ready local endpoint answer${others.length ? `; ${others.join('; ')}` : ''}.`,
  etpLocalNone: ({ nodes, plural, fate }: { nodes: string; plural: boolean; fate: 'drop' | 'reject' | 'lost' }) =>
    `${nodes} ${plural ? 'have' : 'has'} none and ${fate === 'drop' ? 'drops the connection' : fate === 'reject' ? 'refuses the connection (REJECT)' : 'sends the connection unmasqueraded to another node\'s endpoint, whose reply is lost'}`,
  itpCluster: ({ clusterIP }: { clusterIP: string }) => `internalTrafficPolicy: Cluster — ${clusterIP} reaches every ready endpoint, wherever it runs.`,
  itpLocal: ({ clusterIP, parts }: { clusterIP: string; parts: readonly string[] }) =>
    `internalTrafficPolicy: Local — ${clusterIP} reaches only endpoints on the client's own node${parts.length ? `; ${parts.join('; ')}` : ''}.`,
  itpLocalNone: ({ nodes, plural, reject }: { nodes: string; plural: boolean; reject: boolean }) =>
    `${nodes} ${plural ? 'have' : 'has'} none and ${reject ? 'refuses the connections (REJECT)' : 'drops the connections'} (no fallback)`,
  itpLocalElsewhere: ({ nodes }: { nodes: string }) => `from ${nodes} connections go to other nodes' endpoints`,

  // the Service summary (hover on kind: Service, natlens explain)
  summaryPodsEverywhere: ({ address, someMasqueraded }: { address: string; someMasqueraded: boolean }) =>
    `pods reach ${address} on every node${someMasqueraded ? ', some masqueraded' : ', keeping their address'}`,
  summaryPodsOn: ({ address, nodes }: { address: string; nodes: string | null }) => `pods reach ${address} on ${nodes ?? 'no node'}`,
  summaryInternal: ({ service, inside, mode }: { service: string; inside: string; mode: string }) => `${service}: ${inside}; nothing external (${mode} mode).`,
  summaryExternalNone: () => 'external clients reach no endpoint',
  summaryExternalVia: ({ nodes, snatNodes }: { nodes: string; snatNodes: string | null }) =>
    `external clients reach it through ${nodes}${snatNodes ? `, SNATed via ${snatNodes}` : ', keeping their address'}`,
  summaryExternalBlocked: ({ nodes, reject }: { nodes: string; reject: boolean }) => `; ${nodes} ${reject ? 'refuses' : 'drops'} them`,
  summaryExternalLost: ({ nodes }: { nodes: string }) => `; through ${nodes} the reply is lost`,
  summaryService: ({ service, inside, outside, mode }: { service: string; inside: string; outside: string; mode: string }) => `${service}: ${inside}; ${outside} (${mode} mode).`,

  // labels of hover bullets (findings/hover.ts)
  labelFromNodeItself: ({ node }: { node: string }) => `From node ${node} itself`,
  labelFromNode: ({ node }: { node: string }) => `From node ${node}`,
  labelPodTo: ({ node, to }: { node: string; to: string }) => `A pod on ${node} → ${to}`,
  labelPodOn: ({ node }: { node: string }) => `A pod on ${node}`,
  labelNodeItself: ({ node }: { node: string }) => `Node ${node} itself`,
  labelPodTwice: ({ node, source, address }: { node: string; source: string; address: string }) => `A pod on ${node} (${source}) → ${address}, twice`,
  labelExternalTwice: ({ source, port, first, second }: { source: string; port: number; first: string; second: string }) =>
    `External client ${source} via NodePort ${port} on ${first}, then on ${second}`,
  labelUnlisted: ({ source, address }: { source: string; address: string }) => `${source} (not listed) → ${address}`,
  labelSourceToNodePort: ({ source, port, node }: { source: string; port: number; node: string }) => `${source} → NodePort ${port} on ${node}`,
  labelExternalVia: ({ node }: { node: string }) => `External client via ${node}`,

  // hovers (findings/hover.ts)
  hoverEveryWayIn: () => 'Every way in, walked through the generated rules of each node:',
  affinityNoEndpoint: ({ label }: { label: string }) => `- ${label}: the first connection reaches no endpoint`,
  affinitySticks: ({ label, endpoints }: { label: string; endpoints: readonly string[] }) =>
    `- ${label}: the next connection goes to the endpoint the first one took (${endpoints.join(' or ')}), with probability 1`,
  affinitySpread: ({ label, spread }: { label: string; spread: string }) => `- ${label}: **does not stick**: the next connection goes to ${spread}, whichever endpoint the first one took`,
  affinityRecent: ({ timeout }: { timeout: number }) => `kube-proxy records the choice with \`-m recent --set\` in the endpoint chain and checks it with \`--rcheck --seconds ${timeout} --reap\` before the random pick. \`--rcheck\` does not refresh the entry: the timer runs from the client's last *new* connection that was recorded (the \`--set\` in the endpoint chain), not from its last packet. The kernel's \`recent\` list keeps at most 100 addresses per endpoint (\`ip_list_tot\`): with more clients the oldest are evicted and their next connection is balanced afresh.`,
  affinitySet: ({ timeout }: { timeout: number }) => `kube-proxy records the client with \`update @affinity-… { ip saddr }\` in the endpoint chain (a set whose entries time out after ${timeout} s and are refreshed by each new connection that takes that endpoint) and checks \`ip saddr @affinity-… goto\` in the service chain before the random pick.`,
  affinityIpvs: ({ timeout }: { timeout: number }) => `kube-proxy makes the virtual server persistent (\`-p ${timeout}\`): IPVS keeps a template per client address, refreshed while the client has connections, and sends its later connections to the same real server.`,
  modeNoteNftables: () => '*nftables mode* (the walks above ran on its rules): no NodePorts on 127.0.0.1; a connection to a ClusterIP port the Service does not have is REJECTed, and one to an unallocated address of the service CIDR is DROPped; load balancing is one `numgen random mod N` pick instead of a cascade of probabilities.',
  modeNoteIpvs: () => '*IPVS mode* (the walks above ran through IPVS; where it was inferred from kernel source, the walk says so): Services are IPVS virtual servers bound on kube-ipvs0, so an unknown port of a ClusterIP is rejected by `KUBE-IPVS-FILTER`, there are no NodePorts on 127.0.0.1, a node without a local endpoint under externalTrafficPolicy Local falls back to the other nodes\' endpoints instead of dropping (unmasqueraded, so the reply does not come back through that node and the connection still fails), and scheduling follows the configured scheduler (rr by default).',
  addressOnlyInRules: () => 'The address exists only in kube-proxy\'s rules: nothing answers ARP for it.',
  addressIpvsStrictArp: () => 'IPVS binds the address on the dummy device `kube-ipvs0` of every node; with `strictARP` the nodes do not answer ARP for it.',
  addressIpvsAnswersArp: () => 'IPVS binds the address on the dummy device `kube-ipvs0` of every node, and without `strictARP` every node answers ARP for it on its other interfaces too (MetalLB and kube-vip in L2 mode require strictARP for that reason).',
  hoverHeadlessDetail: () => `DNS returns the pod addresses directly and clients connect to a pod itself: the pod sees the client's own address. No load balancing happens in the kernel; spreading is up to the client's DNS resolver.`,
  hoverInternalOnly: ({ type, address }: { type: string; address: string }) => `${type}: reachable only at ${address} inside the cluster; no NodePort, nothing external.`,
  hoverInternalDnat: ({ address }: { address: string }) => `kube-proxy DNATs ${address} on the client's own node. Pods keep their source address; traffic from a node's own address is masqueraded.`,
  hoverNewConnection: () => 'What kube-proxy\'s rules do with a new connection (walked through the generated rules of each node):',
  hoverProxiedIngress: ({ addresses, nodePort }: { addresses: string; nodePort: boolean }) =>
    `The load balancer ${addresses} has \`ipMode: Proxy\`: kube-proxy writes no rules for that address, so the load balancer proxies connections to the nodes itself and the pods see the load balancer's address${nodePort ? ', arriving on the node port as above' : ''}.`,
  hoverVipInside: ({ addresses }: { addresses: string }) =>
    `In-cluster clients of the load-balancer IP never reach the load balancer: kube-proxy captures ${addresses} on their own node (that is what \`ipMode: VIP\` means; \`ipMode: Proxy\` turns it off):`,
  hoverMasqueradeCluster: ({ chain }: { chain: string }) => `The mark for masquerade is set in \`${chain}\` before an endpoint is chosen, so the connection is SNATed **even when the chosen pod is on the node it entered**. ` +
    'Tutorials that draw "no SNAT when the pod is on the receiving node" describe Cilium\'s kube-proxy replacement, not kube-proxy. The address the pod sees is the one of the interface the packet leaves by: a pod on another node sees the node address on a routed pod network and the overlay device\'s address on an overlay (VXLAN, IPIP, Cilium\'s tunnel); a local pod sees the pod-side gateway where the CNI has one.',
  hoverShortCircuit: () => 'Inside the cluster the policy is short-circuited for pods and for the node itself (the `pod traffic` and `LOCAL traffic` rules):',
  hoverNoLocalDetector: () => 'kube-proxy has no local-traffic detector here (no `clusterCIDR`), so it writes no `pod traffic` short-circuit: a pod connecting to the node port is treated like an external client, and on a node without a local endpoint it is dropped. Only the node itself (`LOCAL traffic`) is short-circuited:',
  hoverReadyCount: ({ node, n }: { node: string; n: number }) => `${node}: ${n} ready`,
  hoverHealthCheckLb: ({ port, counts }: { port: number | null; counts: readonly string[] }) =>
    `Health check node port ${port ?? '(allocated by the API server)'} answers 200 on nodes with a ready local endpoint and 503 elsewhere (${counts.join(', ')}), so the load balancer can skip the nodes without one.`,
  hoverItpWalked: () => 'Connections to the ClusterIP, as walked from each node:',
  hoverItpNote: () => 'internalTrafficPolicy never changes masquerading; it only narrows the endpoints (NodePort and load-balancer traffic keep using externalTrafficPolicy).',
  hoverEndpointLine: ({ endpoint, node, state, from }: { endpoint: string; node: string | null; state: 'ready' | 'terminating' | 'not-ready'; from: string }) =>
    `- ${endpoint}${node ? ` on ${node}` : ''}${state === 'ready' ? '' : state === 'terminating' ? ' (terminating, serving)' : ' (not ready)'} — from ${from}`,
  hoverPortsSummary: ({ address, targetPort, targets, nodePort }: { address: string; targetPort: string; targets: string | null; nodePort: number | null }) =>
    `${address} → targetPort ${targetPort} → ${targets ? `endpoint port ${targets}` : 'no endpoints'}${nodePort ? `; NodePort ${nodePort} on every node` : ''}`,
  hoverPortsDetail: ({ portName, protocol, serviceChain, externalChain }: { portName: string; protocol: string; serviceChain: string; externalChain: string | null }) =>
    `kube-proxy never reads targetPort: the DNAT port comes from the EndpointSlice port named ${portName} (${protocol}). Decided in \`${serviceChain}\`${externalChain ? `; external traffic in \`${externalChain}\`` : ''}.`,
  hoverEndpointsDerived: ({ lines }: { lines: readonly string[] }) => `Endpoints (derived from the workloads in the workspace):\n${lines.join('\n')}`,
  hoverEndpointsFrom: ({ origin, lines }: { origin: string; lines: readonly string[] }) => `Endpoints (${origin}):\n${lines.join('\n')}`,
  hoverNoEndpoints: () => 'No endpoints: connections are REJECTed ("connection refused").',
  hoverAffinityNone: () => 'sessionAffinity: None — every new connection picks an endpoint at random.',
  hoverAffinityNoneDetail: ({ address }: { address: string }) => `Each endpoint of ${address} has probability 1/n per connection; long-lived connections are never rebalanced.`,
  hoverAffinityClientIP: ({ timeout }: { timeout: number | undefined }) => `sessionAffinity: ClientIP — a client address sticks to one endpoint for up to ${timeout} s after its last recorded new connection, on each node separately.`,
  hoverAffinityMechanism: ({ mechanism }: { mechanism: string }) => `${mechanism} The record is per node and keyed on the source address only.`,
  hoverAffinityWalks: () => 'A client connecting twice within the timeout, walked through the generated rules with what the first connection recorded:',
  hoverAffinitySo: () => 'So: behind SNAT (a proxying load balancer, a NAT gateway) many clients share one address and all stick to one endpoint; with externalTrafficPolicy Cluster, a client sent through different nodes can stick to a different endpoint on each.',
  hoverLbsrNotApplicable: () => 'loadBalancerSourceRanges applies only to the load balancer IP of a LoadBalancer Service with an ingress IP in its status.',
  hoverLbsrNoChain: () => 'Without one, kube-proxy writes no firewall chain.',
  hoverLbsr: ({ ranges, address }: { ranges: string; address: string }) => `loadBalancerSourceRanges: only ${ranges} may reach ${address}; the rest is dropped before DNAT.`,
  hoverLbsrDetail: ({ chain, dropChain }: { chain: string; dropChain: string }) => `Before DNAT, \`${chain}\` checks the source against the listed ranges, and \`${dropChain}\` drops anything else. This applies to pods too.`,
  hoverLbsrNodePortOpen: () => '**The node port is not protected**: kube-proxy never applies loadBalancerSourceRanges to it.',
  hoverExternalIPs: ({ addresses, port }: { addresses: string | null; port: number }) => `externalIPs: kube-proxy captures ${addresses ?? 'these addresses'} port ${port} on every node, for traffic from pods and nodes too.`,
  hoverExternalIPsRouting: () => 'Routing those addresses to a node is up to you; kube-proxy only rewrites what arrives. externalTrafficPolicy applies to them, even on a ClusterIP Service.',
  hoverExternalIPsCve: () => 'Anyone allowed to set externalIPs can intercept traffic to any address (CVE-2020-8554); newer API servers warn that the field is deprecated.',
  hoverClusterIP: ({ clusterIP }: { clusterIP: string }) => `ClusterIP ${clusterIP}: DNATed on the client's own node to an endpoint; pods keep their source address.`,
  hoverClusterIPMasquerade: () => 'Traffic from outside the pod CIDR (nodes, host-network pods, routed outside clients) is masqueraded by the `! -s <clusterCIDR>` rule; a pod that reaches itself through the Service is masqueraded too (hairpin).',
  hoverHealthLine: ({ node, n }: { node: string; n: number }) => `- ${node}: ${n} ready local endpoint${n === 1 ? '' : 's'} → HTTP ${n > 0 ? 200 : 503}`,
  hoverHealth: ({ port }: { port: number | null }) => `healthCheckNodePort ${port ?? ''}: kube-proxy answers HTTP 200 on nodes with a ready local endpoint, 503 elsewhere.`,
  hoverAllocFalse: () => 'allocateLoadBalancerNodePorts: false — no node ports: the load balancer must route to pod IPs (or to its VIP on the nodes).',
  hoverAllocTrue: () => 'allocateLoadBalancerNodePorts: true — every port also gets a NodePort on every node.',
  hoverAllocDetail: ({ nodePort, nodes }: { nodePort: number | null; nodes: string }) =>
    `Node ports already allocated are not freed when this turns false. ${nodePort ? `This port has NodePort ${nodePort}.` : 'This port has no NodePort.'} Nodes: ${nodes}.`,

  // the walk in words (walk/walk.ts describeWalk): the trace summary and the preview's "In words"
  walkFromExternal: () => 'an external client',
  walkFromPod: ({ node }: { node: string }) => `a pod on ${node}`,
  walkFromNode: ({ node }: { node: string }) => `node ${node} itself`,
  walkConnection: ({ packet, from, node }: { packet: string; from: string; node: string }) => `${packet} (from ${from}, entering ${node})`,
  walkBlocked: ({ conn, verdict, table, chain, node, rule }: { conn: string; verdict: 'DROP' | 'REJECT'; table: string; chain: string; node: string; rule: string }) =>
    `${conn} is ${verdict === 'REJECT' ? 'REJECTed: the client sees "connection refused" at once' : 'DROPped: the client sees nothing and times out'}. The rule is in ${table} ${chain} on ${node}: ${rule}`,
  walkEgress: ({ conn, cniRule, keeps, podAddress, seen, replyNode }: { conn: string; cniRule: string; keeps: boolean; podAddress: string; seen: string; replyNode: string }) =>
    `${conn} leaves the cluster without a Service rule. The CNI decides its source: ${cniRule.replace(/\.?$/, '.')} ${keeps ? `The destination sees the pod address ${podAddress}.` : `The destination sees ${seen}; replies come back to ${replyNode}, whose conntrack translates them back to ${podAddress}.`}`,
  walkUnchanged: ({ conn, delivered }: { conn: string; delivered: string | null }) => `${conn}: no Service rule translated it; it is delivered unchanged to ${delivered ?? 'its destination'}.`,
  walkDnatOne: ({ endpoint, node }: { endpoint: string; node: string | null }) => `is DNATed to ${endpoint}${node ? ` on ${node}` : ''}.`,
  walkDnatMany: ({ n, scheduler, endpoints }: { n: number; scheduler: string | null; endpoints: readonly { endpoint: string; node: string | null; probability: number }[] }) =>
    `is DNATed to one of ${n} endpoints, ${scheduler ? `chosen by IPVS's ${scheduler} scheduler` : 'chosen at random per connection'}: ${endpoints.map(e => `${e.endpoint}${e.node ? ` on ${e.node}` : ''} (${en.percent(e.probability)})`).join(', ')}.`,
  walkSees: ({ endpoint, seen }: { endpoint: string; seen: string }) => `${endpoint} sees ${seen}`,
  walkEverySees: ({ seen }: { seen: string }) => `every endpoint sees ${seen}`,
  walkMasqueraded: ({ node, seen, client }: { node: string; seen: string; client: string }) =>
    `It is marked for masquerade on ${node}, so POSTROUTING rewrites the source to the address of the interface the packet leaves by: ${seen}. The client address ${client} is not visible to the pod.`,
  walkMasqueradedSome: ({ masqueraded, node, sees, kept, client }: { masqueraded: readonly string[]; node: string; sees: string; kept: readonly string[]; client: string }) =>
    `Only some branches are masqueraded: on the way to ${masqueraded.join(', ')} it is marked for masquerade on ${node} (${sees}); ${kept.join(', ')} ${kept.length === 1 ? 'sees' : 'see'} the client address ${client}.`,
  walkNoMasquerade: ({ seen }: { seen: string }) => `No masquerade: the pod sees the client address ${seen}.`,
  walkAffinityHit: ({ client }: { client: string }) => `Session affinity (ClientIP): ${client} is remembered from an earlier connection, so this one goes back to the endpoint recorded for it.`,
  walkAffinityFirst: ({ client, nodes }: { client: string; nodes: string }) =>
    `Session affinity (ClientIP): this is the first connection from ${client}; the endpoint it gets is remembered on ${nodes} for the affinity timeout, and later connections from the same address through that node go there too.`,
  walkReplyBroken: ({ endpoints, node }: { endpoints: readonly string[]; node: string }) =>
    `Warning: for ${endpoints.join(', ')} the reply does not return through ${node}, where the connection was translated, so the client drops it and the connection fails.`,

  // natlens trace, one hop a line (walk/format.ts)
  tracePacket: ({ packet, node }: { packet: string; node: string }) => `packet: ${packet}, entering ${node}`,
  traceVerdict: ({ verdict, masqueraded, reached, masquerade, snat }: { verdict: string; masqueraded: number; reached: number; masquerade: boolean; snat: string | null }) =>
    `verdict: ${verdict}${!masquerade ? '' : masqueraded < reached ? `, masqueraded on ${masqueraded} of ${reached} branches` : ', masqueraded'}${snat ? ` (SNAT to ${snat})` : ''}`,
  traceEndpoints: ({ endpoints }: { endpoints: string }) => `endpoints: ${endpoints}`,
  traceBranch: ({ i, n, probability }: { i: number; n: number; probability: number }) => `branch ${i}/${n}, ${en.percent(probability)}: `,
  traceDelivered: ({ to }: { to: string }) => `delivered to ${to}`,
  traceOutcome: ({ head, verdict, endpoint, fate, seen }: { head: string; verdict: string; endpoint: string | null; fate: string; seen: string | null }) =>
    `${head}${verdict}${endpoint ? ` to ${endpoint}` : ''}; ${fate}${seen ? `; source seen: ${seen}` : ''}`,
  traceReply: ({ node, description, packet }: { node: string | null; description: string; packet: string }) => `  reply${node ? ` (${node})` : ''}: ${description}: ${packet}`,
  traceAgain: () => 'again: the same client\'s next connection, with what the first one left in the session-affinity lists (taken as not yet expired):',
  traceAfter: ({ first, probability, verdict, next }: { first: string; probability: number; verdict: string; next: string }) =>
    `  after ${first} (${en.percent(probability)}): ${verdict}${next ? ` to ${next}` : ''}`,

  // hop effects that need words (walk/effects.ts); jump, goto, MARK, DNAT and the like are rule keywords
  effectInferred: () => 'inferred from kernel and kube-proxy source: not covered by upstream tests',
  effectMatched: () => 'matched (no target)',
  effectIpvsNoRealServer: ({ at, virtualServer, inferred }: { at: string; virtualServer: string; inferred: string }) =>
    `REJECT (IPVS at ${at}: virtual server ${virtualServer} has no real server; the kernel's ip_vs_leave sends ICMP port unreachable and drops the packet; ${inferred})`,
  effectIpvsAt: ({ scheduler, at }: { scheduler: string; at: string }) => `IPVS ${scheduler} at ${at}`,
  effectIpvsTemplate: ({ seconds }: { seconds: number | null }) => `the real server this client's persistence template (${seconds}s) names`,
  effectIpvsOneOf: ({ n }: { n: number }) => `1 of ${n} real servers, each taken as equally likely for a first connection`,
  effectIpvsOnly: () => 'the only real server',
  effectIpvsForwarder: () => 'masquerading forwarder',
  effectIpvsPersistent: ({ seconds }: { seconds: number }) => `persistent ${seconds}s: later connections from this client address go to the same real server`,
  effectIpvsFallback: ({ policy }: { policy: string }) =>
    `${policy}TrafficPolicy Local without a local endpoint: kube-proxy falls back to the cluster-wide endpoints (proxier.go syncEndpoint, kubernetes/kubernetes#97081), where iptables and nftables drop`,
  effectKeepSource: () => 'no SNAT: leaves with the pod address',
  effectLocalSocket: () => 'accepted for a local socket on the kube-ipvs0 address (the walk routes without kube-ipvs0 and shows it going on; not modelled further)',

  // diagnostics stated from the facts (facts/diagnostics.ts)
  diagClientIpLost: ({ sameNode, entries, client }: { sameNode: boolean; entries: readonly string[]; client: string | null }) =>
    `Client IP lost: with externalTrafficPolicy Cluster, external connections are masqueraded on the node they enter${sameNode ? ', even when the endpoint is on that node' : ''}: ${entries.join('; ')}${client ? `; never ${client}, the client.` : '.'}`,
  diagEnteringSees: ({ node, sees }: { node: string; sees: string }) => `entering ${node}, ${sees}`,
  diagLocalText: ({ parts, loadBalancer }: { parts: readonly string[]; loadBalancer: string }) => `externalTrafficPolicy Local: ${parts.join('; ')}.${loadBalancer ? ` ${loadBalancer}` : ''}`,
  diagLocalServingNode: ({ node, n }: { node: string; n: number }) => `${node} sends external connections to its own ${n === 1 ? 'endpoint' : `${n} endpoints`}`,
  diagLocalServing: ({ nodes, keptIp, uneven }: { nodes: readonly string[]; keptIp: boolean; uneven: boolean }) =>
    `${nodes.join(', ')}${keptIp ? ', keeping the client IP' : ''}${uneven ? ', so a node with fewer endpoints loads each of them more' : ''}`,
  diagLocalBlocked: ({ nodes, several, refused, where }: { nodes: string; several: boolean; refused: boolean; where: string }) =>
    `${nodes} ${several ? 'have' : 'has'} no local endpoint and ${refused ? `refuse${several ? '' : 's'} the connections (${where}): clients get "connection refused"` : `drop${several ? '' : 's'} the connections (${where}): clients time out`}`,
  diagLocalLost: ({ nodes, several, targets, fallbackMode }: { nodes: string; several: boolean; targets: string; fallbackMode: string | null }) =>
    `${nodes} ${several ? 'have' : 'has'} no local endpoint and ${several ? 'send' : 'sends'} them to ${targets} without SNAT${fallbackMode ? `: kube-proxy's ${fallbackMode} mode falls back to the other nodes' endpoints (kubernetes/kubernetes#97081)` : ''}, and the reply does not come back through ${nodes}, so the connections fail`,
  diagLocalNoNode: ({ known }: { known: boolean }): string => (known ? 'no node has a local endpoint'
    : 'no workload or EndpointSlice in the files given backs this Service, so no node has a local endpoint here (pods defined elsewhere or created by an operator would not appear)'),
  diagLocalBehindLoadBalancer: ({ port, nodes }: { port: number; nodes: string }) =>
    `Behind a load balancer this is the intended design: the health check node port ${port || '(allocated by the API server)'} answers 503 on ${nodes}, so a load balancer that honours it sends them nothing; only clients that connect to those nodes directly meet the above.`,
  diagInternalText: ({ parts }: { parts: readonly string[] }) => `internalTrafficPolicy Local: ${parts.join('; ')}.`,
  diagInternalBlocked: ({ nodes, address, refused, where }: { nodes: string; address: string; refused: boolean; where: string }) =>
    `clients on ${nodes} have no local endpoint, and their connections to ${address} are ${refused ? 'refused' : 'dropped'} (${where}), not sent to another node`,
  diagInternalElsewhere: ({ nodes, address, targets }: { nodes: string; address: string; targets: string }) => `from ${nodes} connections to ${address} go to ${targets} on another node`,
  diagNoEndpoints: ({ verdict, where }: { verdict: string | null; where: string }) =>
    `the Service has no endpoints${verdict === 'REJECT' ? ', and kube-proxy REJECTs connections to it: clients see "connection refused".' : verdict === 'DROP' ? `, and kube-proxy drops connections to it (${where}): clients time out.` : '.'}`,

  // quick fixes and the selector rule (findings/rules)
  fixPreserveClientIp: () => 'Preserve client IP: set externalTrafficPolicy: Local (only nodes with a ready local endpoint answer)',
  fixBalanceAllNodes: () => 'Balance across all nodes: set externalTrafficPolicy: Cluster (client IP is lost to SNAT)',
  selectorNoLabel: ({ key }: { key: string }) => `no ${key} label`,
  selectorNearMiss: ({ wanted, workload, matched, instead, consequence }: { wanted: string; workload: string; matched: string; instead: string; consequence: string }) =>
    `No workload matches the selector ${wanted}: the pods of ${workload} in this file have ${matched} but ${instead}, so ${consequence}`,
  selectorRuntimeLabels: ({ workloads, labels }: { workloads: string; labels: string }) =>
    `the pods of ${workloads} match only if ${labels} has the selected value, which the controller chooses at run time`,
  selectorOperator: ({ kinds }: { kinds: string }) => `the files hold custom resources (${kinds}) from which an operator may create the pods`,
  selectorElsewhere: () => 'pods created by an operator or controller, or defined in files not given, would not appear here',
  selectorNoWorkload: ({ wanted, because, consequence }: { wanted: string; because: string; consequence: string }) =>
    `No workload in the files given matches the selector ${wanted}; ${because}. If no running pod has these labels, ${consequence}`,

  // hovers that name the mode's own mechanism (findings/hover.ts)
  hoverAffinityNoneScheduler: ({ scheduler }: { scheduler: string }) => `sessionAffinity: None — IPVS's ${scheduler} scheduler picks the endpoint of every new connection.`,
  hoverAffinityNoneSchedulerDetail: ({ address }: { address: string }) => `With rr the real servers of ${address} take turns, per node; long-lived connections are never rebalanced.`,
  hoverHealthCheckRule: ({ chain, mode }: { chain: string | null; mode: string }) =>
    `Only used for type LoadBalancer with externalTrafficPolicy Local; ${chain ? `filter \`${chain}\` accepts it on every node` : `kube-proxy's ${mode} rules write nothing for it`}. Nodes whose local endpoints are all terminating answer 503 but still serve connections that arrive.`,

  hoverSkippedDetail: ({ address }: { address: string | null }) =>
    `The rules NAT Lens generates do not contain it on any node; connections to ${address ?? 'its addresses'} are handled by whatever implements that proxy name (or by nothing).`,
};

export type Messages = { readonly [K in keyof typeof en]: (typeof en)[K] };
