// The model entry of a Service object, which the rules, the CodeLens and the hover all start from.
import type { ManifestObject } from '../manifest/manifest';
import type { ClusterModel, ServiceEntry } from '../model/cluster';

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
