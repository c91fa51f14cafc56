// Sentences over a Service's facts, shared by the CodeLens, the hovers and `natlens explain`.
// A renderer states only what the facts say.
import type { EntryFact, ServiceFacts } from './service';
import { hiddenSlicesSentence, skippedSentence } from './skipped';
import { english, type Messages } from '../i18n';
import { unknownOverlayAddress } from './podNetwork';

export const isBlocked = (e: EntryFact) => e.verdict === 'DROP' || e.verdict === 'REJECT';
/** A connection that is translated and whose reply comes back on at least one branch. */
export const works = (e: EntryFact) => e.verdict === 'DNAT' && e.endpoints.some(p => !p.replyBroken);
export const brokenReply = (e: EntryFact) => e.verdict === 'DNAT' && e.endpoints.length > 0 && e.endpoints.every(p => p.replyBroken);
export const nodesOf = (es: readonly EntryFact[]) => [...new Set(es.map(e => e.node))].join(', ');

export function externalEntries(facts: ServiceFacts): EntryFact[] {
  return facts.entries.filter(e => e.client === 'external');
}

/** How many endpoints of a group of the same source a sentence names before "N more". */
const SHOWN_PER_GROUP = 3;

/**
 * What the pods see, over the branches that reach an endpoint, as a clause: "the pod sees X" when
 * all see one address, else one part per address and endpoint node ("the pod E (node-b) sees X",
 * "the 5000 pods on node-a (E1, E2, E3, 4997 more) see Y"): linear, however many endpoints.
 */
export function podSees(e: EntryFact, code = (s: string) => s, m: Messages = english): string {
  if (e.endpoints.length === 0) return m.seenByEveryPod({ seen: '—' });
  const groups = new Map<string, { seen: string; node: string | null; endpoints: string[] }>();
  for (const p of e.endpoints) {
    const seen = shownSource(p, code, m);
    const key = `${seen}\u0000${p.node ?? ''}`;
    const g = groups.get(key) ?? groups.set(key, { seen, node: p.node, endpoints: [] }).get(key)!;
    g.endpoints.push(p.endpoint);
  }
  const seen = new Set([...groups.values()].map(g => g.seen));
  if (seen.size === 1) return m.seenByEveryPod({ seen: [...seen][0]! });
  return [...groups.values()].map(g => m.seenByPods({ shown: g.endpoints.slice(0, SHOWN_PER_GROUP), count: g.endpoints.length, node: g.node, seen: g.seen })).join(', ');
}

/** The source address an endpoint sees, as a sentence names it. */
function shownSource(p: EntryFact['endpoints'][number], code: (s: string) => string, m: Messages): string {
  // behind an overlay device whose address the input does not tell, the walk's address only stands in for it
  return (p.overlay && unknownOverlayAddress(p.overlay, m)) || code(p.sourceSeen ?? '?');
}

/** The source addresses the pods see, one each (for a sentence that names the addresses alone). */
export function seenSources(e: EntryFact, m: Messages = english): string {
  return [...new Set(e.endpoints.map(p => shownSource(p, s => s, m)))].join(', ');
}

/** The CodeLens above a Service. */
export function lensTitle(facts: ServiceFacts, m: Messages = english): string {
  if (facts.skipped?.kind === 'service-proxy-name') return m.lensServiceProxyName({ proxy: facts.skipped.proxy });
  if (facts.skipped?.kind === 'headless-label') return m.lensHeadlessLabel();
  if (facts.headless) return m.lensHeadless();
  if (!facts.port) return m.lensNoRules();
  const parts = [m.lensReadyEndpoints({ n: facts.readyEndpoints })];
  if (facts.readyEndpoints === 0) parts.push(m.lensRefused());
  if (facts.externallyAccessible) {
    const external = externalEntries(facts);
    const working = external.filter(works);
    const masqueraded = working.filter(e => e.endpoints.some(p => p.masquerade));
    const kept = working.filter(e => e.endpoints.every(p => !p.masquerade));
    if (masqueraded.length && kept.length) parts.push(m.lensSnatSome({ snatNodes: nodesOf(masqueraded), keptNodes: nodesOf(kept) }));
    else if (masqueraded.length) parts.push(m.lensSnatAll());
    else if (kept.length) parts.push(m.lensClientIpKept());
    const dropping = external.filter(e => e.verdict === 'DROP');
    const refusing = external.filter(e => e.verdict === 'REJECT');
    const lost = external.filter(brokenReply);
    if (dropping.length) parts.push(m.lensDropsOn({ nodes: nodesOf(dropping) }));
    if (refusing.length) parts.push(m.lensRefusedOn({ nodes: nodesOf(refusing) }));
    if (lost.length) parts.push(m.lensReplyLost({ nodes: nodesOf(lost) }));
  } else {
    parts.push(m.lensInternalOnly());
  }
  if (facts.proxiedIngress.length) parts.push(m.lensProxiedIngress({ addresses: facts.proxiedIngress.join(', ') }));
  return m.lensText({ parts });
}

/**
 * What the rules do with this entry's new connection, as one clause ("DNAT to 10.244.0.10:8080 (node-a);
 * no SNAT, the pod sees 203.0.113.10"); `md` adds the hover's bold and code marks.
 */
export function entryOutcome(e: EntryFact, md = false, m: Messages = english): string {
  const code = (s: string) => (md ? `\`${s}\`` : s);
  if (isBlocked(e)) return m.outcomeBlocked({ verdict: e.verdict as 'DROP' | 'REJECT', table: `${e.rule?.table}`, chain: code(e.rule?.chain ?? '?'), md });
  if (e.verdict !== 'DNAT') return m.outcomeNoRule();
  const many = e.endpoints.length > 1;
  const endpoints = e.endpoints.map(p => `${p.endpoint}${p.node ? ` (${p.node})` : ''}${many ? ` ${m.percent(p.probability)}` : ''}`).join(', ');
  const masq = e.endpoints.filter(p => p.masquerade).length;
  const snat = masq === 0 ? m.entryNoSnat() : masq === e.endpoints.length ? m.entrySnat({ md }) : m.entrySnatSome({ masqueraded: masq, branches: e.endpoints.length, md });
  const broken = e.endpoints.filter(p => p.replyBroken);
  const reply = broken.length ? m.entryReplyLost({ node: e.node, endpoints: broken.map(p => p.endpoint).join(', '), md }) : '';
  return m.outcomeDnat({ endpoints, snat, seen: podSees(e, code, m), reply });
}

/** One hover bullet: what the rules do with this entry's new connection. */
export function entryLine(label: string, e: EntryFact, m: Messages = english): string {
  return `- ${label}: ${entryOutcome(e, true, m)}`;
}

const plural = (es: readonly EntryFact[]) => new Set(es.map(e => e.node)).size !== 1;

/** The hover's one-line summary of external traffic (the type and externalTrafficPolicy fields). */
export function externalSummary(facts: ServiceFacts, policy: 'Cluster' | 'Local', m: Messages = english): string {
  const external = externalEntries(facts);
  const working = external.filter(works);
  const blocked = external.filter(isBlocked);
  const lost = external.filter(brokenReply);
  if (policy === 'Cluster') {
    return working.length && working.every(e => e.endpoints.every(p => p.masquerade))
      ? m.etpClusterAllSnat()
      : m.etpCluster({ someSnat: working.some(e => e.endpoints.some(p => p.masquerade)) });
  }
  const others = [
    ...(blocked.length ? [m.etpLocalNone({ nodes: nodesOf(blocked), plural: plural(blocked), fate: blocked.some(e => e.verdict === 'REJECT') ? 'reject' : 'drop' })] : []),
    ...(lost.length ? [m.etpLocalNone({ nodes: nodesOf(lost), plural: plural(lost), fate: 'lost' })] : []),
  ];
  return m.etpLocal({ others });
}

/** The hover summary of internalTrafficPolicy, from the walks of node clients to the ClusterIP. */
export function internalSummary(facts: ServiceFacts, local: boolean, m: Messages = english): string {
  const sp = facts.port!;
  if (!local) return m.itpCluster({ clusterIP: sp.clusterIP });
  const inside = facts.entries.filter(e => e.client === 'node' && e.via === 'clusterIP');
  const blocked = inside.filter(isBlocked);
  const elsewhere = inside.filter(e => e.verdict === 'DNAT' && e.endpoints.some(p => p.node !== e.node));
  const parts = [
    ...(blocked.length ? [m.itpLocalNone({ nodes: nodesOf(blocked), plural: plural(blocked), reject: blocked.every(e => e.verdict === 'REJECT') })] : []),
    ...(elsewhere.length ? [m.itpLocalElsewhere({ nodes: nodesOf(elsewhere) })] : []),
  ];
  return m.itpLocal({ clusterIP: sp.clusterIP, parts });
}

/** The summary sentence `natlens explain` and the hover on `kind: Service` give. */
export function serviceSummary(facts: ServiceFacts, m: Messages = english): string {
  if (facts.skipped) return skippedSentence(facts.skipped, m);
  if (!facts.port) return skippedSentence({ kind: 'no-cluster-ip' }, m);
  const sp = facts.port;
  const hidden = facts.hiddenSlices.length ? ` ${hiddenSlicesSentence(facts.hiddenSlices, m)}` : '';
  return serviceReach(facts, sp, m) + hidden;
}

function serviceReach(facts: ServiceFacts, sp: NonNullable<ServiceFacts['port']>, m: Messages): string {
  const address = `${sp.clusterIP}:${sp.port}`;
  const inside = facts.entries.filter(e => e.client === 'pod' && e.via === 'clusterIP');
  const insideText = inside.every(works) && inside.length
    ? m.summaryPodsEverywhere({ address, someMasqueraded: inside.some(e => e.endpoints.some(p => p.masquerade)) })
    : m.summaryPodsOn({ address, nodes: nodesOf(inside.filter(works)) || null });
  if (!facts.externallyAccessible) return m.summaryInternal({ service: facts.service, inside: insideText, mode: facts.mode });
  const external = externalEntries(facts);
  const working = external.filter(works);
  const masq = working.filter(e => e.endpoints.some(p => p.masquerade));
  const blocked = external.filter(isBlocked);
  const lost = external.filter(brokenReply);
  const outside = (working.length === 0 ? m.summaryExternalNone() : m.summaryExternalVia({ nodes: nodesOf(working), snatNodes: masq.length ? nodesOf(masq) : null }))
    + (blocked.length ? m.summaryExternalBlocked({ nodes: nodesOf(blocked), reject: blocked.some(e => e.verdict === 'REJECT') }) : '')
    + (lost.length ? m.summaryExternalLost({ nodes: nodesOf(lost) }) : '');
  return m.summaryService({ service: facts.service, inside: insideText, outside, mode: facts.mode });
}

/** Who connects where, for a bullet: "External client 203.0.113.10 via NodePort 30080 on node-a". */
export function entryLabel(e: EntryFact, m: Messages = english): string {
  const to = e.via === 'nodePort' ? m.viaNodePort({ port: e.request.dport }) : e.via === 'loadBalancer' ? m.viaLoadBalancer({ address: e.address })
    : e.via === 'externalIP' ? m.viaExternalIP({ address: e.address }) : m.viaClusterIP({ address: e.address });
  if (e.client === 'external') return m.labelExternal({ source: e.source, to, node: e.node });
  return e.client === 'pod' ? m.labelPod({ node: e.node, source: e.source, to }) : m.labelNode({ node: e.node, to });
}

/** The hover summary of trafficDistribution and the topology-mode annotation, from the topology facts. */
export function topologySummary(facts: ServiceFacts, m: Messages = english): string {
  const t = facts.topology;
  if (!t) return m.topoNoPorts();
  const used = t.nodes.filter(n => n.mode !== '');
  const where = m.topoWhere({ used: used.map(n => n.node), all: t.nodes.length });
  switch (t.policy.kind) {
    case 'none': {
      const ignored = t.policy.ignored ? m.topoIgnored(t.policy.ignored) : null;
      if (t.hinted) return m.topoSlicesHinted({ ignored, where });
      return ignored ? m.topoIgnoredSpread({ ignored }) : m.topoNone();
    }
    case 'trafficDistribution':
      return m.topoTrafficDistribution({ value: t.policy.value, where });
    case 'auto':
      return t.removed ? m.topoAutoRemoved({ annotation: t.policy.annotation, removed: t.removed }) : m.topoAuto({ annotation: t.policy.annotation, where });
  }
}

/** One bullet per node: its zone, what kube-proxy keeps, and the spread the walk found. */
export function topologyLines(facts: ServiceFacts, m: Messages = english): string[] {
  const t = facts.topology;
  if (!t) return [];
  // by node, first walk first: one lookup per node, not a scan of every entry
  const walks = new Map<string, EntryFact>();
  for (const e of facts.entries) if (e.client === 'pod' && e.via === 'clusterIP' && !walks.has(e.node)) walks.set(e.node, e);
  const lines = t.nodes.map(n => {
    const walked = walks.get(n.node);
    const spread = walked && walked.endpoints.length ? walked.endpoints.map(p => `${p.endpoint}${p.node ? ` (${p.node})` : ''} ${m.percent(p.probability)}`).join(', ') : n.endpoints.join(', ') || '—';
    return `- ${n.node} (${m.topoZone({ zone: n.zone })}): ${n.mode ? m.topoMode({ mode: n.mode }) : m.topoFallback({ fallback: n.fallback ?? 'no-hints' })} → ${spread}`;
  });
  const source = t.hintsFrom === 'none' ? [] : [m.topoHintsFrom({ from: t.hintsFrom })];
  const assumed = t.assumptions.length ? [m.topoAssumed({ assumptions: t.assumptions })] : [];
  return [...source, ...assumed, m.topoPerNode(), lines.join('\n')];
}
