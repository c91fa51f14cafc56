// Zones and topology hints: the zone each node is in, what kube-proxy of the modelled release knows of
// topology, and the hints the EndpointSlice controller writes for endpoints NAT Lens derives from
// workloads (k8s.io/endpointslice v0.34: trafficdist for trafficDistribution, topologycache for
// the topology-mode annotation). kube-proxy itself only reads the hints (pkg/proxy/topology.go).
import type { Service } from 'kubernetes-types/core/v1';
import type { ClusterProfile } from './profile';
import type { EndpointInfo, NodeTopology } from './endpoints';

export const LABEL_ZONE = 'topology.kubernetes.io/zone';
export const ANNOTATION_TOPOLOGY_MODE = 'service.kubernetes.io/topology-mode';
/** The annotation topology-mode replaced; the controller still reads it first (utils.go hintsEnabled). */
export const ANNOTATION_TOPOLOGY_AWARE_HINTS = 'service.kubernetes.io/topology-aware-hints';
/** Nodes with these labels are left out of the zones' CPU shares (topologycache.go hasExcludedLabels). */
const EXCLUDED_NODE_LABELS = ['node-role.kubernetes.io/control-plane', 'node-role.kubernetes.io/master'];
/** topologycache.go overloadThreshold: a zone may get 20 % fewer endpoints than its CPU share. */
const OVERLOAD_THRESHOLD = 0.2;
/** CPU assumed for a node whose allocatable CPU the input does not give (only the zones' ratios matter). */
const ASSUMED_NODE_MILLICPU = 1000;

function minorVersion(version: string): number {
  const m = /^v?1\.(\d+)/.exec(version);
  return m ? Number(m[1]) : 0;
}

/** The PreferSameTrafficDistribution feature gate at its default: alpha (off) in 1.33, beta (on) from 1.34 (pkg/features/kube_features.go). */
export function preferSameTrafficDistribution(profile: ClusterProfile): boolean {
  return minorVersion(profile.kubernetesVersion) >= 34;
}

/** kube-proxy's view of its node's topology (the zone label of its Node object; '' without one). */
export function nodeTopology(profile: ClusterProfile, nodeName: string): NodeTopology {
  return { zone: profile.nodes.find(n => n.name === nodeName)?.zone ?? '', preferSameNode: preferSameTrafficDistribution(profile) };
}

/** What decides the hints of a Service's slices, as the EndpointSlice controller reads the Service (reconciler.go reconcileByAddressType). */
/** Why a Service's topology request writes no hints (rendered by the catalog's topoIgnored). */
export type IgnoredHints =
  | { readonly kind: 'gate'; readonly value: string; readonly version: string }
  | { readonly kind: 'unknown'; readonly value: string }
  | { readonly kind: 'annotation'; readonly annotation: string; readonly value: string };

export type HintPolicy =
  | { readonly kind: 'none'; readonly ignored?: IgnoredHints }
  | { readonly kind: 'trafficDistribution'; readonly value: 'PreferClose' | 'PreferSameZone' | 'PreferSameNode' }
  | { readonly kind: 'auto'; readonly annotation: string };

export function hintPolicy(svc: Service, profile: ClusterProfile): HintPolicy {
  const annotations = svc.metadata?.annotations ?? {};
  // utils.go hintsEnabled: the deprecated annotation, if present, decides; only "Auto" or "auto" enable hints
  const annotation = ANNOTATION_TOPOLOGY_AWARE_HINTS in annotations ? ANNOTATION_TOPOLOGY_AWARE_HINTS : ANNOTATION_TOPOLOGY_MODE in annotations ? ANNOTATION_TOPOLOGY_MODE : null;
  const value = annotation ? String(annotations[annotation]) : '';
  if (annotation && (value === 'Auto' || value === 'auto')) return { kind: 'auto', annotation };
  const td = svc.spec?.trafficDistribution;
  if (td === 'PreferClose') return { kind: 'trafficDistribution', value: td };
  // reconciler.go validTrafficDistribution: the newer values only with PreferSameTrafficDistribution
  if (td === 'PreferSameZone' || td === 'PreferSameNode') {
    return preferSameTrafficDistribution(profile) ? { kind: 'trafficDistribution', value: td }
      : { kind: 'none', ignored: { kind: 'gate', value: td, version: profile.kubernetesVersion } };
  }
  if (td !== undefined && td !== null) return { kind: 'none', ignored: { kind: 'unknown', value: JSON.stringify(td) } };
  if (annotation && value !== 'Disabled' && value !== 'disabled' && value !== '') return { kind: 'none', ignored: { kind: 'annotation', annotation, value: JSON.stringify(value) } };
  return { kind: 'none' };
}

/** The hints written, or why none were (the controller's event message), and what it had to assume. */
export interface DerivedHints {
  readonly endpoints: EndpointInfo[];
  /** Why the controller writes no hints although the Service asks for them. */
  readonly removed?: string;
  readonly assumptions: readonly string[];
}

/** A node of the zones' CPU shares (topologycache.go SetNodes): its zone, allocatable CPU and labels. */
export interface TopologyNode {
  readonly name: string;
  readonly zone?: string;
  /** status.allocatable.cpu in millicores; undefined when the input does not give it. */
  readonly allocatableMilliCPU?: number;
  readonly labels?: Readonly<Record<string, string>>;
}

/**
 * The hints the EndpointSlice controller writes for endpoints derived from workloads (all ready, each
 * on a node whose zone is the endpoint's zone). `nodes`: every node of the cluster.
 */
export function deriveHints(endpoints: readonly EndpointInfo[], policy: HintPolicy, nodes: readonly TopologyNode[]): DerivedHints {
  const zoneOf = new Map(nodes.map(n => [n.name, n.zone ?? '']));
  const endpointZone = (ep: EndpointInfo) => (ep.nodeName ? zoneOf.get(ep.nodeName) ?? '' : '');
  if (policy.kind === 'none') return { endpoints: [...endpoints], assumptions: [] };
  if (policy.kind === 'trafficDistribution') {
    // trafficdist.go preferCloseHeuristic.update: each ready endpoint is hinted for its own zone (and, for PreferSameNode, its node)
    const forNodes = policy.value === 'PreferSameNode';
    return {
      endpoints: endpoints.map(ep => (!ep.ready ? ep : {
        ...ep, zoneHints: endpointZone(ep) ? [endpointZone(ep)] : [], nodeHints: forNodes && ep.nodeName ? [ep.nodeName] : [],
      })),
      assumptions: [],
    };
  }
  return autoHints(endpoints, nodes, endpointZone);
}

/** topologycache.go AddHints, getAllocations, getGivingAndReceivingZones and redistributeHints for one new slice. */
function autoHints(endpoints: readonly EndpointInfo[], nodes: readonly TopologyNode[], endpointZone: (ep: EndpointInfo) => string): DerivedHints {
  const assumptions: string[] = [];
  const none = (removed: string): DerivedHints => ({ endpoints: endpoints.map(ep => ({ ...ep, zoneHints: [], nodeHints: [] })), removed, assumptions });
  const counted = nodes.filter(n => !EXCLUDED_NODE_LABELS.some(l => n.labels && l in n.labels));
  const withoutCPU = counted.filter(n => n.allocatableMilliCPU === undefined).map(n => n.name);
  if (withoutCPU.length) assumptions.push(`allocatable CPU of ${withoutCPU.join(', ')} not in the input: assumed equal on every node (the controller weighs zones by their nodes' allocatable CPU); every node assumed Ready`);
  else assumptions.push('every node assumed Ready');
  const cpuByZone = new Map<string, number>();
  for (const n of counted) {
    const cpu = n.allocatableMilliCPU ?? ASSUMED_NODE_MILLICPU;
    if (!n.zone || cpu === 0) return none('Insufficient Node information: allocatable CPU or zone not specified on one or more nodes');
    cpuByZone.set(n.zone, (cpuByZone.get(n.zone) ?? 0) + cpu);
  }
  const total = [...cpuByZone.values()].reduce((a, b) => a + b, 0);
  if (total === 0 || cpuByZone.size < 2) return none(cpuByZone.size === 1 ? 'Nodes only ready in one zone' : 'Insufficient Node information: allocatable CPU or zone not specified on one or more nodes');
  const ready = endpoints.filter(ep => ep.ready);
  const n = ready.length;
  if (cpuByZone.size > n) return none(`Insufficient number of endpoints (${n} endpoints, ${cpuByZone.size} zones)`);
  // zones in sorted order: upstream walks Go maps, whose order is random; the counts do not depend on it
  const zones = [...cpuByZone.keys()].sort();
  const allocations = new Map<string, { minimum: number; desired: number }>();
  let remaining = n;
  for (const z of zones) {
    const desired = (cpuByZone.get(z)! / total) * n;
    const minimum = Math.ceil(desired * (1 / (1 + OVERLOAD_THRESHOLD)));
    allocations.set(z, { minimum, desired: Math.max(desired, minimum) });
    remaining -= minimum;
    if (remaining < 0) return none(`Unable to allocate minimum required endpoints to each zone without exceeding overload threshold (${n} endpoints, ${cpuByZone.size} zones)`);
  }
  const hinted = new Map<string, string>();
  const byZone = new Map<string, number>();
  for (const ep of ready) {
    const z = endpointZone(ep);
    if (!z) return none('One or more endpoints do not have a zone specified');
    hinted.set(ep.key + (ep.nodeName ?? ''), z);
    byZone.set(z, (byZone.get(z) ?? 0) + 1);
  }
  const { giving, receiving } = givingAndReceiving(zones, allocations, byZone);
  for (const ep of ready) {
    if (giving.size === 0 || receiving.size === 0) break;
    const from = endpointZone(ep);
    if ((giving.get(from) ?? 0) <= 0) continue;
    const to = [...receiving.keys()].find(z => receiving.get(z)! > 0);
    if (!to) break;
    hinted.set(ep.key + (ep.nodeName ?? ''), to);
    decrement(giving, from);
    decrement(receiving, to);
  }
  if (byZone.size === 0) return none('No hints allocated for zones');
  return {
    endpoints: endpoints.map(ep => (!ep.ready ? { ...ep, zoneHints: [], nodeHints: [] } : { ...ep, zoneHints: [hinted.get(ep.key + (ep.nodeName ?? ''))!], nodeHints: [] })),
    assumptions,
  };
}

function decrement(m: Map<string, number>, key: string): void {
  const v = m.get(key)!;
  if (v <= 1) m.delete(key); else m.set(key, v - 1);
}

/** topologycache/utils.go getGivingAndReceivingZones: whole endpoints moved from zones above their share to zones below it. */
function givingAndReceiving(zones: readonly string[], allocations: ReadonlyMap<string, { desired: number }>, byZone: ReadonlyMap<string, number>) {
  const givingDesired = new Map<string, number>();
  const receivingDesired = new Map<string, number>();
  for (const z of zones) {
    const have = byZone.get(z) ?? 0;
    const target = allocations.get(z)!.desired;
    if (have > target) givingDesired.set(z, have - target);
    else if (have < target) receivingDesired.set(z, target - have);
  }
  const most = (m: Map<string, number>): [string, number] => {
    let best = '', n = 0;
    for (const [z, v] of m) if (v > n) { best = z; n = v; }
    return [best, n];
  };
  const giving = new Map<string, number>();
  const receiving = new Map<string, number>();
  for (;;) {
    const [g, give] = most(givingDesired);
    const [r, take] = most(receivingDesired);
    if (g === '' || r === '' || (give < 1 && take < 1) || give < 0.5 || take < 0.5) break;
    giving.set(g, (giving.get(g) ?? 0) + 1);
    givingDesired.set(g, give - 1);
    receiving.set(r, (receiving.get(r) ?? 0) + 1);
    receivingDesired.set(r, take - 1);
  }
  return { giving, receiving };
}
