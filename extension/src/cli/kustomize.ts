// `natlens check --kustomize DIR`: kubectl renders the kustomization, NAT Lens analyses the rendering and
// reports each finding at the source file and field it came from.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { parseManifest, type ManifestFile } from '../engine/manifest/manifest';
import { InputError, kustomizationSources } from './load';

export interface RenderedKustomization {
  /** The rendering, parsed: what is analysed. */
  readonly rendered: ManifestFile;
  /** The files the kustomization lists, named as kustomize names their objects: where findings are reported. */
  readonly sources: ManifestFile[];
}

export function renderKustomization(dir: string): RenderedKustomization {
  const r = spawnSync('kubectl', ['kustomize', dir], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, timeout: 120_000 });
  if (r.error && (r.error as NodeJS.ErrnoException).code === 'ENOENT') {
    throw new InputError(`--kustomize needs kubectl on PATH (it runs "kubectl kustomize ${dir}"); without it, "natlens check ${dir}" applies the kustomization's namespace and namePrefix to the files it lists, but no other transformer`);
  }
  if (r.error) throw new InputError(`kubectl kustomize ${dir}: ${r.error.message}`);
  if (r.status !== 0) throw new InputError(`kubectl kustomize ${dir} failed: ${(r.stderr || '').trim().split('\n')[0] ?? `exit ${r.status}`}`);
  return { rendered: parseManifest(r.stdout, join(dir, '(kubectl kustomize)')), sources: kustomizationSources(dir) };
}
