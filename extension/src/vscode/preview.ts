// The preview panel: a webview beside the manifest with the rules, the packet walk and the
// assumptions. This side only gathers data from the engine and relays validated messages.
import * as vscode from 'vscode';
import { buildPreviewState, type PreviewSelection } from '../engine/preview/state';
import { editorMessages } from './language';
import { problemMessage } from '../engine/manifest/problemMessage';
import { egressDeciderFor } from '../engine/egress';
import { backendFor } from '../engine/proxy/backends';
import { parseWebviewMessage, type HostMessage, type WebviewMessage } from '../../../protocol/preview';
import { previewHtml } from '../../../webview/src/html';
import type { Session } from './session';
import type { GeneratedDocuments } from './documents';

export const PREVIEW_VIEW_TYPE = 'natlens.preview';
const UPDATE_DELAY_MS = 300;

interface PersistedState { uri: string; selection: PreviewSelection }

export class PreviewPanel implements vscode.Disposable {
  private static current: PreviewPanel | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private ready = false;

  /** Opens (or updates) the preview; `state` resolves with the first state it shows for this request. */
  static async show(session: Session, docs: GeneratedDocuments, extensionUri: vscode.Uri, uri: vscode.Uri, selection: Partial<PreviewSelection> = {}): Promise<{ panel: PreviewPanel; state: Promise<HostMessage | undefined> }> {
    const model = await session.model();
    const initial: PreviewSelection = {
      service: null, port: 0, node: model.profile.nodeName, mode: model.profile.proxyMode, format: 'restore', trace: null, ...selection,
    };
    if (PreviewPanel.current) {
      PreviewPanel.current.uri = uri;
      PreviewPanel.current.selection = { ...initial, ...selection, node: selection.node ?? PreviewPanel.current.selection.node };
      PreviewPanel.current.panel.reveal(vscode.ViewColumn.Beside, true);
      const state = PreviewPanel.current.nextState();
      await PreviewPanel.current.update();
      return { panel: PreviewPanel.current, state };
    }
    const panel = vscode.window.createWebviewPanel(PREVIEW_VIEW_TYPE, 'NAT Lens Preview', { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, PreviewPanel.options(extensionUri));
    PreviewPanel.current = new PreviewPanel(panel, session, docs, extensionUri, uri, initial);
    return { panel: PreviewPanel.current, state: PreviewPanel.current.nextState() };
  }

  /** Re-creates the panel after a reload (registered as the view type's serializer). */
  static revive(panel: vscode.WebviewPanel, session: Session, docs: GeneratedDocuments, extensionUri: vscode.Uri, saved: unknown): void {
    const state = (saved as { host?: PersistedState } | undefined)?.host;
    panel.webview.options = PreviewPanel.options(extensionUri);
    const uri = state?.uri ? vscode.Uri.parse(state.uri) : vscode.window.activeTextEditor?.document.uri;
    if (!uri) { panel.dispose(); return; }
    PreviewPanel.current?.dispose();
    PreviewPanel.current = new PreviewPanel(panel, session, docs, extensionUri, uri,
      state?.selection ?? { service: null, port: 0, node: '', mode: 'iptables', format: 'restore', trace: null });
  }

  static options(extensionUri: vscode.Uri): vscode.WebviewOptions & vscode.WebviewPanelOptions {
    return { enableScripts: true, retainContextWhenHidden: false, localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist', 'webview')] };
  }

  static get active(): PreviewPanel | undefined {
    return PreviewPanel.current;
  }

  private constructor(readonly panel: vscode.WebviewPanel, private readonly session: Session, private readonly docs: GeneratedDocuments,
    extensionUri: vscode.Uri, private uri: vscode.Uri, private selection: PreviewSelection) {
    const webview = panel.webview;
    const asset = (name: string) => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'webview', name)).toString();
    const nonce = [...crypto.getRandomValues(new Uint8Array(16))].map(b => b.toString(16).padStart(2, '0')).join('');
    webview.html = previewHtml({ scriptUri: asset('preview.js'), styleUri: asset('preview.css'), codiconsUri: asset('codicon.css'), nonce, cspSource: webview.cspSource, lang: editorMessages().locale() });
    this.disposables.push(
      webview.onDidReceiveMessage(raw => { const m = parseWebviewMessage(raw); if (m) void this.handle(m); }),
      session.onDidChange(() => this.schedule()),
      vscode.window.onDidChangeTextEditorSelection(e => { if (e.textEditor.document.uri.toString() === this.uri.toString()) this.followCursor(e.textEditor); }),
      panel.onDidDispose(() => this.dispose()),
    );
  }

  /** The last state sent, for tests and for "open as text". */
  lastState: HostMessage | undefined;
  private waiters: ((m: HostMessage) => void)[] = [];

  /** Resolves with the next state sent to the webview (once it is ready), or undefined after 10 s. */
  nextState(): Promise<HostMessage | undefined> {
    return new Promise(resolve => {
      const timer = setTimeout(() => resolve(undefined), 10000);
      this.waiters.push(m => { clearTimeout(timer); resolve(m); });
    });
  }

  private followCursor(editor: vscode.TextEditor): void {
    const file = this.session.file(editor.document);
    const offset = editor.document.offsetAt(editor.selection.active);
    const obj = file.objects.find(o => o.kind === 'Service' && offset >= o.range.start.offset && offset <= o.range.end.offset);
    const service = obj ? `${obj.namespace}/${obj.name}` : this.selection.service;
    if (service !== this.selection.service) {
      this.selection = { ...this.selection, service, port: 0, trace: null };
      this.schedule();
    }
  }

  private schedule(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.update(), UPDATE_DELAY_MS);
  }

  async update(): Promise<void> {
    if (!this.ready) return;
    await this.session.ensureWorkspaceIndex();
    const model = await this.session.model();
    const { source, problems } = await this.session.profile();
    const fileName = this.uri.fsPath || this.uri.toString();
    const services = model.services.filter(s => s.obj.fileName === fileName);
    if (!model.profile.nodes.some(n => n.name === this.selection.node)) this.selection = { ...this.selection, node: model.profile.nodeName };
    const relative = vscode.workspace.asRelativePath(this.uri);
    const doc = vscode.workspace.textDocuments.find(d => d.uri.toString() === this.uri.toString());
    // why a Service of this file is missing from the preview: its document does not parse, or is refused
    const fileProblems = doc ? this.session.file(doc).problems.filter(p => p.severity === 'error').map(p => `${relative}:${p.range.start.line + 1}:${p.range.start.character + 1}: ${problemMessage(p, editorMessages())}`) : [];
    let message: HostMessage;
    try {
      const state = buildPreviewState({
        fileName: relative, services, model, profileSource: source, problems: [...fileProblems, ...problems.map(p => p.message)],
        egress: egressDeciderFor(this.session.manifestFiles(), model.profile), messages: editorMessages(),
      }, this.selection);
      message = { type: 'state', state };
    } catch (e) {
      // the engine failed on this Service: say which, where, and that the panes are the last good state
      const focus = services.find(s => `${s.obj.namespace}/${s.obj.name}` === this.selection.service) ?? services[0];
      const at = focus ? `${relative}:${focus.obj.range.start.line + 1}:${focus.obj.range.start.character + 1}: Service ${focus.obj.namespace}/${focus.obj.name}: ` : `${relative}: `;
      message = { type: 'error', message: `${at}NAT Lens could not build the preview: ${e instanceof Error ? e.message : String(e)}` };
    }
    this.lastState = message;
    for (const w of this.waiters.splice(0)) w(message);
    this.panel.title = `NAT Lens: ${vscode.workspace.asRelativePath(this.uri)}`;
    void this.panel.webview.postMessage(message);
    const persist: HostMessage = { type: 'persist', state: { uri: this.uri.toString(), selection: this.selection } satisfies PersistedState };
    void this.panel.webview.postMessage(persist);
  }

  private async handle(m: WebviewMessage): Promise<void> {
    switch (m.type) {
      case 'ready':
        this.ready = true;
        await this.update();
        return;
      case 'select':
        this.selection = {
          ...this.selection,
          ...(m.service !== undefined ? { service: m.service || null, port: 0, trace: null } : {}),
          ...(m.port !== undefined ? { port: m.port, trace: null } : {}),
          ...(m.node !== undefined ? { node: m.node } : {}),
          ...(m.mode !== undefined ? { mode: m.mode } : {}),
          ...(m.format !== undefined ? { format: m.format } : {}),
        };
        await this.update();
        return;
      case 'trace':
        this.selection = { ...this.selection, trace: { source: m.source, entry: m.entry } };
        await this.update();
        return;
      case 'editProfile': {
        const errors = await this.session.editProfile(m.patch);
        if (errors.length) void vscode.window.showWarningMessage(vscode.l10n.t('NAT Lens: not applied to the profile: {0}', errors.join('; ')));
        return;
      }
      case 'saveProfile': {
        const saved = await this.session.saveProfile();
        if (saved) void vscode.window.showInformationMessage(vscode.l10n.t('NAT Lens: profile saved to {0}', vscode.workspace.asRelativePath(saved)));
        return;
      }
      case 'openText':
        if (this.lastState?.type === 'state') {
          const r = this.lastState.state.rules;
          const language = backendFor(r.mode).language;
          await this.docs.show(`rules ${r.node} ${r.mode}.${language === 'nft' ? 'nft' : 'rules'}`, r.text, language);
        }
        return;
      case 'copy':
        await vscode.env.clipboard.writeText(m.text);
        return;
    }
  }

  dispose(): void {
    clearTimeout(this.timer);
    if (PreviewPanel.current === this) PreviewPanel.current = undefined;
    for (const d of this.disposables) d.dispose();
    this.panel.dispose();
  }
}
