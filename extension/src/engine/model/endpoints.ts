// Endpoints as kube-proxy sees them (pkg/proxy/endpointslicecache.go) and its categorisation into
// Cluster and Local sets (pkg/proxy/topology.go CategorizeEndpoints).
import type { EndpointSlice } from 'kubernetes-types/discovery/v1';
import type { Endpoints } from 'kubernetes-types/core/v1';
import { canonicalIP, ipFamilyOf, joinHostPort, type IPFamily } from '../util/ip';
import { portFlags, type ServicePortInfo } from './service';

export type EndpointOrigin = 'EndpointSlice' | 'Endpoints' | 'derived';

export interface EndpointInfo {
  readonly ip: string;
  readonly port: number;
  /** "ip:port" (IPv6 bracketed), kube-proxy's Endpoint.String(): sort key, hash input and DNAT target. */
  readonly key: string;
  readonly nodeName: string | null;
  readonly ready: boolean;
  readonly serving: boolean;
  readonly terminating: boolean;
  readonly zoneHints: readonly string[];
  readonly nodeHints: readonly string[];
  readonly origin: EndpointOrigin;
  /** Name of the object it came from (slice, Endpoints or workload/pod), for explanations. */
  readonly from: string;
}

/** Endpoints of one service port from EndpointSlices, matched by port name and protocol. */
export function endpointsFromSlices(sp: ServicePortInfo, slices: readonly EndpointSlice[], family: IPFamily): EndpointInfo[] {
  const out: EndpointInfo[] = [];
  for (const slice of slices) {
    if (slice.addressType !== family) continue;
    for (const port of slice.ports ?? []) {
      if (port?.name === undefined || port.name === null || !port.port) continue;
      if (port.name !== sp.portName || (port.protocol ?? 'TCP') !== sp.protocol) continue;
      for (const ep of slice.endpoints ?? []) {
        const address = ep?.addresses?.[0];
        const ip = address ? canonicalIP(address) : null;
        if (!ip || ipFamilyOf(ip) !== family) continue;
        const c = ep.conditions ?? {};
        out.push({
          ip, port: port.port, key: joinHostPort(ip, port.port), nodeName: ep.nodeName ?? null,
          ready: c.ready === undefined || c.ready === null || c.ready === true,
          serving: c.serving === undefined || c.serving === null || c.serving === true,
          terminating: c.terminating === true,
          zoneHints: (ep.hints?.forZones ?? []).map(z => z.name),
          nodeHints: ((ep.hints as { forNodes?: { name: string }[] } | undefined)?.forNodes ?? []).map(n => n.name),
          origin: 'EndpointSlice', from: slice.metadata?.name ?? '',
        });
      }
    }
  }
  return out;
}

/** Legacy v1 Endpoints: ready addresses and notReadyAddresses, as the EndpointSlice mirroring controller would slice them. */
export function endpointsFromLegacy(sp: ServicePortInfo, eps: Endpoints, family: IPFamily): EndpointInfo[] {
  const out: EndpointInfo[] = [];
  for (const subset of eps.subsets ?? []) {
    const port = (subset.ports ?? []).find(p => (p.name ?? '') === sp.portName && (p.protocol ?? 'TCP') === sp.protocol);
    if (!port?.port) continue;
    const add = (addresses: typeof subset.addresses, ready: boolean) => {
      for (const a of addresses ?? []) {
        const ip = a?.ip ? canonicalIP(a.ip) : null;
        if (!ip || ipFamilyOf(ip) !== family) continue;
        out.push({
          // the mirroring controller sets only Ready; kube-proxy reads an unset Serving as true
          ip, port: port.port, key: joinHostPort(ip, port.port), nodeName: a.nodeName ?? null, ready, serving: true, terminating: false,
          zoneHints: [], nodeHints: [], origin: 'Endpoints', from: eps.metadata?.name ?? '',
        });
      }
    };
    add(subset.addresses, true);
    add(subset.notReadyAddresses, false);
  }
  return out;
}

/** Sorted by "ip:port" like kube-proxy's byEndpoint sort (byte order, so 10.0.0.10 < 10.0.0.5). */
export function sortEndpoints(eps: EndpointInfo[]): EndpointInfo[] {
  return eps.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** One endpoint per ip:port; a copy on this node wins over a remote one. */
export function dedupEndpoints(eps: readonly EndpointInfo[], nodeName: string): EndpointInfo[] {
  const byKey = new Map<string, EndpointInfo>();
  for (const ep of eps) {
    const seen = byKey.get(ep.key);
    if (!seen || (seen.nodeName !== nodeName && ep.nodeName === nodeName)) byKey.set(ep.key, ep);
  }
  return [...byKey.values()];
}

export interface Categorized {
  readonly clusterEndpoints: readonly EndpointInfo[];
  readonly localEndpoints: readonly EndpointInfo[];
  readonly allReachable: readonly EndpointInfo[];
  readonly hasAnyEndpoints: boolean;
  readonly topologyMode: '' | 'PreferSameNode' | 'PreferSameZone';
}

/** What kube-proxy on one node knows of topology: its zone label ('' without one) and whether it reads node hints. */
export interface NodeTopology {
  readonly zone: string;
  /** The PreferSameTrafficDistribution feature gate (beta and on by default from 1.34). */
  readonly preferSameNode: boolean;
}

/** pkg/proxy/topology.go CategorizeEndpoints (v1.34), for the node `nodeName`. */
export function categorizeEndpoints(endpoints: readonly EndpointInfo[], sp: ServicePortInfo, nodeName: string, topology: NodeTopology): Categorized {
  const { zone, preferSameNode } = topology;
  const isLocal = (ep: EndpointInfo) => ep.nodeName === nodeName;
  let cluster: EndpointInfo[] = [];
  let local: EndpointInfo[] = [];
  let hasAny = false;
  let topologyMode: Categorized['topologyMode'] = '';
  if (endpoints.length === 0) return { clusterEndpoints: [], localEndpoints: [], allReachable: [], hasAnyEndpoints: false, topologyMode };
  const flags = portFlags(sp);
  if (flags.usesClusterEndpoints) {
    topologyMode = topologyModeFromHints(endpoints, nodeName, zone, preferSameNode);
    cluster = endpoints.filter(ep => ep.ready && availableForTopology(ep, topologyMode, nodeName, zone));
    if (cluster.length === 0) cluster = endpoints.filter(ep => ep.serving && ep.terminating);
    if (cluster.length > 0) hasAny = true;
  }
  if (!flags.usesLocalEndpoints) return { clusterEndpoints: cluster, localEndpoints: [], allReachable: cluster, hasAnyEndpoints: hasAny, topologyMode };
  let localReady = false, localServingTerminating = false;
  for (const ep of endpoints) {
    if (ep.ready) { hasAny = true; if (isLocal(ep)) localReady = true; }
    else if (ep.serving && ep.terminating) { hasAny = true; if (isLocal(ep)) localServingTerminating = true; }
  }
  let usesServingTerminating = false;
  if (localReady) local = endpoints.filter(ep => isLocal(ep) && ep.ready);
  else if (localServingTerminating) {
    usesServingTerminating = true;
    local = endpoints.filter(ep => isLocal(ep) && ep.serving && ep.terminating);
  }
  if (!flags.usesClusterEndpoints) return { clusterEndpoints: cluster, localEndpoints: local, allReachable: local, hasAnyEndpoints: hasAny, topologyMode };
  if (topologyMode === '' && !usesServingTerminating) return { clusterEndpoints: cluster, localEndpoints: local, allReachable: cluster, hasAnyEndpoints: hasAny, topologyMode };
  // Upstream merges the two lists through a map, so its order is random; we keep the sorted order.
  const union = sortEndpoints(dedupEndpoints([...cluster, ...local], nodeName));
  return { clusterEndpoints: cluster, localEndpoints: local, allReachable: union, hasAnyEndpoints: hasAny, topologyMode };
}

function topologyModeFromHints(endpoints: readonly EndpointInfo[], nodeName: string, zone: string, preferSameNode: boolean): Categorized['topologyMode'] {
  let hasReady = false, forNode = false, allNodeHints = true, forZone = false, allZoneHints = true;
  for (const ep of endpoints) {
    if (!ep.ready) continue;
    hasReady = true;
    if (ep.nodeHints.length === 0) allNodeHints = false; else if (ep.nodeHints.includes(nodeName)) forNode = true;
    if (ep.zoneHints.length === 0) allZoneHints = false; else if (ep.zoneHints.includes(zone)) forZone = true;
  }
  if (!hasReady) return '';
  if (preferSameNode && allNodeHints && forNode) return 'PreferSameNode';
  if (allZoneHints && forZone) return 'PreferSameZone';
  return '';
}

function availableForTopology(ep: EndpointInfo, mode: Categorized['topologyMode'], nodeName: string, zone: string): boolean {
  if (mode === 'PreferSameNode') return ep.nodeHints.includes(nodeName);
  if (mode === 'PreferSameZone') return ep.zoneHints.includes(zone);
  return true;
}
