// The workspace model, built so that one object the model cannot take does not take the others down:
// the validation layer keeps invalid objects out, and should building still fail, the objects it
// fails on are found one by one and left out, each with the error it caused.
import type { AnyManifestObject } from '../manifest/manifest';
import { buildClusterModel, type BuildOptions, type ClusterModel } from './cluster';
import type { ClusterProfile } from './profile';

export interface ExcludedObject {
  readonly obj: AnyManifestObject;
  readonly message: string;
}

export function buildIsolatedModel(objects: readonly AnyManifestObject[], profile: ClusterProfile, options: BuildOptions = {}): { model: ClusterModel; excluded: ExcludedObject[] } {
  try {
    return { model: buildClusterModel(objects, profile, options), excluded: [] };
  } catch {
    const excluded: ExcludedObject[] = [];
    const kept = objects.filter(obj => {
      try {
        buildClusterModel([obj], profile);
        return true;
      } catch (e) {
        excluded.push({ obj, message: `NAT Lens could not model this ${obj.kind}: ${e instanceof Error ? e.message : String(e)}` });
        return false;
      }
    });
    try {
      return { model: buildClusterModel(kept, profile, { ...(options.cni ? { cni: options.cni } : {}) }), excluded };
    } catch (e) {
      // objects that fail only together: the model without any of them still serves the others' files
      const message = e instanceof Error ? e.message : String(e);
      return { model: buildClusterModel([], profile, { ...(options.cni ? { cni: options.cni } : {}) }), excluded: [...excluded, ...kept.map(obj => ({ obj, message: `NAT Lens could not model the workspace: ${message}` }))] };
    }
  }
}
