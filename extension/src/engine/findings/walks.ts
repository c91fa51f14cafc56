// The model entry of a Service object and the external walks that the rules, the CodeLens and the
// hover all quote.
import type { ManifestObject } from '../manifest/manifest';
import type { ClusterModel, ServiceEntry } from '../model/cluster';
import type { Walker, WalkResult } from '../walk/walk';
import { EXTERNAL_CLIENT_IP } from '../walk/choices';

export interface ExternalWalk {
  readonly node: string;
  readonly result: WalkResult;
}

/** By the object the model was built from, else by where an equal object sits (a parse of the same text). */
interface EntryIndex { readonly byObject: Map<ManifestObject<'Service'>, ServiceEntry>; byPlace?: Map<string, ServiceEntry> }
const entryIndex = new WeakMap<ClusterModel, EntryIndex>();
const entryKey = (o: ManifestObject<'Service'>) => `${o.fileName}\u0000${o.documentIndex}\u0000${o.basePath.join('/')}\u0000${o.namespace}/${o.name}`;

/** The model's entry for a Service object of a file (indexed once per model). */
export function serviceEntryOf(model: ClusterModel, obj: ManifestObject<'Service'>): ServiceEntry | undefined {
  let index = entryIndex.get(model);
  if (!index) entryIndex.set(model, (index = { byObject: new Map(model.services.map(s => [s.obj, s])) }));
  const same = index.byObject.get(obj);
  if (same) return same;
  index.byPlace ??= new Map(model.services.map(s => [entryKey(s.obj), s]));
  return index.byPlace.get(entryKey(obj));
}

/** An external client connecting through each node: NodePort, else the first LB or external IP. */
export function externalWalks(entry: ServiceEntry, model: ClusterModel, walker: Walker, portIndex = 0): ExternalWalk[] {
  const sp = entry.ports[portIndex]?.info;
  if (!sp) return [];
  const target = sp.nodePort ? null : sp.loadBalancerVIPs[0] ?? sp.externalIPs[0] ?? null;
  if (!sp.nodePort && !target) return [];
  return model.profile.nodes.map(node => ({
    node: node.name,
    result: walker.trace({
      source: { kind: 'external', ip: EXTERNAL_CLIENT_IP }, entryNode: node.name, proto: sp.protocol.toLowerCase() as 'tcp',
      dst: target ?? walker.network.primaryIP(node), dport: target ? sp.port : sp.nodePort,
    }),
  }));
}
