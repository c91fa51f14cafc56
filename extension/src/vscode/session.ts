// Holds what the extension knows: parsed manifests (open documents and workspace files), the
// cluster profile from the settings, and the model built from both. Front-end state only; every
// answer comes from the engine.
import * as vscode from 'vscode';
import { parseManifest, type AnyManifestObject, type ManifestFile, type ManifestProblem } from '../engine/manifest/manifest';
import { declaredEncoding, foreignEncoding } from '../engine/manifest/encoding';
import { parseProfile, resolveProfile, withProxyMode, DEFAULT_PROFILE, type ClusterProfile } from '../engine/model/profile';
import type { ClusterModel } from '../engine/model/cluster';
import { WorkspaceModel, type ExcludedObject } from '../engine/model/isolate';
import { readCniConfig } from '../engine/egress/workspace';
import { applyProfilePatch, profileToYaml } from '../engine/model/profilePatch';
import type { ProfilePatch } from '../../../protocol/preview';

const MANIFEST_GLOB = '**/*.{yaml,yml,json}';
const EXCLUDE_GLOB = '{**/node_modules/**,**/.git/**,**/dist/**,**/out/**}';
const MAX_WORKSPACE_FILES = 5000;

export function isManifestDocument(doc: vscode.TextDocument): boolean {
  return (doc.languageId === 'yaml' || doc.languageId === 'json' || doc.languageId === 'jsonc') && doc.uri.scheme !== 'output';
}

/** A UTF-16 document (decoded by VS Code, or UTF-16/32 read as UTF-8): it gets one message, not an analysis. */
export function hasForeignEncoding(doc: vscode.TextDocument): boolean {
  return declaredEncoding(doc.encoding) !== null || foreignEncoding(doc.getText()) !== null;
}

export interface ProfileState {
  readonly profile: ClusterProfile;
  readonly problems: ManifestProblem[];
  /** Where it came from, for the user: a path, "settings" or "defaults". */
  readonly source: string;
}

/** Where a profile path from the settings points: absolute, or relative to the first workspace folder. */
function profileUri(path: string): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  return path.startsWith('/') || !folder ? vscode.Uri.file(path) : vscode.Uri.joinPath(folder, path);
}

function configuredProfileUri(): vscode.Uri | null {
  const path = vscode.workspace.getConfiguration('natlens').get<string>('clusterProfile') ?? '';
  return path ? profileUri(path) : null;
}

async function loadProfile(): Promise<ProfileState> {
  const config = vscode.workspace.getConfiguration('natlens');
  const inline = config.get<Record<string, unknown>>('cluster') ?? {};
  const path = config.get<string>('clusterProfile') ?? '';
  // the setting overrides the profile only where the user set it (its default must not hide the profile's)
  const inspected = config.inspect<ClusterProfile['proxyMode']>('proxyMode');
  const proxyMode = inspected?.workspaceFolderValue ?? inspected?.workspaceValue ?? inspected?.globalValue;
  let result: ProfileState;
  if (path) {
    const uri = profileUri(path);
    // an open profile counts with its unsaved edits
    let text = vscode.workspace.textDocuments.find(d => d.uri.toString() === uri.toString())?.getText() ?? null;
    if (text === null) try { text = new TextDecoder().decode(await vscode.workspace.fs.readFile(uri)); } catch { text = null; }
    result = text === null
      ? { profile: DEFAULT_PROFILE, problems: [], source: `${path} (not found; using defaults)` }
      : { ...parseProfile(text, path), source: path };
  } else if (Object.keys(inline).length > 0) {
    const problems: ManifestProblem[] = [];
    result = { ...resolveProfile(inline, (_path, message) => problems.push({ code: 'profile-invalid', severity: 'error', message, range: EMPTY_RANGE }), problems), source: 'settings (natlens.cluster)' };
  } else {
    result = { profile: DEFAULT_PROFILE, problems: [], source: 'defaults' };
  }
  return proxyMode ? { ...result, profile: withProxyMode(result.profile, proxyMode) } : result;
}

/** A live cluster's snapshot (Connect to Cluster): its profile replaces the configured one. */
export interface LiveCluster {
  /** The kubeconfig context, as the surfaces name the cluster. */
  readonly name: string;
  /** The kubeconfig it was read with ('' for kubectl's default), for a refresh. */
  readonly kubeconfig: string;
  readonly profile: ClusterProfile;
  /** The live Services, compared with the workspace's. */
  readonly services: readonly AnyManifestObject[];
  /** The live EndpointSlices: the workspace's Services get the cluster's endpoints. */
  readonly endpointSlices: readonly AnyManifestObject[];
  readonly takenAt: number;
  readonly unreadable: readonly string[];
}

const EMPTY_RANGE = { start: { offset: 0, line: 0, character: 0 }, end: { offset: 0, line: 0, character: 0 } };

export class Session implements vscode.Disposable {
  private readonly parsed = new Map<string, { version: number; file: ManifestFile }>();
  private readonly workspaceFiles = new Map<string, ManifestFile>();
  private workspaceIndexed: Promise<void> | null = null;
  private profileCache: Promise<ProfileState> | null = null;
  /** Edits made in the preview's Assumptions pane, until saved or the settings change. */
  private edited: ClusterProfile | null = null;
  private readonly models = new WorkspaceModel();
  /** The connected cluster, if any. */
  live: LiveCluster | null = null;
  /** Objects the last model left out because building it failed on them. */
  excluded: readonly ExcludedObject[] = [];
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fires when anything the model depends on changed (a manifest, a workspace file, the settings). */
  readonly onDidChange = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [this.changed];

  constructor() {
    this.disposables.push(
      vscode.workspace.onDidChangeConfiguration(e => { if (e.affectsConfiguration('natlens')) { this.edited = null; this.invalidate(); } }),
      vscode.workspace.onDidChangeTextDocument(e => { if (isManifestDocument(e.document)) this.invalidate(e.document.uri); }),
      vscode.workspace.onDidCloseTextDocument(doc => this.parsed.delete(doc.uri.toString())),
    );
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }

  /** Something changed: `changed` is the file, when one file did (the profile is re-read only if it is that file). */
  private invalidate(changed?: vscode.Uri): void {
    this.models.invalidate();
    if (!changed || changed.toString() === configuredProfileUri()?.toString()) this.profileCache = null;
    this.changed.fire();
  }

  /** The parse of an open document, cached per version. */
  file(doc: vscode.TextDocument): ManifestFile {
    const key = doc.uri.toString();
    const hit = this.parsed.get(key);
    if (hit && hit.version === doc.version) return hit.file;
    // unchanged documents of the previous version are reused: a keystroke re-parses one document
    const file = parseManifest(doc.getText(), doc.uri.fsPath || doc.uri.toString(), { ...(hit ? { previous: hit.file } : {}), encoding: doc.encoding });
    this.parsed.set(key, { version: doc.version, file });
    return file;
  }

  /** Finds and parses the workspace's manifests once, then follows changes on disk. */
  ensureWorkspaceIndex(): Promise<void> {
    if (!this.workspaceIndexed) this.workspaceIndexed = this.indexWorkspace();
    return this.workspaceIndexed;
  }

  private async indexWorkspace(): Promise<void> {
    const uris = await vscode.workspace.findFiles(MANIFEST_GLOB, EXCLUDE_GLOB, MAX_WORKSPACE_FILES);
    await Promise.all(uris.map(uri => this.readWorkspaceFile(uri)));
    const watcher = vscode.workspace.createFileSystemWatcher(MANIFEST_GLOB);
    watcher.onDidCreate(uri => void this.readWorkspaceFile(uri).then(() => this.invalidate(uri)));
    watcher.onDidChange(uri => void this.readWorkspaceFile(uri).then(() => this.invalidate(uri)));
    watcher.onDidDelete(uri => { this.workspaceFiles.delete(uri.toString()); this.invalidate(uri); });
    this.disposables.push(watcher);
    this.invalidate();
  }

  private async readWorkspaceFile(uri: vscode.Uri): Promise<void> {
    try {
      const bytes = await vscode.workspace.fs.readFile(uri);
      const text = new TextDecoder().decode(bytes);
      // only files that can hold Kubernetes objects are kept
      if (!/\bkind\b/.test(text)) { this.workspaceFiles.delete(uri.toString()); return; }
      this.workspaceFiles.set(uri.toString(), parseManifest(text, uri.fsPath));
    } catch {
      this.workspaceFiles.delete(uri.toString());
    }
  }

  /** Connects to a cluster's snapshot (or disconnects, with null): every answer is for that cluster from now on. */
  setLive(live: LiveCluster | null): void {
    this.live = live;
    this.edited = null;
    this.invalidate();
  }

  /** The connected cluster's profile, else `natlens.clusterProfile` (a file) or `natlens.cluster` (inline values). */
  async profile(): Promise<ProfileState> {
    if (this.live) return { profile: this.edited ?? this.live.profile, problems: [], source: `cluster ${this.live.name}` };
    if (!this.profileCache) this.profileCache = loadProfile();
    const loaded = await this.profileCache;
    return this.edited ? { ...loaded, profile: this.edited, source: `${loaded.source}, edited in the preview (not saved)` } : loaded;
  }

  /** Applies edits from the preview; returns the messages of the values that were refused. */
  async editProfile(patch: ProfilePatch): Promise<string[]> {
    const { profile, errors } = applyProfilePatch((await this.profile()).profile, patch);
    this.edited = profile;
    this.invalidate();
    return errors;
  }

  /** Writes the profile in use to the configured file (or natlens-cluster.yaml, then points the setting at it). */
  async saveProfile(): Promise<vscode.Uri | undefined> {
    const config = vscode.workspace.getConfiguration('natlens');
    const configured = config.get<string>('clusterProfile') ?? '';
    const path = configured || 'natlens-cluster.yaml';
    const uri = profileUri(path);
    await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(profileToYaml((await this.profile()).profile)));
    if (!configured) await config.update('clusterProfile', path, vscode.ConfigurationTarget.Workspace);
    this.edited = null;
    this.invalidate();
    return uri;
  }

  /** All manifests the model sees: workspace files, with open documents taking precedence. */
  manifestFiles(): ManifestFile[] {
    const files = new Map<string, ManifestFile>(this.workspaceFiles);
    for (const doc of vscode.workspace.textDocuments) if (isManifestDocument(doc)) files.set(doc.uri.toString(), this.file(doc));
    return [...files.values()];
  }

  /** The objects of a document the last model left out. */
  excludedFrom(doc: vscode.TextDocument): readonly ExcludedObject[] {
    const fileName = doc.uri.fsPath || doc.uri.toString();
    return this.excluded.filter(e => e.obj.fileName === fileName);
  }

  async model(): Promise<ClusterModel> {
    const { profile } = await this.profile();
    // one object the model cannot take must not take every file's hovers and diagnostics with it
    const { model, excluded } = this.models.get(profile, () => {
      const objects = this.manifestFiles().flatMap(f => f.objects);
      return this.live ? [...objects, ...this.live.endpointSlices] : objects;
    }, () => readCniConfig(this.manifestFiles()));
    this.excluded = excluded;
    return model;
  }
}
