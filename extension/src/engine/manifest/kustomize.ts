// What a kustomization.yaml does to the resources it lists, as far as Service NAT cares: its
// `namespace` and `namePrefix`/`nameSuffix` (kustomize's namespace and prefix/suffix transformers).
import { parseYamlDocuments } from './yamlAdapter';
import { LineIndex } from './source';
import { isRecord, type AnyManifestObject, type ManifestFile } from './manifest';
import type { SourceRange } from './source';

export const KUSTOMIZATION_FILE_NAMES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];

export interface Kustomization {
  readonly namespace?: string;
  readonly namePrefix?: string;
  readonly nameSuffix?: string;
  /** Entries of `resources` (and the older `bases`), as written: files or directories, relative to it. */
  readonly resources: readonly string[];
}

/** null when the text is not a usable kustomization. */
export function parseKustomization(text: string): Kustomization | null {
  const doc = parseYamlDocuments(text, new LineIndex(text))[0];
  const value = doc?.value;
  if (!isRecord(value)) return null;
  const str = (k: string) => (typeof value[k] === 'string' && value[k] ? (value[k] as string) : undefined);
  const list = (k: string) => (Array.isArray(value[k]) ? (value[k] as unknown[]).filter((r): r is string => typeof r === 'string') : []);
  return {
    ...(str('namespace') ? { namespace: str('namespace')! } : {}),
    ...(str('namePrefix') ? { namePrefix: str('namePrefix')! } : {}),
    ...(str('nameSuffix') ? { nameSuffix: str('nameSuffix')! } : {}),
    resources: [...list('resources'), ...list('bases')],
  };
}

/** The transformations of nested kustomizations: the outer namespace wins, prefixes and suffixes add up. */
export function composeKustomizations(outer: Kustomization, inner: Kustomization): Kustomization {
  const namespace = outer.namespace ?? inner.namespace;
  const namePrefix = (outer.namePrefix ?? '') + (inner.namePrefix ?? '');
  const nameSuffix = (inner.nameSuffix ?? '') + (outer.nameSuffix ?? '');
  return {
    ...(namespace ? { namespace } : {}), ...(namePrefix ? { namePrefix } : {}), ...(nameSuffix ? { nameSuffix } : {}),
    resources: inner.resources,
  };
}

/** The file's objects as kustomize would emit them: every kind NAT Lens reads is namespaced. */
export function applyKustomization(file: ManifestFile, k: Kustomization): ManifestFile {
  if (!k.namespace && !k.namePrefix && !k.nameSuffix) return file;
  const objects = file.objects.map((o): AnyManifestObject => {
    const name = `${k.namePrefix ?? ''}${o.name}${k.nameSuffix ?? ''}`;
    const namespace = k.namespace ?? o.namespace;
    const object = { ...o.object, metadata: { ...(o.object.metadata ?? {}), name, namespace } };
    return { ...o, name, namespace, object } as AnyManifestObject;
  });
  return { ...file, objects };
}

/**
 * Where a place in a `kubectl kustomize` rendering came from: the object of the same kind, namespace
 * and name among the source files (read with their kustomizations applied), at the same field when it
 * is there (a field a transformer added points at the object).
 */
export function sourceOf(rendered: ManifestFile, offset: number, sources: readonly ManifestFile[]): { fileName: string; range: SourceRange } | null {
  const obj = rendered.objects.find(o => o.pathAt(offset) !== undefined);
  if (!obj) return null;
  const path = obj.pathAt(offset)!;
  for (const file of sources) {
    const source = file.objects.find(o => o.kind === obj.kind && o.namespace === obj.namespace && o.name === obj.name);
    if (!source) continue;
    // the innermost field of the path that the source has
    for (let n = path.length; n >= 0; n--) {
      const range = n === 0 ? source.range : source.rangeOf(path.slice(0, n));
      if (range) return { fileName: file.fileName, range };
    }
  }
  return null;
}
