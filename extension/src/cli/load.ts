// Reads the CLI's inputs from disk and hands them to the engine; the engine never touches files.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { parseManifest, type ManifestFile, type ManifestProblem } from '../engine/manifest/manifest';
import { applyKustomization, composeKustomizations, KUSTOMIZATION_FILE_NAMES, parseKustomization, type Kustomization } from '../engine/manifest/kustomize';
import { LineIndex } from '../engine/manifest/source';
import { DEFAULT_PROFILE, parseProfile, type ClusterProfile } from '../engine/model/profile';

export interface LoadedInput {
  readonly files: ManifestFile[];
  readonly profile: ClusterProfile;
  /** Problems with their file, ready to print. */
  readonly problems: { file: string; problem: ManifestProblem }[];
}

export class InputError extends Error {}

const MAX_FILE_BYTES = 64 * 1024 * 1024;
const MANIFEST_EXTENSIONS = /\.(ya?ml|json)$/i;

/** The text of a file, or why it cannot be read. */
function tryReadText(path: string): { text: string } | { error: string } {
  try {
    const size = statSync(path).size;
    if (size > MAX_FILE_BYTES) return { error: `${(size / 1048576).toFixed(0)} MiB is too large to analyse` };
    return { text: readFileSync(path, 'utf8') };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return { error: code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : `cannot be read (${code ?? String(e)})` };
  }
}

function readText(path: string): string {
  const r = tryReadText(path);
  if ('error' in r) throw new InputError(`${path}: ${r.error}`);
  return r.text;
}

function isDirectory(path: string): boolean {
  try { return statSync(path).isDirectory(); } catch { return false; }
}

/** A directory stands for the manifests under it (sorted, recursively); kustomization files are read, not analysed. */
export function expandPaths(paths: readonly string[]): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      if (isDirectory(path)) walk(path);
      else if (MANIFEST_EXTENSIONS.test(name) && !KUSTOMIZATION_FILE_NAMES.includes(name)) out.push(path);
    }
  };
  for (const p of paths) {
    if (isDirectory(p)) walk(p);
    else if ('error' in tryReadText(p) && !existsSync(p)) throw new InputError(`${p}: no such file`);
    else out.push(p);
  }
  return [...new Set(out)];
}

/**
 * The kustomization that lists each file (by absolute path), nested ones composed. The directories of the
 * inputs and those above them are looked at, outermost first, so an outer kustomization keeps its claim.
 */
function kustomizationsFor(files: readonly string[]): Map<string, Kustomization> {
  const out = new Map<string, Kustomization>();
  const visit = (dir: string, outer: Kustomization | null, chain: readonly string[]) => {
    if (chain.includes(dir) || chain.length > 16) return;
    const read = KUSTOMIZATION_FILE_NAMES.map(n => tryReadText(join(dir, n))).find(r => 'text' in r);
    const own = read && 'text' in read ? parseKustomization(read.text) : null;
    if (!own) return;
    const k = outer ? composeKustomizations(outer, own) : own;
    for (const r of own.resources) {
      const path = resolve(dir, r);
      if (isDirectory(path)) visit(path, k, [...chain, dir]);
      else if (!out.has(path)) out.set(path, k);
    }
  };
  // a kustomization lists its resources downwards: look in each input's directory and a few above it
  const dirs = new Set<string>();
  for (const f of files) for (let dir = dirname(resolve(f)), up = 0; up < 8 && !dirs.has(dir); dir = dirname(dir), up++) dirs.add(dir);
  const ordered = [...dirs].sort((a, b) => a.length - b.length || (a < b ? -1 : 1));
  for (const dir of ordered) visit(dir, null, []);
  return out;
}

function unreadable(fileName: string, reason: string): ManifestFile {
  const lines = new LineIndex('');
  return {
    fileName, text: '', lines, documents: [], objects: [],
    problems: [{ code: 'unreadable-file', severity: 'error', range: lines.range(0, 0), message: `${basename(fileName)} ${reason}` }],
  };
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
  const all = expandPaths(paths);
  const manifests = profilePath ? all.filter(path => resolve(path) !== resolve(profilePath)) : all;
  const kustomizations = kustomizationsFor(manifests);
  const files = manifests.map(path => {
    const read = tryReadText(path);
    if ('error' in read) return unreadable(path, read.error);
    const file = parseManifest(read.text, path);
    const k = kustomizations.get(resolve(path));
    return k ? applyKustomization(file, k) : file;
  });
  for (const f of files) for (const p of f.problems) problems.push({ file: f.fileName, problem: p });
  return { files, profile, problems };
}

/** "file:line:column: severity: message", 1-based like compilers print. */
export function formatProblem(file: string, p: ManifestProblem): string {
  return `${file}:${p.range.start.line + 1}:${p.range.start.character + 1}: ${p.severity}: ${p.message}`;
}
