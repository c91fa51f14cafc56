// "Connect to Cluster…": a snapshot of a live cluster, held in memory, replaces the profile; the
// cluster's EndpointSlices give the workspace's Services their real endpoints. The kubeconfig is the
// Kubernetes extension's when it is installed (its configuration API, so the user's kubeconfig and
// its credentials are reused), else natlens.kubeconfig or kubectl's default. The snapshot is read
// with the CLI's read-only client (GET only); nothing is written to the cluster.
import * as vscode from 'vscode';
import { parseManifest, type AnyManifestObject } from '../engine/manifest/manifest';
import { parseProfile } from '../engine/model/profile';
import { PROFILE_FILE, type Snapshot } from '../engine/snapshot/snapshot';
import { KubeClient } from '../cli/kube/client';
import { kubeconfigFiles, loadKubeconfig, KubeconfigError } from '../cli/kube/kubeconfig';
import { takeSnapshot } from '../cli/kube/take';
import type { LiveCluster, Session } from './session';

const KUBERNETES_EXTENSION = 'ms-kubernetes-tools.vscode-kubernetes-tools';

/** Arguments of natlens.connectCluster (tests and links); anything missing is asked for. */
export interface ConnectArgs {
  readonly kubeconfig?: string;
  readonly context?: string;
}

interface KubernetesExtensionApi {
  get(component: 'configuration', version: 'v1'): Promise<{ available: true; api: { getKubeconfigPath(): { pathType: 'host'; hostPath: string } | { pathType: 'wsl'; wslPath: string } } } | { available: false }>;
}

/** The kubeconfig the Kubernetes extension uses, when it is installed and says (a host path). */
async function kubernetesExtensionKubeconfig(): Promise<string | undefined> {
  const ext = vscode.extensions.getExtension<KubernetesExtensionApi>(KUBERNETES_EXTENSION);
  if (!ext) return undefined;
  try {
    const exports = ext.isActive ? ext.exports : await ext.activate();
    const config = await exports?.get('configuration', 'v1');
    if (!config?.available) return undefined;
    const path = config.api.getKubeconfigPath();
    return path.pathType === 'host' ? path.hostPath : undefined;
  } catch {
    return undefined;
  }
}

/** How old a snapshot is, for the status bar, hovers and diagnostics. */
export function snapshotAge(takenAt: number, now = Date.now()): string {
  const minutes = Math.floor((now - takenAt) / 60_000);
  if (minutes < 1) return vscode.l10n.t('just now');
  if (minutes < 60) return vscode.l10n.t('{0} min old', minutes);
  return vscode.l10n.t('{0} h old', Math.floor(minutes / 60));
}

/** The snapshot as the session uses it: the profile (allocating for the workspace's manifests) and the live objects. */
function liveCluster(snapshot: Snapshot, kubeconfig: string, context: string): LiveCluster {
  const files = snapshot.files.filter(f => f.path !== PROFILE_FILE && !f.path.startsWith('.')).map(f => parseManifest(f.text, `${context}:${f.path}`));
  const { profile } = parseProfile(snapshot.files.find(f => f.path === PROFILE_FILE)!.text, PROFILE_FILE);
  const objects: AnyManifestObject[] = files.flatMap(f => f.objects);
  return {
    name: context, kubeconfig,
    // the workspace's manifests carry no allocations; the live Services' addresses are compared, not modelled
    profile: { ...profile, allocate: true },
    services: objects.filter(o => o.kind === 'Service'),
    endpointSlices: objects.filter(o => o.kind === 'EndpointSlice'),
    takenAt: Date.parse(profile.snapshot?.takenAt ?? '') || Date.now(),
    unreadable: snapshot.unreadable,
  };
}

export class ClusterConnection implements vscode.Disposable {
  private readonly status = vscode.window.createStatusBarItem('natlens.cluster', vscode.StatusBarAlignment.Left, 10);
  private readonly timer = setInterval(() => this.render(), 30_000);

  constructor(private readonly session: Session) {
    this.status.name = vscode.l10n.t('NAT Lens cluster');
    this.status.command = 'natlens.refreshCluster';
  }

  dispose(): void {
    clearInterval(this.timer);
    this.status.dispose();
  }

  /** Connects (asking for what args leave out); returns the cluster's name, or undefined when cancelled or failed. */
  async connect(args: ConnectArgs = {}): Promise<string | undefined> {
    const kubeconfig = args.kubeconfig
      ?? (await kubernetesExtensionKubeconfig())
      ?? (vscode.workspace.getConfiguration('natlens').get<string>('kubeconfig') || undefined);
    let config;
    try {
      config = loadKubeconfig(kubeconfigFiles(kubeconfig));
    } catch (e) {
      void vscode.window.showErrorMessage(vscode.l10n.t('NAT Lens: {0}', (e as Error).message));
      return undefined;
    }
    const context = args.context ?? (await this.pickContext(config.contexts, config.currentContext));
    if (!context) return undefined;
    return this.take(kubeconfig, context);
  }

  private async pickContext(contexts: readonly string[], current: string | null): Promise<string | undefined> {
    const items = [...contexts].sort((a, b) => Number(b === current) - Number(a === current))
      .map(c => ({ label: c, ...(c === current ? { description: vscode.l10n.t('current context') } : {}) }));
    return (await vscode.window.showQuickPick(items, { placeHolder: vscode.l10n.t('Kubernetes context to read (get and list only)'), ignoreFocusOut: true }))?.label;
  }

  private async take(kubeconfig: string | undefined, context: string): Promise<string | undefined> {
    try {
      const live = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: vscode.l10n.t('NAT Lens: reading cluster {0}', context) }, async () => {
        const connection = loadKubeconfig(kubeconfigFiles(kubeconfig)).connection(context);
        return liveCluster(await takeSnapshot(new KubeClient(connection), []), kubeconfig ?? '', context);
      });
      this.session.setLive(live);
      this.render();
      if (live.unreadable.length > 0) {
        void vscode.window.showWarningMessage(vscode.l10n.t('NAT Lens: in cluster {0}, could not read: {1}', context, live.unreadable.join('; ')));
      }
      return context;
    } catch (e) {
      const message = e instanceof KubeconfigError || e instanceof Error ? e.message : String(e);
      void vscode.window.showErrorMessage(vscode.l10n.t('NAT Lens: cannot read cluster {0}: {1}', context, message));
      return undefined;
    }
  }

  async refresh(): Promise<string | undefined> {
    const live = this.session.live;
    if (!live) return this.connect();
    return this.take(live.kubeconfig || undefined, live.name);
  }

  disconnect(): void {
    this.session.setLive(null);
    this.render();
  }

  private render(): void {
    const live = this.session.live;
    if (!live) { this.status.hide(); return; }
    this.status.text = `$(cloud) ${live.name} · ${snapshotAge(live.takenAt)}`;
    this.status.tooltip = vscode.l10n.t('NAT Lens answers for cluster {0} (Kubernetes {1}, snapshot of {2}). Click to refresh.',
      live.name, live.profile.snapshot?.serverVersion ?? '?', new Date(live.takenAt).toLocaleString());
    this.status.show();
  }

  /** The status bar text (for tests). */
  statusText(): string | undefined {
    return this.session.live ? this.status.text : undefined;
  }
}
