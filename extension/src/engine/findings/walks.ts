// The model entry of a Service object, which the rules, the CodeLens and the hover all start from.
import type { ManifestObject } from '../manifest/manifest';
import type { ClusterModel, ServiceEntry } from '../model/cluster';

const entryIndex = new WeakMap<ClusterModel, Map<string, ServiceEntry>>();
const entryKey = (o: ManifestObject<'Service'>) => `${o.fileName}\u0000${o.documentIndex}\u0000${o.basePath.join('/')}\u0000${o.namespace}/${o.name}`;

/** The model's entry for a Service object of a file (indexed once per model). */
export function serviceEntryOf(model: ClusterModel, obj: ManifestObject<'Service'>): ServiceEntry | undefined {
  let index = entryIndex.get(model);
  if (!index) entryIndex.set(model, (index = new Map(model.services.map(s => [entryKey(s.obj), s]))));
  return index.get(entryKey(obj));
}
