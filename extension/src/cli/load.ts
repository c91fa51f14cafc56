// Reads the CLI's inputs from disk and hands them to the engine; the engine never touches files.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseManifest, type ManifestFile, type ManifestProblem } from '../engine/manifest/manifest';
import { DEFAULT_PROFILE, parseProfile, type ClusterProfile } from '../engine/model/profile';

export interface LoadedInput {
  readonly files: ManifestFile[];
  readonly profile: ClusterProfile;
  /** Problems with their file, ready to print. */
  readonly problems: { file: string; problem: ManifestProblem }[];
}

export class InputError extends Error {}

/** The name problems give a manifest read from standard input. */
export const STDIN_NAME = '<stdin>';
const MANIFEST_EXTENSIONS = /\.(ya?ml|json)$/i;
const MAX_BYTES = 64 * 1024 * 1024;

function readText(path: string): string {
  let size: number;
  try {
    size = statSync(path).size;
  } catch {
    throw new InputError(`${path}: no such file`);
  }
  if (size > MAX_BYTES) throw new InputError(`${path}: ${(size / 1048576).toFixed(0)} MiB is too large to analyse`);
  return readFileSync(path, 'utf8');
}

/** The manifests under a directory, recursively, in code-point order of their paths; dot-entries skipped. */
function manifestsUnder(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...manifestsUnder(path));
    else if (entry.isFile() && MANIFEST_EXTENSIONS.test(entry.name)) out.push(path);
  }
  return out.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** FILE arguments as files: a directory stands for the manifests under it, `-` for standard input. */
function expandPaths(paths: readonly string[]): string[] {
  if (paths.filter(p => p === '-').length > 1) throw new InputError('-: standard input can be read once');
  return paths.flatMap(path => {
    if (path === '-') return [path];
    let isDirectory = false;
    try { isDirectory = statSync(path).isDirectory(); } catch { /* readText names the missing file */ }
    if (!isDirectory) return [path];
    const found = manifestsUnder(path);
    if (found.length === 0) throw new InputError(`${path}: no .yaml, .yml or .json file in the directory`);
    return found;
  });
}

export function loadInput(paths: readonly string[], profilePath: string | undefined, readStdin: () => string): LoadedInput {
  const problems: LoadedInput['problems'] = [];
  let profile = DEFAULT_PROFILE;
  if (profilePath) {
    const result = parseProfile(readText(profilePath), profilePath);
    profile = result.profile;
    for (const p of result.problems) problems.push({ file: profilePath, problem: p });
  }
  // `natlens check --cluster cluster.yaml *.yaml` names the profile among the manifests: it is not one
  const expanded = expandPaths(paths);
  const manifests = profilePath ? expanded.filter(path => path === '-' || resolve(path) !== resolve(profilePath)) : expanded;
  const files = manifests.map(path => (path === '-' ? parseManifest(readStdinText(readStdin), STDIN_NAME) : parseManifest(readText(path), path)));
  for (const f of files) for (const p of f.problems) problems.push({ file: f.fileName, problem: p });
  return { files, profile, problems };
}

function readStdinText(readStdin: () => string): string {
  const text = readStdin();
  if (text.length > MAX_BYTES) throw new InputError(`${STDIN_NAME}: too large to analyse`);
  return text;
}

/** "file:line:column: severity: message", 1-based like compilers print. */
export function formatProblem(file: string, p: ManifestProblem): string {
  return `${file}:${p.range.start.line + 1}:${p.range.start.character + 1}: ${p.severity}: ${p.message}`;
}
