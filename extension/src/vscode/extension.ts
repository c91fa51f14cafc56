// Wires NAT Lens into VS Code: a session, the generated-document provider and the commands.
// Everything else lives in the engine.
import * as vscode from 'vscode';
import { Session } from './session';
import { GeneratedDocuments, SCHEME } from './documents';
import { previewRules, tracePacket, type TraceArgs } from './commands';

export function activate(context: vscode.ExtensionContext): void {
  const session = new Session();
  const docs = new GeneratedDocuments();
  context.subscriptions.push(
    session,
    docs,
    vscode.workspace.registerTextDocumentContentProvider(SCHEME, docs),
    vscode.commands.registerCommand('natlens.tracePacket', (args?: TraceArgs) => tracePacket(session, docs, args)),
    vscode.commands.registerCommand('natlens.previewRules', (args?: { uri?: string; node?: string }) => previewRules(session, docs, args)),
  );
}

export function deactivate(): void {}
