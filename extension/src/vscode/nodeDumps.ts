// Node dumps in the editor: a document recognised as one by its content gets the iptables grammar,
// hovers on its rules, a CodeLens per Service, and "Trace Packet on this node". The engine
// (engine/node) reads the dump and renders every sentence; this module only wires VS Code.
import * as vscode from 'vscode';
import { parseNodeDump, type NodeDump } from '../engine/node/dump';
import { dumpDiffLenses, dumpHover, dumpLenses, dumpSourceChoices, isNodeDump, lensPacket } from '../engine/node/editor';
import { formatNodeTrace } from '../engine/node/format';
import { traceNode } from '../engine/node/trace';
import type { NodeTraceReport } from '../engine/node/report';
import { SCHEME, type GeneratedDocuments } from './documents';
import { compareWithPrediction, DiffNotes, type CompareArgs } from './nodeDiff';
import type { Session } from './session';

export const DUMP_LANGUAGE = 'iptables';
const CANDIDATE_LANGUAGES = new Set(['plaintext', 'log', 'shellscript', DUMP_LANGUAGE]);

/** Parsed dumps by document version: hovers and lenses on one version parse it once. */
class DumpCache {
  private readonly cache = new Map<string, { version: number; dump: NodeDump }>();

  of(doc: vscode.TextDocument): NodeDump {
    const key = doc.uri.toString();
    const hit = this.cache.get(key);
    if (hit && hit.version === doc.version) return hit.dump;
    const dump = parseNodeDump(doc.getText());
    this.cache.set(key, { version: doc.version, dump });
    return dump;
  }

  forget(doc: vscode.TextDocument): void {
    this.cache.delete(doc.uri.toString());
  }
}

/** Arguments of natlens.traceOnNode (from the CodeLens, links and tests); anything missing is asked for. */
export interface NodeTraceArgs {
  readonly uri?: string;
  readonly line?: number;
  /** An id of dumpSourceChoices: "external", "pod". */
  readonly source?: string;
}

export function registerNodeDumps(docs: GeneratedDocuments, session: Session): vscode.Disposable {
  const cache = new DumpCache();
  const notes = new DiffNotes();
  const recognise = async (doc: vscode.TextDocument) => {
    if (!CANDIDATE_LANGUAGES.has(doc.languageId) || doc.languageId === DUMP_LANGUAGE || doc.uri.scheme === 'natlens') return;
    if (isNodeDump(cache.of(doc), doc.getText())) await vscode.languages.setTextDocumentLanguage(doc, DUMP_LANGUAGE);
  };
  const selector: vscode.DocumentSelector = { language: DUMP_LANGUAGE };
  // lenses on the user's dumps, not on the documents NAT Lens renders (the diff's sides)
  const lensSelector: vscode.DocumentSelector = [{ language: DUMP_LANGUAGE, scheme: 'file' }, { language: DUMP_LANGUAGE, scheme: 'untitled' }];
  const lensesChanged = new vscode.EventEmitter<void>();
  for (const doc of vscode.workspace.textDocuments) void recognise(doc);
  return vscode.Disposable.from(
    lensesChanged,
    notes,
    vscode.languages.registerHoverProvider({ scheme: SCHEME }, notes),
    vscode.workspace.onDidOpenTextDocument(doc => void recognise(doc)),
    vscode.workspace.onDidCloseTextDocument(doc => cache.forget(doc)),
    vscode.workspace.onDidChangeTextDocument(() => lensesChanged.fire()),
    vscode.languages.registerHoverProvider(selector, {
      provideHover(doc, position) {
        const text = dumpHover(cache.of(doc), position.line);
        return text ? new vscode.Hover(new vscode.MarkdownString(text), doc.lineAt(position.line).range) : undefined;
      },
    }),
    vscode.languages.registerCodeLensProvider(lensSelector, {
      onDidChangeCodeLenses: lensesChanged.event,
      provideCodeLenses(doc) {
        const dump = cache.of(doc);
        return [
          ...dumpDiffLenses(dump).map(line => new vscode.CodeLens(doc.lineAt(line).range, {
            title: vscode.l10n.t('Compare with prediction'),
            command: 'natlens.compareWithPrediction',
            arguments: [{ uri: doc.uri.toString() } satisfies CompareArgs],
          })),
          ...dumpLenses(dump).map(l => new vscode.CodeLens(doc.lineAt(l.line).range, {
            title: vscode.l10n.t('Trace Packet on this node ({0})', l.service),
            command: 'natlens.traceOnNode',
            arguments: [{ uri: doc.uri.toString(), line: l.line } satisfies NodeTraceArgs],
          })),
        ];
      },
    }),
    vscode.commands.registerCommand('natlens.traceOnNode', (args?: NodeTraceArgs) => traceOnNode(cache, docs, args)),
    vscode.commands.registerCommand('natlens.compareWithPrediction', (args?: CompareArgs) => compareWithPrediction(session, docs, notes, doc => cache.of(doc), args)),
  );
}

async function traceOnNode(cache: DumpCache, docs: GeneratedDocuments, args: NodeTraceArgs = {}): Promise<NodeTraceReport | undefined> {
  const doc = args.uri ? await vscode.workspace.openTextDocument(vscode.Uri.parse(args.uri)) : vscode.window.activeTextEditor?.document;
  if (!doc) return undefined;
  const dump = cache.of(doc);
  const lenses = dumpLenses(dump);
  const line = args.line ?? vscode.window.activeTextEditor?.selection.active.line;
  const lens = lenses.find(l => l.line === line) ?? (await vscode.window.showQuickPick(lenses.map(l => ({ label: l.service, detail: `${l.dst}:${l.dport}/${l.proto}`, l })), { placeHolder: vscode.l10n.t('Service to trace') }))?.l;
  if (!lens) return undefined;
  const sources = dumpSourceChoices(dump);
  const source = args.source ? sources.find(s => s.id === args.source)
    : (await vscode.window.showQuickPick(sources.map(s => ({ label: s.label, s })), { placeHolder: vscode.l10n.t('Where does the connection come from?') }))?.s;
  if (!source) return undefined;
  const report = traceNode(dump, lensPacket(lens, source), { table: 'nat', chain: 'KUBE-SERVICES' });
  await docs.show(`trace on node ${lens.service.replace(/[/:]/g, '-')}.txt`, formatNodeTrace(report), 'plaintext');
  return report;
}
