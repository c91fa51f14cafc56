// The topology facts of a Service's first port: what decides its endpoints' hints, and per node the
// zone, the mode kube-proxy's CategorizeEndpoints picks (or why it falls back to every endpoint) and
// the endpoints it programs. The same function the generators call decides, so the facts and the
// rules cannot disagree.
import type { ClusterModel, ServiceEntry } from '../model/cluster';
import { categorizeEndpoints, dedupEndpoints, type Categorized } from '../model/endpoints';
import { nodeTopology, type HintPolicy } from '../model/topology';

/** Why a node uses every ready endpoint although the Service asks for topology. */
export type TopologyFallback = 'no-hints' | 'nodes-without-zone' | 'unhinted-endpoint' | 'no-zone-label' | 'no-endpoint-for-zone' | 'no-ready-endpoint';

export interface NodeTopologyFact {
  readonly node: string;
  /** The node's zone label; '' without one. */
  readonly zone: string;
  readonly mode: Categorized['topologyMode'];
  readonly fallback: TopologyFallback | null;
  /** The ready endpoints ("ip:port") this node's rules send ClusterIP traffic to. */
  readonly endpoints: readonly string[];
}

export interface TopologyFacts {
  readonly policy: HintPolicy;
  /** Where the hints come from: EndpointSlices in the input, or derived as the controller writes them. */
  readonly hintsFrom: 'EndpointSlice' | 'derived' | 'none';
  /** Why the controller writes no hints although the Service asks for them (its event message). */
  readonly removed: string | null;
  /** Some endpoint carries a hint. */
  readonly hinted: boolean;
  /** What deriving the hints had to assume (topology-mode Auto: the nodes' CPU and readiness). */
  readonly assumptions: readonly string[];
  readonly nodes: readonly NodeTopologyFact[];
}

export function topologyFacts(entry: ServiceEntry, model: ClusterModel): TopologyFacts | null {
  const port = entry.ports[0];
  if (!port) return null;
  const hinted = port.endpoints.some(ep => ep.zoneHints.length > 0 || ep.nodeHints.length > 0);
  const hintsFrom = port.endpointOrigin === 'derived' ? 'derived' : port.endpointOrigin === 'EndpointSlice' ? 'EndpointSlice' : 'none';
  const zoned = model.profile.nodes.some(n => n.zone);
  const nodes = model.profile.nodes.map((n): NodeTopologyFact => {
    const topology = nodeTopology(model.profile, n.name);
    const endpoints = dedupEndpoints(port.endpoints, n.name);
    const cat = categorizeEndpoints(endpoints, port.info, n.name, topology);
    const fallback = cat.topologyMode ? null : !hinted && hintsFrom === 'derived' && !zoned ? 'nodes-without-zone' : fallbackOf(endpoints, topology.zone, hinted);
    return { node: n.name, zone: topology.zone, mode: cat.topologyMode, fallback, endpoints: cat.clusterEndpoints.map(ep => ep.key) };
  });
  return { policy: port.hints?.policy ?? { kind: 'none' }, hintsFrom, removed: port.hints?.removed ?? null, hinted, assumptions: port.hints?.assumptions ?? [], nodes };
}

/** pkg/proxy/topology.go topologyModeFromHints: which condition for same-zone routing failed. */
function fallbackOf(endpoints: ReturnType<typeof dedupEndpoints>, zone: string, hinted: boolean): TopologyFallback {
  const ready = endpoints.filter(ep => ep.ready);
  if (!hinted) return 'no-hints';
  if (ready.length === 0) return 'no-ready-endpoint';
  if (ready.some(ep => ep.zoneHints.length === 0)) return 'unhinted-endpoint';
  return zone === '' ? 'no-zone-label' : 'no-endpoint-for-zone';
}
