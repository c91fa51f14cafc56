// The debug checklist's words (debug/commands.ts, proxy/*/debug.ts): titles, where to run each
// command and what to look for, filled with what the facts and the generated rules say.

/** Where a command runs: the workstation (kubectl), a node's root shell, or a machine outside the cluster. */
export type RunOn =
  | { readonly where: 'workstation' }
  | { readonly where: 'outside'; readonly orAnyNode?: boolean }
  | { readonly where: 'node'; readonly node: string; readonly because?: 'client-dnat' | 'client' | 'client-pod' | 'load-balancer' | 'routed'; readonly address?: string }
  | { readonly where: 'node-running'; readonly ip: string };

/** What a filter rule of a Service does, by its chain and target (proxy/iptables/debug.ts). */
export type FilterRuleKind = 'no-endpoints' | 'no-local-endpoints' | 'health-check' | 'firewall' | 'other';

/** One rule of a Service's nat chain, as the chain listing explains it. */
export type ChainRulePart =
  | { readonly kind: 'fall-through' }
  | { readonly kind: 'firewall-source'; readonly source: string; readonly target: string }
  | { readonly kind: 'mark-masq'; readonly sources: 'node-local' | 'all' | { readonly cidr: string; readonly outside: boolean } }
  | { readonly kind: 'endpoint'; readonly target: string; readonly endpoint: string; readonly affinity: boolean; readonly probability: { readonly printed: string; readonly written: string } | null }
  | { readonly kind: 'pods-skip'; readonly source: string; readonly target: string }
  | { readonly kind: 'node-local'; readonly target: string }
  | { readonly kind: 'jump'; readonly target: string };

/** What a Service's nftables chain does (proxy/nftables/debug.ts). */
export type NftChainRole =
  | { readonly kind: 'numgen' | 'dispatch' | 'external-cluster' }
  | { readonly kind: 'external-local'; readonly pods: boolean }
  | { readonly kind: 'firewall'; readonly ranges: readonly string[] }
  | { readonly kind: 'endpoint'; readonly endpoint: string };

export const debugEn = {
  debugHeading: ({ service, port, node, mode }: { service: string; port: string | null; node: string; mode: string }) => `Check ${service}${port ? ` port ${port}` : ''} on node ${node} (${mode} mode)`,
  debugLookFor: () => 'Look for:',
  debugExpected: () => 'Expected:',
  debugRunOn: (r: RunOn): string => {
    switch (r.where) {
      case 'workstation': return 'workstation';
      case 'outside': return r.orAnyNode ? 'outside the cluster (or any node)' : 'outside the cluster';
      case 'node-running': return `the node running ${r.ip}`;
      case 'node': {
        const on = `node ${r.node}`;
        switch (r.because) {
          case undefined: return on;
          case 'client-dnat': return `${on} (the client's node: ClusterIP DNAT happens there)`;
          case 'client': return `${on} (the client's node)`;
          case 'client-pod': return `${on} (where the client pod runs)`;
          case 'load-balancer': return `${on} (when the load balancer delivers to it with the destination kept)`;
          case 'routed': return `${on} (if ${r.address ?? 'the address'} is routed to it)`;
        }
      }
    }
  },
  debugNotWalked: () => 'not walked',

  // what the API server stored
  debugStoredTitle: () => 'The Service as the API server stored it',
  debugAllocated: () => '(allocated by the API server)',
  debugStoredLookFor: ({ type, clusterIP, externalIP, ports, assumed }: { type: string; clusterIP: string; externalIP: string; ports: string; assumed: readonly string[] }) =>
    `TYPE ${type}, CLUSTER-IP ${clusterIP}, EXTERNAL-IP ${externalIP}, PORT(S) ${ports}.` +
    (assumed.length ? ` NAT Lens assumed ${assumed.join(', ')} (not in the manifest): where the cluster's real values differ, use them in the commands below.` : ''),
  debugEtpTitle: () => 'The external traffic policy',
  debugItpTitle: () => 'The internal traffic policy',
  debugItpLookFor: ({ summary }: { summary: string }) => `${summary} (externalTrafficPolicy does not apply: the Service is not externally reachable.)`,
  debugEndpointsTitle: () => 'The endpoints kube-proxy reads',
  debugEndpointsReady: ({ ready, derived, ports }: { ready: readonly string[]; derived: boolean; ports: readonly number[] }) =>
    `ENDPOINTS lists the ready pods (kubectl shows three, then "+ N more..."): ${derived ? `NAT Lens derived ${ready.length} from the workloads in the workspace (${ready.join(', ')}); the real pod IPs differ, compare the count and the PORTS column (${ports.join(',')})` : ready.join(', ')}.`,
  debugEndpointsNone: ({ headless }: { headless: boolean }) =>
    `No ready endpoints: ENDPOINTS is empty (<unset>)${headless ? ', so DNS has no records for the Service' : ', so kube-proxy rejects connections'}. Check the selector against the pods' labels and their readiness.`,
  debugNoPortTitle: () => 'No port to check',
  debugNoSuchPort: ({ service, port, ports }: { service: string; port: string; ports: readonly string[] }) => `${service} has no port ${port}; its ports: ${ports.join(', ')}.`,
  debugNothingProgrammed: ({ service, clusterIP }: { service: string; clusterIP: boolean }) =>
    `kube-proxy programs nothing for ${service} in the model: ${clusterIP ? 'it has no ports' : 'it has no ClusterIP (set one, or profile allocate: true)'}.`,

  // the node shell
  debugRootShellTitle: ({ node }: { node: string }) => `A root shell on ${node}`,
  debugRootShell: ({ node, runOn, port, others }: { node: string; runOn: string; port: string; others: readonly string[] }) =>
    `A shell in ${node}'s namespaces with its root filesystem (or ssh to the node). Run the "${runOn}" commands below in it; they need root. ` +
    `--profile=sysadmin makes the debug pod privileged; conntrack and tcpdump must be installed on the node.${others.length ? ` These checks are for port ${port}; the Service also has ${others.join(', ')} (--port).` : ''}`,
  debugRootShellOther: ({ node, several }: { node: string; several: boolean }) => `A shell in ${node}'s namespaces (or ssh to the node) for the node ${several ? 'commands' : 'command'} below.`,

  // what the endpoint sees
  debugSeenOther: ({ outcome }: { outcome: string }) => `not this endpoint (${outcome})`,
  debugSeenSnat: ({ seen }: { seen: string }) => `${seen} (SNAT)`,
  debugSeenOwn: ({ pod }: { pod: boolean }): string => (pod ? 'the client pod\'s own address (no SNAT)' : 'the client\'s own address (no SNAT)'),
  debugSeenReplyLost: ({ node }: { node: string }) => `, but the reply does not come back through ${node}`,
  debugFromPod: ({ node, seen }: { node: string; seen: string }) => `from a pod on ${node} via the ClusterIP: ${seen}`,
  debugFromOutside: ({ via, seen }: { via: string; seen: string }) => `from an outside client via ${via}: ${seen}`,
  debugViaNodePort: ({ port, node }: { port: number; node: string }) => `NodePort ${port} on ${node}`,
  debugViaLoadBalancer: ({ address }: { address: string }) => `the load balancer IP ${address}`,
  debugViaExternalIP: ({ address }: { address: string }) => `the external IP ${address}`,
  debugTcpdumpTitle: ({ endpoint }: { endpoint: string }) => `Packets arriving at endpoint ${endpoint}`,
  debugTcpdump: ({ ip, port, sources, derived }: { ip: string; port: number; sources: readonly string[]; derived: boolean }) =>
    `Start it before the probe below. Packets to ${ip}.${port} (after DNAT: the Service address never appears here); their source is what the application sees${sources.length ? ` — ${sources.join('; ')}` : ''}.` +
    `${derived ? ' The endpoint address is derived from the workspace; use a real pod IP from the EndpointSlice.' : ''}`,
  debugPodViewTitle: () => 'What an endpoint pod sees, from inside it',
  debugPodView: ({ port, sources }: { port: number; sources: readonly string[] }) =>
    `An ephemeral container in the pod's network namespace (--profile=netadmin grants the capture capabilities). The source of each connection to port ${port} is the client address the application logs${sources.length ? `: ${sources.join('; ')}` : ''}.`,

  // a connection from a throwaway pod
  debugProbeTitle: ({ node }: { node: string }) => `A throwaway client pod on ${node} connecting to the ClusterIP`,
  debugPredicts: ({ outcome }: { outcome: string }) => `NAT Lens predicts ${outcome}. `,
  debugProbeRefused: () => '"Connection refused" confirms it.',
  debugProbeTimeout: () => '"download timed out" confirms it.',
  debugProbeReached: ({ tcp }: { tcp: boolean }) =>
    `${tcp ? 'A response (or, on a port that does not speak HTTP, any error other than "Connection refused" or a timeout)' : 'No ICMP error'} means the connection reached an endpoint; "Connection refused" means REJECT (no endpoints), a timeout DROP. Run it a few times: conntrack below shows which endpoint each connection went to.`,
  debugSctpTitle: () => 'A client for the SCTP port',
  debugSctp: ({ address, predicted }: { address: string; predicted: string | null }) =>
    `busybox has no SCTP client: from this shell connect to ${address} with an SCTP-capable tool (e.g. ncat --sctp, if the image has it). ${predicted ? `NAT Lens predicts ${predicted}.` : ''}`,

  // conntrack
  debugConntrackTitle: ({ address }: { address: string }) => `conntrack entries for ${address}`,
  debugConntrackBlocked: ({ verdict }: { verdict: 'DROP' | 'REJECT' }) => `No entry: the first packet is ${verdict === 'REJECT' ? 'rejected' : 'dropped'} before conntrack confirms the connection.`,
  debugConntrack: ({ clusterIP, port, predicted }: { clusterIP: string; port: number; predicted: string | null }) =>
    `One line per connection: the original tuple src=<client> dst=${clusterIP} dport=${port}, then the reply tuple src=<endpoint> sport=<its port> dst=<where replies go>. ` +
    `${predicted ? `NAT Lens predicts for a pod client: ${predicted}, so the reply dst is the pod's own address. ` : ''}` +
    'A reply dst that is a node address means the connection was masqueraded (a host-network client, a pod reaching itself, or masqueradeAll).',
  debugNodePortTitle: ({ port, node }: { port: number; node: string }) => `NodePort ${port} on ${node} from outside the cluster`,
  debugNodePort: ({ predicted, node }: { predicted: string | null; node: string }) =>
    `${predicted ? `For an outside client NAT Lens predicts ${predicted}. ` : ''}"succeeded"/"open" means an endpoint accepted; "refused" means REJECT (no endpoints); a timeout means DROP (externalTrafficPolicy Local and no endpoint on ${node}) or a firewall in front of the node.`,
  debugConntrackNodePortTitle: ({ port }: { port: number }) => `conntrack entries for NodePort ${port}`,
  debugConntrackNodePortDnat: ({ snat, predicted }: { snat: string | null; predicted: string }) =>
    `Reply tuple src=<endpoint> and dst=${snat ? `the SNAT address (${snat}): the connection was SNATed, the pod never sees the client` : 'the client\'s own address: no SNAT, the pod sees the client IP'} (predicted: ${predicted}).`,
  debugConntrackNone: ({ outcome }: { outcome: string }) => `No entry: ${outcome}.`,
  debugConntrackNodePortPolicy: ({ local }: { local: boolean }) =>
    `Reply tuple src=<endpoint> and dst=${local ? 'the client\'s own address (externalTrafficPolicy Local: no SNAT)' : 'a node address (externalTrafficPolicy Cluster: SNATed)'}.`,
  debugConntrackLbTitle: ({ address }: { address: string }) => `conntrack entries for the load balancer IP ${address}`,
  debugPredicted: ({ outcome }: { outcome: string }) => `Predicted: ${outcome}. `,
  debugConntrackLb: ({ ranges, chain }: { ranges: readonly string[]; chain: string | null }) =>
    `${ranges.length ? `Only sources in ${ranges.join(', ')} get an entry; others are dropped by ${chain ?? 'the firewall rules'} before DNAT. ` : ''}A load balancer that forwards to the NodePort shows up under the NodePort instead.`,
  debugLbAddressTitle: () => 'The load balancer\'s address',
  debugLbAddress: () => 'status.loadBalancer.ingress is empty in the manifest, so NAT Lens has no VIP rules to predict. Once provisioned: an ip (VIP mode, captured by kube-proxy on every node) or a hostname/ipMode Proxy (not captured: traffic arrives at the NodePort).',
  debugConntrackExternalTitle: ({ address }: { address: string }) => `conntrack entries for the external IP ${address}`,
  debugConntrackExternal: ({ address }: { address: string }) => `Routing ${address} to a node is up to the network; kube-proxy only captures what arrives.`,
  debugHealthTitle: ({ service }: { service: string }) => `kube-proxy's health check for ${service}`,
  debugHealthNode: ({ node, n }: { node: string; n: number }) => `${node}: ${n > 0 ? `200, "localEndpoints": ${n}` : '503, "localEndpoints": 0'}`,
  debugHealth: ({ nodes }: { nodes: readonly string[] }) =>
    `HTTP 200 on nodes with a ready local endpoint, 503 elsewhere; the JSON body names the Service and counts "localEndpoints". Predicted: ${nodes.join('; ')}. A load balancer that honours it skips the nodes without a local endpoint.`,
  debugEstablishedTitle: () => 'Established connections, from inside an endpoint pod',
  debugEstablished: ({ example }: { example: { seen: string; node: string } | null }) =>
    `The Peer Address:Port column: client pod addresses for in-cluster ClusterIP clients; a node address for connections that were masqueraded${example ? ` (e.g. ${example.seen} for NodePort traffic through ${example.node})` : ''}.`,

  // ExternalName and headless Services
  debugAliasTitle: () => 'The name this Service aliases',
  debugAlias: ({ target }: { target: string }) => `${target || '(empty: the Service is invalid)'}. An ExternalName Service is only a DNS CNAME: no ClusterIP, no endpoints, no kube-proxy rules, no NAT.`,
  debugWhyExternalName: () => 'kube-proxy skips ExternalName Services, so there is nothing of this Service in its rules. What to check instead is DNS, and the egress NAT of the pod\'s connection to whatever the name resolves to.',
  debugDnsTitle: () => 'What cluster DNS answers',
  debugDnsAlias: ({ target }: { target: string }) =>
    `"canonical name = ${target}", then the addresses ${target} resolves to. Clients connect to those directly: no DNAT. Whether the destination sees the pod's IP or the node's is the CNI's egress decision (IPPool natOutgoing, ip-masq-agent, ... see docs/egress.md).`,
  debugEgressTitle: () => 'The pod\'s outgoing connection in conntrack',
  debugEgress: ({ target, node }: { target: string; node: string }) =>
    `Entries towards ${target}'s addresses: a reply dst equal to the pod's IP means no egress SNAT; a node address means the CNI masqueraded the connection, and replies must return through ${node}.`,
  debugWhyHeadless: () => 'kube-proxy skips headless Services (clusterIP: None): no DNAT, no SNAT. Check DNS and the pods themselves instead.',
  debugDnsHeadless: ({ ips }: { ips: readonly string[] }) =>
    `One A record per ready pod${ips.length ? ` (${ips.length}: ${ips.join(', ')}, derived from the workloads in the workspace: compare the count)` : ': no workload in the workspace matches the selector, so NAT Lens expects none'}; clients connect to a pod address directly.`,
  debugHeadlessProbeTitle: ({ node, address }: { node: string; address: string }) => `A throwaway client pod on ${node} connecting to ${address}`,
  debugHeadlessProbe: () => 'The pod answers itself: the address is the pod\'s, not a Service address, so no kube-proxy rule is involved.',
  debugHeadlessConntrack: ({ ip, port }: { ip: string; port: number }) => `The reply tuple mirrors the original: src=${ip} sport=${port} dst=<the probe pod's IP>, so neither DNAT nor SNAT happened.`,
  debugHeadlessTcpdumpTitle: ({ ip }: { ip: string }) => `Packets arriving at ${ip}`,
  debugHeadlessTcpdump: () => 'The client pod\'s own address as the source: pods reach each other without NAT.',

  // the back ends' own checks
  debugNoOutput: ({ why }: { why: string }) => `No output: ${why}`,
  debugIptablesNothingTitle: () => 'Nothing in kube-proxy\'s rules',
  debugIptablesChainTitle: ({ ipt, chain, role }: { ipt: string; chain: string; role: 'svc' | 'svl' | 'ext' | 'fw' }) =>
    `${ipt} chain ${chain} (${{ svc: 'all endpoints, Cluster policy', svl: 'endpoints on this node, Local policy', ext: 'NodePort, load balancer and external IP traffic', fw: 'loadBalancerSourceRanges' }[role]})`,
  debugIptablesChain: ({ parts }: { parts: readonly ChainRulePart[] }) =>
    `${parts.length ? `In order: ${parts.map(chainRulePartEn).join('; ')}.` : 'An empty chain.'} The pkts column counts new connections only: nat rules see the first packet of each connection, conntrack translates the rest.`,
  debugIptablesNoChainTitle: ({ chain, node }: { chain: string; node: string }) => `No ${chain} on ${node}`,
  debugIptablesNoChain: ({ chain, node, local }: { chain: string; node: string; local: boolean }) =>
    `"No chain/target/match by that name": kube-proxy writes ${chain} only when ${node} has endpoints to send the ClusterIP to${local ? ' (internalTrafficPolicy Local: endpoints on this node)' : ''}.`,
  debugIptablesNatTitle: ({ service }: { service: string }) => `Every nat rule of ${service} in one listing`,
  debugIptablesNatNone: ({ node, service }: { node: string; service: string }) =>
    `No output: ${node} has no endpoint it could send ${service} to, so kube-proxy writes no nat rule for it there; the filter rules below reject or drop its connections.`,
  debugIptablesNat: ({ n, node, cut, probabilities }: { n: number; node: string; cut: number | null; probabilities: readonly { written: string; printed: string }[] }) =>
    `${n} lines, as NAT Lens generated them for ${node}${cut ? ` (endpoint chains after the first ${cut} left out of the pattern)` : ''}. ` +
    `iptables-save prints them normalised: single addresses get /32, -p moves first, and probabilities come back as the kernel stored them (${probabilities.map(p => `${p.written} → ${p.printed}`).join(', ') || 'none here'}).`,
  debugIptablesFilterTitle: ({ service }: { service: string }) => `filter rules for ${service}`,
  debugIptablesFilterRule: ({ kind, target, comment, node, port }: { kind: FilterRuleKind; target: string; comment: string; node: string; port: number }) => {
    const quoted = comment ? ` "${comment}"` : '';
    switch (kind) {
      case 'no-endpoints': return `${target}${quoted}: there is no endpoint anywhere, clients get "connection refused".`;
      case 'no-local-endpoints': return `${target}${quoted}: ${node} has no endpoint for the Local policy, so those connections time out here.`;
      case 'health-check': return `${target}${quoted} for port ${port}, whether or not ${node} has a local endpoint.`;
      case 'firewall': return `${target}${quoted} in KUBE-PROXY-FIREWALL: load balancer traffic from sources outside loadBalancerSourceRanges.`;
      case 'other': return `${target}${quoted}.`;
    }
  },
  debugNftNothingTitle: () => 'Nothing in kube-proxy\'s table',
  debugNftChainTitle: ({ chain }: { chain: string }) => `nft chain ${chain}`,
  debugNftEndpointTitle: ({ endpoint }: { endpoint: string }) => `nft endpoint chain for ${endpoint}`,
  debugNftChain: ({ what }: { what: NftChainRole }) => `${nftChainRoleEn(what)} kube-proxy's nftables rules carry no counters: use conntrack below to see which endpoint a connection took.`,
  debugNftMapTitle: ({ map }: { map: string }) => `nft map ${map}`,
  debugAmongElements: ({ service, elements }: { service: string; elements: readonly string[] }) => `Among the elements, ${service}'s: ${elements.join('; ')}.`,
  debugIpvsNothingTitle: () => 'No IPVS virtual server for the Service',
  debugIpvsNothing: ({ service, why }: { service: string; why: string }) => `No virtual server for ${service}: ${why}`,
  debugIpvsTitle: ({ address, kind }: { address: string; kind: 'clusterIP' | 'nodePort' | 'loadBalancer' | 'externalIP' }) =>
    `IPVS virtual server ${address} (${{ clusterIP: 'the ClusterIP', nodePort: 'the node port', loadBalancer: 'the load balancer IP', externalIP: 'the external IP' }[kind]})`,
  debugIpvs: ({ scheduler, timeout, servers }: { scheduler: string; timeout: number | null; servers: readonly string[] }) =>
    `Scheduler ${scheduler}${timeout ? `, persistent ${timeout} s (session affinity)` : ''}; ${servers.length} real server${servers.length === 1 ? '' : 's'}, forward method Masq, weight 1: ${servers.join(', ')}. ActiveConn and InActConn count the connections IPVS sent to each.`,
  debugIpvsNoServer: ({ node, address }: { node: string; address: string }) => `No real servers on ${node}: IPVS has nowhere to send connections to ${address}, and they are refused.`,
  debugIpsetTitle: ({ set }: { set: string }) => `ipset ${set}`,
  debugIpset: ({ service, entries, comment }: { service: string; entries: readonly string[]; comment: string }) =>
    `Among the members, ${service}'s: ${entries.join(', ')}. kube-proxy's iptables rules match this set (${comment}).`,
};

function nftChainRoleEn(what: NftChainRole): string {
  switch (what.kind) {
    case 'numgen': return 'The masquerade rule for non-pod sources, then "numgen random mod N vmap" over the endpoint chains (each 1/N).';
    case 'dispatch': return 'The endpoint dispatch.';
    case 'external-cluster': return '"jump mark-for-masquerade" first: every external connection is SNATed, then the cluster chain.';
    case 'external-local': return `${what.pods ? 'Pods and node-local' : 'Node-local'} sources short-circuit to the cluster chain; the rest goes to the local chain without masquerade.`;
    case 'firewall': return `Drops sources outside ${what.ranges.join(', ')}.`;
    case 'endpoint': return `Masquerade when the source is the endpoint itself (hairpin), then "dnat to ${what.endpoint}".`;
  }
}

function chainRulePartEn(p: ChainRulePart): string {
  switch (p.kind) {
    case 'fall-through': return 'anything else falls through (no target), and filter KUBE-PROXY-FIREWALL drops it';
    case 'firewall-source': return `sources in ${p.source} → ${p.target}`;
    case 'mark-masq': return p.sources === 'node-local' ? 'KUBE-MARK-MASQ for node-local sources' : p.sources === 'all' ? 'KUBE-MARK-MASQ for every connection (all of them are SNATed)'
      : `KUBE-MARK-MASQ for sources ${p.sources.outside ? 'outside' : 'in'} ${p.sources.cidr}`;
    case 'endpoint': return `${p.affinity ? 'recent --rcheck (session affinity) → ' : ''}${p.target} → ${p.endpoint}${p.probability ? ` with probability ${p.probability.printed} (written as ${p.probability.written})` : p.affinity ? '' : ' for the rest'}`;
    case 'pods-skip': return `${p.source} → ${p.target} (pods skip the Local policy)`;
    case 'node-local': return `node-local sources → ${p.target}`;
    case 'jump': return `→ ${p.target}`;
  }
}
