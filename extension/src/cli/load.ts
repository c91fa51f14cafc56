// Reads the CLI's inputs from disk and hands them to the engine; the engine never touches files.
import { readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { DEFAULT_MAX_BYTES, parseManifest, type ManifestFile, type ManifestProblem } from '../engine/manifest/manifest';
import { DEFAULT_PROFILE, parseProfile, type ClusterProfile } from '../engine/model/profile';

export interface LoadedInput {
  readonly files: ManifestFile[];
  readonly profile: ClusterProfile;
  /** Problems with their file, ready to print. */
  readonly problems: { file: string; problem: ManifestProblem }[];
}

export class InputError extends Error {}

function readText(path: string): string {
  let size: number;
  try {
    size = statSync(path).size;
  } catch {
    throw new InputError(`${path}: no such file`);
  }
  if (size > DEFAULT_MAX_BYTES) throw new InputError(`${path}: ${(size / 1048576).toFixed(1)} MiB is too large; NAT Lens analyses files up to ${DEFAULT_MAX_BYTES / 1048576} MiB`);
  return readFileSync(path, 'utf8');
}

export function loadInput(paths: readonly string[], profilePath: string | undefined): LoadedInput {
  const problems: LoadedInput['problems'] = [];
  let profile = DEFAULT_PROFILE;
  if (profilePath) {
    const result = parseProfile(readText(profilePath), profilePath);
    profile = result.profile;
    for (const p of result.problems) problems.push({ file: profilePath, problem: p });
  }
  // `natlens check --cluster cluster.yaml *.yaml` names the profile among the manifests: it is not one
  const manifests = profilePath ? paths.filter(path => resolve(path) !== resolve(profilePath)) : paths;
  const files = manifests.map(path => parseManifest(readText(path), path));
  for (const f of files) for (const p of f.problems) problems.push({ file: f.fileName, problem: p });
  return { files, profile, problems };
}

/** "file:line:column: severity: message", 1-based like compilers print. */
export function formatProblem(file: string, p: ManifestProblem): string {
  return `${file}:${p.range.start.line + 1}:${p.range.start.character + 1}: ${p.severity}: ${p.message}`;
}
