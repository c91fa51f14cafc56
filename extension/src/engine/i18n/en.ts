// The English messages: every sentence the engine renders for people. Parameters are typed here;
// the German table (de.ts) must give the same keys with the same parameters (tsc and test/unit/i18n.test.ts).
import { percentNumber } from './vocabulary';
import type { IgnoredHints } from '../model/topology';
import type { TopologyFallback } from '../facts/topology';

export const en = {
  // shared vocabulary
  percent: (p: number) => `${percentNumber(p, '.')}%`,

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

  // diagnostics stated from the facts (facts/diagnostics.ts)
  diagClientIpLost: ({ sameNode, entries, client }: { sameNode: boolean; entries: readonly string[]; client: string | null }) =>
    `Client IP lost: with externalTrafficPolicy Cluster, external connections are masqueraded on the node they enter${sameNode ? ', even when the endpoint is on that node' : ''}: ${entries.join('; ')}${client ? `; never ${client}, the client.` : '.'}`,
  diagEnteringSees: ({ node, sees }: { node: string; sees: string }) => `entering ${node}, the pod sees ${sees}`,
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

  // hovers that name the mode's own mechanism (findings/hover.ts)
  hoverAffinityNoneScheduler: ({ scheduler }: { scheduler: string }) => `sessionAffinity: None — IPVS's ${scheduler} scheduler picks the endpoint of every new connection.`,
  hoverAffinityNoneSchedulerDetail: ({ address }: { address: string }) => `With rr the real servers of ${address} take turns, per node; long-lived connections are never rebalanced.`,
  hoverHealthCheckRule: ({ chain, mode }: { chain: string | null; mode: string }) =>
    `Only used for type LoadBalancer with externalTrafficPolicy Local; ${chain ? `filter \`${chain}\` accepts it on every node` : `kube-proxy's ${mode} rules write nothing for it`}. Nodes whose local endpoints are all terminating answer 503 but still serve connections that arrive.`,
};

export type Messages = { readonly [K in keyof typeof en]: (typeof en)[K] };
