// Wires NAT Lens into VS Code: one session, the providers and the commands. Logic lives in the engine.
import * as vscode from 'vscode';
import { Session } from './session';
import { GeneratedDocuments, SCHEME } from './documents';
import { previewRules, showDebugCommands, tracePacket, type TraceArgs } from './commands';
import { CodeActions, Diagnostics, HoverProvider, Lenses } from './providers';
import { PREVIEW_VIEW_TYPE, PreviewPanel } from './preview';
import { registerNodeDumps } from './nodeDumps';
import { ClusterConnection, type ConnectArgs } from './cluster';

const MANIFESTS: vscode.DocumentSelector = [{ language: 'yaml' }, { language: 'json' }, { language: 'jsonc' }];

/** What the extension exposes to other extensions and to its own tests. */
export interface NatLensApi {
  /** The last message the preview panel sent to its webview, if a preview is open. */
  previewState(): unknown;
  /** The connected cluster's status bar text, if connected. */
  clusterStatus(): string | undefined;
}

export function activate(context: vscode.ExtensionContext): NatLensApi {
  const session = new Session();
  const docs = new GeneratedDocuments();
  const diagnostics = new Diagnostics(session, context.extensionUri);
  const cluster = new ClusterConnection(session);
  context.subscriptions.push(
    cluster,
    session,
    docs,
    diagnostics,
    vscode.workspace.registerTextDocumentContentProvider(SCHEME, docs),
    vscode.languages.registerHoverProvider(MANIFESTS, new HoverProvider(session)),
    vscode.languages.registerCodeActionsProvider(MANIFESTS, new CodeActions(session, diagnostics, context.extensionUri), { providedCodeActionKinds: CodeActions.kinds }),
    vscode.languages.registerCodeLensProvider(MANIFESTS, new Lenses(session)),
    vscode.commands.registerCommand('natlens.tracePacket', (args?: TraceArgs) => tracePacket(session, docs, context.extensionUri, args)),
    vscode.commands.registerCommand('natlens.previewRules', (args?: { uri?: string; node?: string; service?: string }) => previewRules(session, docs, context.extensionUri, args)),
    vscode.commands.registerCommand('natlens.debugCommands', (args?: { uri?: string; service?: string }) => showDebugCommands(session, docs, args)),
    registerNodeDumps(docs, session),
    vscode.commands.registerCommand('natlens.connectCluster', (args?: ConnectArgs) => cluster.connect(args)),
    vscode.commands.registerCommand('natlens.refreshCluster', () => cluster.refresh()),
    vscode.commands.registerCommand('natlens.disconnectCluster', () => cluster.disconnect()),
    vscode.window.registerWebviewPanelSerializer(PREVIEW_VIEW_TYPE, {
      deserializeWebviewPanel: async (panel, state) => PreviewPanel.revive(panel, session, docs, context.extensionUri, state),
    }),
  );
  return { previewState: () => PreviewPanel.active?.lastState, clusterStatus: () => cluster.statusText() };
}

export function deactivate(): void {}
