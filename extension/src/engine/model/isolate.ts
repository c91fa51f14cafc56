// The workspace model, built so that one object the model cannot take does not take the others down:
// the validation layer keeps invalid objects out, and should building still fail, the objects it
// fails on are found one by one and left out, each with the error it caused.
import type { AnyManifestObject } from '../manifest/manifest';
import { buildClusterModel, type BuildOptions, type ClusterModel } from './cluster';
import type { ClusterProfile } from './profile';
import type { CniWorkspace } from '../egress/workspace';

export interface ExcludedObject {
  readonly obj: AnyManifestObject;
  readonly message: string;
}

export interface IsolatedModel {
  readonly model: ClusterModel;
  readonly excluded: readonly ExcludedObject[];
}

export function buildIsolatedModel(objects: readonly AnyManifestObject[], profile: ClusterProfile, options: BuildOptions = {}): IsolatedModel {
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

/**
 * The editor's model of the workspace: kept until `invalidate` (an edit, a setting) or until another
 * profile is given, and each rebuild is built on the last model, so that an edit rebuilds only the
 * Services it touches. Keyed on the profile given, not on `model.profile`, which Node objects in the
 * input make a derived one.
 */
export class WorkspaceModel {
  private current: { readonly given: ClusterProfile; readonly built: IsolatedModel } | null = null;
  private last: ClusterModel | undefined;

  invalidate(): void {
    this.current = null;
  }

  /** `cni`: the workspace's CNI objects, which decide the pod network. */
  get(given: ClusterProfile, objects: () => readonly AnyManifestObject[], cni?: () => CniWorkspace): IsolatedModel {
    if (this.current?.given !== given) {
      const built = buildIsolatedModel(objects(), given, { previous: this.last, ...(cni ? { cni: cni() } : {}) });
      this.current = { given, built };
      this.last = built.model;
    }
    return this.current.built;
  }
}
