// The sentences of the NAT diagnostics, over a Service's facts: what traffic does (DNAT, SNAT, the
// address the pod sees, a drop or a reject and the rule that decided, a reply that cannot come back)
// is quoted from the facts; a rule module decides only whether and how loudly to report.
import type { EntryFact, ServiceFacts } from './service';
import { brokenReply, externalEntries, isBlocked, nodesOf, podSees } from './render';

/** One external entry per node: its NodePort, else its first load-balancer or external IP. */
export function externalByNode(facts: ServiceFacts): EntryFact[] {
  const seen = new Set<string>();
  return externalEntries(facts).filter(e => !seen.has(e.node) && (seen.add(e.node), true));
}

const has = (es: readonly EntryFact[]) => (new Set(es.map(e => e.node)).size === 1 ? 'has' : 'have');

/** "drops the connections (DROP in filter KUBE-EXTERNAL-SERVICES): clients time out", for one node or several. */
function blockedFate(es: readonly EntryFact[]): string {
  const e = es[0]!;
  const s = new Set(es.map(x => x.node)).size === 1 ? 's' : '';
  const where = `${e.verdict} in ${e.rule?.table ?? '?'} ${e.rule?.chain ?? '?'}`;
  return e.verdict === 'REJECT' ? `refuse${s} the connections (${where}): clients get "connection refused"` : `drop${s} the connections (${where}): clients time out`;
}

/** Where a connection that kube-proxy sent on without SNAT ended up, and why its reply is lost. */
function lostFate(es: readonly EntryFact[], facts: ServiceFacts): string {
  const targets = [...new Set(es.flatMap(e => e.endpoints.map(p => `${p.endpoint}${p.node ? ` (${p.node})` : ''}`)))];
  // pkg/proxy/ipvs/proxier.go syncEndpoint: a Local policy without local endpoints keeps the cluster's (kubernetes/kubernetes#97081)
  const why = facts.semantics.localWithoutEndpoint === 'fallback-to-cluster' ? `: kube-proxy's ${facts.mode} mode falls back to the other nodes' endpoints (kubernetes/kubernetes#97081)` : '';
  return `${es.length === 1 ? 'sends' : 'send'} them to ${targets.join(', ')} without SNAT${why}, and the reply does not come back through ${nodesOf(es)}, so the connections fail`;
}

/** client-ip-lost: where external connections are masqueraded and what the pod sees instead; null when none is. */
export function clientIpLostMessage(facts: ServiceFacts): string | null {
  const masqueraded = externalByNode(facts).filter(e => e.verdict === 'DNAT' && e.endpoints.some(p => p.masquerade));
  if (masqueraded.length === 0) return null;
  const sameNode = masqueraded.some(e => e.endpoints.some(p => p.masquerade && p.node === e.node));
  const client = masqueraded[0]!.source;
  const clientSeen = masqueraded.some(e => e.endpoints.some(p => p.sourceSeen === client));
  return `Client IP lost: with externalTrafficPolicy Cluster, external connections are masqueraded on the node they enter${sameNode ? ', even when the endpoint is on that node' : ''}: ` +
    masqueraded.map(e => `entering ${e.node}, the pod sees ${podSees(e)}`).join('; ') + (clientSeen ? '.' : `; never ${client}, the client.`);
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
export function localPolicyMessage(facts: ServiceFacts, local: LocalPolicyFacts, knownEndpoints: boolean, healthCheckNodePort: number | null): string {
  const { blocked, lost, serving, uneven } = local;
  const parts: string[] = [];
  if (serving.length) parts.push(`${serving.map(e => `${e.node} sends external connections to its own ${e.endpoints.length === 1 ? 'endpoint' : `${e.endpoints.length} endpoints`}`).join(', ')}${serving.every(e => e.endpoints.every(p => !p.masquerade)) ? ', keeping the client IP' : ''}${uneven ? ', so a node with fewer endpoints loads each of them more' : ''}`);
  if (blocked.length) parts.push(`${nodesOf(blocked)} ${has(blocked)} no local endpoint and ${blockedFate(blocked)}`);
  if (lost.length) parts.push(`${nodesOf(lost)} ${has(lost)} no local endpoint and ${lostFate(lost, facts)}`);
  if (!serving.length) {
    parts.push(knownEndpoints ? 'no node has a local endpoint'
      : 'no workload or EndpointSlice in the files given backs this Service, so no node has a local endpoint here (pods defined elsewhere or created by an operator would not appear)');
  }
  const lb = healthCheckNodePort === null ? ''
    : ` Behind a load balancer this is the intended design: the health check node port ${healthCheckNodePort || '(allocated by the API server)'} answers 503 on ${nodesOf([...blocked, ...lost]) || 'no node'}, so a load balancer that honours it sends them nothing; only clients that connect to those nodes directly meet the above.`;
  return `externalTrafficPolicy Local: ${parts.join('; ')}.${blocked.length || lost.length ? lb : ''}`;
}

/** internal-local-dropped: node clients of the ClusterIP without a local endpoint; null when every node has one. */
export function internalLocalMessage(facts: ServiceFacts): { message: string; blocked: boolean } | null {
  const sp = facts.port!;
  const inside = facts.entries.filter(e => e.client === 'node' && e.via === 'clusterIP');
  const blocked = inside.filter(isBlocked);
  const elsewhere = inside.filter(e => e.verdict === 'DNAT' && e.endpoints.some(p => p.node !== e.node));
  if (!blocked.length && !elsewhere.length) return null;
  const parts = [
    ...(blocked.length ? [`clients on ${nodesOf(blocked)} have no local endpoint, and their connections to ${sp.clusterIP}:${sp.port} are ${blocked[0]!.verdict === 'REJECT' ? 'refused' : 'dropped'} (${blocked[0]!.verdict} in ${blocked[0]!.rule?.table} ${blocked[0]!.rule?.chain}), not sent to another node`] : []),
    ...(elsewhere.length ? [`from ${nodesOf(elsewhere)} connections to ${sp.clusterIP}:${sp.port} go to ${[...new Set(elsewhere.flatMap(e => e.endpoints.filter(p => p.node !== e.node).map(p => `${p.endpoint}${p.node ? ` (${p.node})` : ''}`)))].join(', ')} on another node`] : []),
  ];
  return { message: `internalTrafficPolicy Local: ${parts.join('; ')}.`, blocked: blocked.length > 0 };
}

/** selector-matches-nothing: what kube-proxy does with a connection to a Service without endpoints. */
export function noEndpointsConsequence(facts: ServiceFacts): string {
  const e = facts.entries.find(x => x.client === 'node' && x.via === 'clusterIP');
  return `the Service has no endpoints${e?.verdict === 'REJECT' ? ', and kube-proxy REJECTs connections to it: clients see "connection refused".' : e && isBlocked(e) ? `, and kube-proxy ${blockedFate([e])}.` : '.'}`;
}
