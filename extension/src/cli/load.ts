// Reads the CLI's inputs from disk and hands them to the engine; the engine never touches files.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { DEFAULT_MAX_BYTES, parseManifest, type ManifestFile, type ManifestProblem } from '../engine/manifest/manifest';
import { problemMessage } from '../engine/manifest/problemMessage';
import { english, type Messages } from '../engine/i18n';
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

/** The name problems give a manifest read from standard input. */
export const STDIN_NAME = '<stdin>';
const MANIFEST_EXTENSIONS = /\.(ya?ml|json)$/i;

/** The text of a file, or why it cannot be read. */
function tryReadText(path: string): { text: string } | { error: string } {
  try {
    const size = statSync(path).size;
    if (size > DEFAULT_MAX_BYTES) return { error: `${(size / 1048576).toFixed(1)} MiB is too large; NAT Lens analyses files up to ${DEFAULT_MAX_BYTES / 1048576} MiB` };
    return { text: readFileSync(path, 'utf8') };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return { error: code === 'ENOENT' ? 'no such file' : `cannot be read (${code ?? String(e)})` };
  }
}

function readText(path: string): string {
  const r = tryReadText(path);
  if ('error' in r) throw new InputError(`${path}: ${r.error}`);
  return r.text;
}

/** A manifest that exists but cannot be read: a problem of its own, so that the other files are still analysed. */
function unreadableFile(fileName: string, reason: string): ManifestFile {
  const lines = new LineIndex('');
  return {
    fileName, text: '', lines, documents: [], objects: [],
    problems: [{ code: 'unreadable-file', severity: 'error', range: lines.range(0, 0), message: `${basename(fileName)} ${reason}` }],
  };
}

function readManifest(path: string): ManifestFile {
  const r = tryReadText(path);
  if ('text' in r) return parseManifest(r.text, path);
  if (!existsSync(path)) throw new InputError(`${path}: no such file`);
  return unreadableFile(path, r.error);
}

function isDirectory(path: string): boolean {
  try { return statSync(path).isDirectory(); } catch { return false; }
}

/**
 * The kustomization that lists each file (by absolute path), nested ones composed. The directories of the
 * inputs and those above them are looked at, outermost first, so an outer kustomization keeps its claim.
 */
function kustomizationsFor(files: readonly string[]): Map<string, Kustomization> {
  const out = new Map<string, Kustomization>();
  // a kustomization lists its resources downwards: look in each input's directory and a few above it
  const dirs = new Set<string>();
  for (const f of files) for (let dir = dirname(resolve(f)), up = 0; up < 8 && !dirs.has(dir); dir = dirname(dir), up++) dirs.add(dir);
  for (const dir of [...dirs].sort((a, b) => a.length - b.length || (a < b ? -1 : 1))) visitKustomization(dir, null, [], out);
  return out;
}

/** Records the files a kustomization in `dir` lists (through nested ones), with what applies to each. */
function visitKustomization(dir: string, outer: Kustomization | null, chain: readonly string[], out: Map<string, Kustomization>): void {
  if (chain.includes(dir) || chain.length > 16) return;
  const read = KUSTOMIZATION_FILE_NAMES.map(n => tryReadText(join(dir, n))).find(r => 'text' in r);
  const own = read && 'text' in read ? parseKustomization(read.text) : null;
  if (!own) return;
  const k = outer ? composeKustomizations(outer, own) : own;
  for (const r of own.resources) {
    const path = resolve(dir, r);
    if (isDirectory(path)) visitKustomization(path, k, [...chain, dir], out);
    else if (!out.has(path)) out.set(path, k);
  }
}

/** The manifests a kustomization directory lists (through nested ones), read as kustomize would name their objects. */
export function kustomizationSources(dir: string): ManifestFile[] {
  const listed = new Map<string, Kustomization>();
  visitKustomization(resolve(dir), null, [], listed);
  return [...listed].filter(([path]) => existsSync(path)).map(([path, k]) => applyKustomization(readManifest(path), k));
}

/** The manifests under a directory, recursively, in code-point order of their paths; dot-entries skipped. */
function manifestsUnder(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...manifestsUnder(path));
    // a kustomization is read for what it does to its resources, not analysed as a manifest
    else if (entry.isFile() && MANIFEST_EXTENSIONS.test(entry.name) && !KUSTOMIZATION_FILE_NAMES.includes(entry.name)) out.push(path);
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
  const kustomizations = kustomizationsFor(manifests.filter(path => path !== '-'));
  const files = manifests.map(path => {
    if (path === '-') return parseManifest(readStdinText(readStdin), STDIN_NAME);
    const file = readManifest(path);
    const k = kustomizations.get(resolve(path));
    return k ? applyKustomization(file, k) : file;
  });
  for (const f of files) for (const p of f.problems) problems.push({ file: f.fileName, problem: p });
  return { files, profile, problems };
}

function readStdinText(readStdin: () => string): string {
  const text = readStdin();
  if (text.length > DEFAULT_MAX_BYTES) throw new InputError(`${STDIN_NAME}: too large; NAT Lens analyses files up to ${DEFAULT_MAX_BYTES / 1048576} MiB`);
  return text;
}

/** "file:line:column: severity: message", 1-based like compilers print. */
export function formatProblem(file: string, p: ManifestProblem, m: Messages = english): string {
  return `${file}:${p.range.start.line + 1}:${p.range.start.character + 1}: ${p.severity}: ${problemMessage(p, m)}`;
}
