// The sentences of the NAT diagnostics, over a Service's facts: what traffic does (DNAT, SNAT, the
// address the pod sees, a drop or a reject and the rule that decided, a reply that cannot come back)
// is quoted from the facts; a rule module decides only whether and how loudly to report.
import type { EndpointFact, EntryFact, ServiceFacts } from './service';
import { english, type Messages } from '../i18n';
import { brokenReply, externalEntries, isBlocked, nodesOf, podSees } from './render';

/** One external entry per node: its NodePort, else its first load-balancer or external IP. */
export function externalByNode(facts: ServiceFacts): EntryFact[] {
  const seen = new Set<string>();
  return externalEntries(facts).filter(e => !seen.has(e.node) && (seen.add(e.node), true));
}

const several = (es: readonly EntryFact[]) => new Set(es.map(e => e.node)).size > 1;
const where = (e: EntryFact) => `${e.verdict} in ${e.rule?.table ?? '?'} ${e.rule?.chain ?? '?'}`;
const endpointsOf = (ps: readonly EndpointFact[]) => [...new Set(ps.map(p => `${p.endpoint}${p.node ? ` (${p.node})` : ''}`))].join(', ');

/** client-ip-lost: where external connections are masqueraded and what the pod sees instead; null when none is. */
export function clientIpLostMessage(facts: ServiceFacts, m: Messages = english): string | null {
  const masqueraded = externalByNode(facts).filter(e => e.verdict === 'DNAT' && e.endpoints.some(p => p.masquerade));
  if (masqueraded.length === 0) return null;
  const client = masqueraded[0]!.source;
  return m.diagClientIpLost({
    sameNode: masqueraded.some(e => e.endpoints.some(p => p.masquerade && p.node === e.node)),
    entries: masqueraded.map(e => m.diagEnteringSees({ node: e.node, sees: podSees(e, undefined, m) })),
    client: masqueraded.some(e => e.endpoints.some(p => p.sourceSeen === client)) ? null : client,
  });
}

export interface LocalPolicyFacts {
  /** Nodes that drop or refuse external connections. */
  readonly blocked: readonly EntryFact[];
  /** Nodes that forward them unmasqueraded to another node's endpoint, whose reply is lost. */
  readonly lost: readonly EntryFact[];
  /** Nodes that serve them from their own endpoints. */
  readonly serving: readonly EntryFact[];
  /** Serving nodes have different numbers of endpoints. */
  readonly uneven: boolean;
}

export function localPolicyFacts(facts: ServiceFacts): LocalPolicyFacts {
  const byNode = externalByNode(facts);
  const blocked = byNode.filter(isBlocked);
  const lost = byNode.filter(brokenReply);
  const serving = byNode.filter(e => e.verdict === 'DNAT' && !lost.includes(e));
  return { blocked, lost, serving, uneven: new Set(serving.map(e => e.endpoints.length)).size > 1 };
}

/**
 * local-policy-imbalance: what each node does with external traffic under externalTrafficPolicy Local.
 * `knownEndpoints`: the files hold the Service's endpoints. `healthCheckNodePort`: a LoadBalancer's.
 */
export function localPolicyMessage(facts: ServiceFacts, local: LocalPolicyFacts, knownEndpoints: boolean, healthCheckNodePort: number | null, m: Messages = english): string {
  const { blocked, lost, serving, uneven } = local;
  const parts: string[] = [];
  if (serving.length) {
    parts.push(m.diagLocalServing({
      nodes: serving.map(e => m.diagLocalServingNode({ node: e.node, n: e.endpoints.length })),
      keptIp: serving.every(e => e.endpoints.every(p => !p.masquerade)), uneven,
    }));
  }
  if (blocked.length) parts.push(m.diagLocalBlocked({ nodes: nodesOf(blocked), several: several(blocked), refused: blocked[0]!.verdict === 'REJECT', where: where(blocked[0]!) }));
  // pkg/proxy/ipvs/proxier.go syncEndpoint: a Local policy without local endpoints keeps the cluster's (kubernetes/kubernetes#97081)
  const fallbackMode = facts.semantics.localWithoutEndpoint === 'fallback-to-cluster' ? facts.mode : null;
  if (lost.length) parts.push(m.diagLocalLost({ nodes: nodesOf(lost), several: several(lost), targets: endpointsOf(lost.flatMap(e => e.endpoints)), fallbackMode }));
  if (!serving.length) parts.push(m.diagLocalNoNode({ known: knownEndpoints }));
  const withoutEndpoint = [...blocked, ...lost];
  const loadBalancer = healthCheckNodePort !== null && withoutEndpoint.length ? m.diagLocalBehindLoadBalancer({ port: healthCheckNodePort, nodes: nodesOf(withoutEndpoint) }) : '';
  return m.diagLocalText({ parts, loadBalancer });
}

/** internal-local-dropped: node clients of the ClusterIP without a local endpoint; null when every node has one. */
export function internalLocalMessage(facts: ServiceFacts, m: Messages = english): { message: string; blocked: boolean } | null {
  const sp = facts.port!;
  const address = `${sp.clusterIP}:${sp.port}`;
  const inside = facts.entries.filter(e => e.client === 'node' && e.via === 'clusterIP');
  const blocked = inside.filter(isBlocked);
  const elsewhere = inside.filter(e => e.verdict === 'DNAT' && e.endpoints.some(p => p.node !== e.node));
  if (!blocked.length && !elsewhere.length) return null;
  const parts = [
    ...(blocked.length ? [m.diagInternalBlocked({ nodes: nodesOf(blocked), address, refused: blocked[0]!.verdict === 'REJECT', where: where(blocked[0]!) })] : []),
    ...(elsewhere.length ? [m.diagInternalElsewhere({ nodes: nodesOf(elsewhere), address, targets: endpointsOf(elsewhere.flatMap(e => e.endpoints.filter(p => p.node !== e.node))) })] : []),
  ];
  return { message: m.diagInternalText({ parts }), blocked: blocked.length > 0 };
}

/** selector-matches-nothing: what kube-proxy does with a connection to a Service without endpoints. */
export function noEndpointsConsequence(facts: ServiceFacts, m: Messages = english): string {
  const e = facts.entries.find(x => x.client === 'node' && x.via === 'clusterIP');
  return m.diagNoEndpoints({ verdict: e && isBlocked(e) ? e.verdict : null, where: e ? where(e) : '' });
}
