// The English messages: every sentence the engine renders for people. Parameters are typed here;
// the German table (de.ts) must give the same keys with the same parameters (tsc and test/unit/i18n.test.ts).
import { percentNumber } from './vocabulary';

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
};

export type Messages = { readonly [K in keyof typeof en]: (typeof en)[K] };
