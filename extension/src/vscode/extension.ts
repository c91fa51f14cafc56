// Wires NAT Lens into VS Code: one session, the providers and the commands. Logic lives in the engine.
import * as vscode from 'vscode';
import { Session } from './session';
import { GeneratedDocuments, SCHEME } from './documents';
import { previewRules, tracePacket, type TraceArgs } from './commands';
import { CodeActions, Diagnostics, HoverProvider, Lenses } from './providers';

const MANIFESTS: vscode.DocumentSelector = [{ language: 'yaml' }, { language: 'json' }, { language: 'jsonc' }];

export function activate(context: vscode.ExtensionContext): void {
  const session = new Session();
  const docs = new GeneratedDocuments();
  const diagnostics = new Diagnostics(session, context.extensionUri);
  context.subscriptions.push(
    session,
    docs,
    diagnostics,
    vscode.workspace.registerTextDocumentContentProvider(SCHEME, docs),
    vscode.languages.registerHoverProvider(MANIFESTS, new HoverProvider(session)),
    vscode.languages.registerCodeActionsProvider(MANIFESTS, new CodeActions(session, diagnostics, context.extensionUri), { providedCodeActionKinds: CodeActions.kinds }),
    vscode.languages.registerCodeLensProvider(MANIFESTS, new Lenses(session)),
    vscode.commands.registerCommand('natlens.tracePacket', (args?: TraceArgs) => tracePacket(session, docs, args)),
    vscode.commands.registerCommand('natlens.previewRules', (args?: { uri?: string; node?: string }) => previewRules(session, docs, args)),
  );
}

export function deactivate(): void {}
