// "Compare with prediction" on a node dump: a diff editor between the rules kube-proxy would write
// for the workspace's manifests and profile (left) and the node's own kube-proxy rules (right), both
// rendered by the engine in one form (engine/node/diff.ts diffView). Each missing, extra or
// different line carries the engine's one-line explanation, after the line and in its hover.
import * as vscode from 'vscode';
import { diffView, type DiffNote, type DiffView } from '../engine/node/diff';
import type { NodeDump } from '../engine/node/dump';
import { dumpNodeName } from '../engine/node/editor';
import type { GeneratedDocuments } from './documents';
import type { Session } from './session';

/** Arguments of natlens.compareWithPrediction (from the CodeLens and tests). */
export interface CompareArgs {
  readonly uri?: string;
  /** The profile node the dump is from; default: the prompt's host when it is a profile node, else the profile's nodeName. */
  readonly node?: string;
}

export interface CompareResult {
  readonly node: string;
  readonly left: string;
  readonly right: string;
  readonly view: DiffView;
}

const KIND_COLOR: Record<DiffNote['kind'], vscode.ThemeColor> = {
  missing: new vscode.ThemeColor('editorError.foreground'),
  extra: new vscode.ThemeColor('editorWarning.foreground'),
  different: new vscode.ThemeColor('editorInfo.foreground'),
};

/** Explanations of the open diff sides by URI, drawn after their lines and shown in their hovers. */
export class DiffNotes implements vscode.HoverProvider, vscode.Disposable {
  private readonly notes = new Map<string, readonly DiffNote[]>();
  private readonly decoration = vscode.window.createTextEditorDecorationType({ after: { margin: '0 0 0 2em', fontStyle: 'italic' } });
  private readonly subscription = vscode.window.onDidChangeVisibleTextEditors(editors => this.decorate(editors));

  set(uri: vscode.Uri, notes: readonly DiffNote[]): void {
    this.notes.set(uri.toString(), notes);
    this.decorate(vscode.window.visibleTextEditors);
  }

  decorate(editors: readonly vscode.TextEditor[]): void {
    for (const editor of editors) {
      const notes = this.notes.get(editor.document.uri.toString());
      if (!notes) continue;
      editor.setDecorations(this.decoration, notes.filter(n => n.line < editor.document.lineCount).map(n => ({
        range: editor.document.lineAt(n.line).range,
        renderOptions: { after: { contentText: `${n.kind}: ${n.explanation}`, color: KIND_COLOR[n.kind] } },
      })));
    }
  }

  provideHover(doc: vscode.TextDocument, position: vscode.Position): vscode.Hover | undefined {
    const here = this.notes.get(doc.uri.toString())?.filter(n => n.line === position.line) ?? [];
    if (!here.length) return undefined;
    const text = here.map(n => `**${n.kind}**${n.service ? ` (${n.service})` : ''}: ${n.explanation}`).join('\n\n');
    return new vscode.Hover(new vscode.MarkdownString(text), doc.lineAt(position.line).range);
  }

  dispose(): void {
    this.decoration.dispose();
    this.subscription.dispose();
  }
}

export async function compareWithPrediction(session: Session, docs: GeneratedDocuments, notes: DiffNotes, dumpOf: (doc: vscode.TextDocument) => NodeDump, args: CompareArgs = {}): Promise<CompareResult | undefined> {
  const doc = args.uri ? await vscode.workspace.openTextDocument(vscode.Uri.parse(args.uri)) : vscode.window.activeTextEditor?.document;
  if (!doc) return undefined;
  const dump = dumpOf(doc);
  if (dump.iptables.length === 0) {
    void vscode.window.showInformationMessage(vscode.l10n.t('NAT Lens: this dump has no iptables rules to compare.'));
    return undefined;
  }
  await session.ensureWorkspaceIndex();
  const model = await session.model();
  const nodes = model.profile.nodes.map(n => n.name);
  const node = args.node ?? dumpNodeName(dump, nodes, model.profile.nodeName);
  if (!nodes.includes(node)) {
    void vscode.window.showErrorMessage(vscode.l10n.t('NAT Lens: node {0} is not in the cluster profile ({1}).', node, nodes.join(', ')));
    return undefined;
  }
  const view = diffView(dump, model, node);
  const base = doc.uri.path.replace(/^.*\//, '');
  const left = docs.put(`prediction/${node}/${base}`, view.predicted.text);
  const right = docs.put(`node/${node}/${base}`, view.node.text);
  for (const uri of [left, right]) {
    const opened = await vscode.workspace.openTextDocument(uri);
    if (opened.languageId !== 'iptables') await vscode.languages.setTextDocumentLanguage(opened, 'iptables');
  }
  notes.set(left, view.predicted.notes);
  notes.set(right, view.node.notes);
  await vscode.commands.executeCommand('vscode.diff', left, right, vscode.l10n.t('{0}: predicted for {1} ↔ on the node', base, node), { preview: false });
  notes.decorate(vscode.window.visibleTextEditors);
  return { node, left: left.toString(), right: right.toString(), view };
}
