// Diagnostics, hovers, code actions and CodeLenses: thin adapters from the engine's findings.
import * as vscode from 'vscode';
import { inertMarkdown } from './markdown';
import { analyzeFile, disableForLineEdit, FindingsCache, policyRefactors, type Finding } from '../engine/findings/analyze';
import { RULE_IDS, type FindingSeverity, type RuleId } from '../engine/findings/catalog';
import { hoverAt } from '../engine/findings/hover';
import { egressHoverAt } from '../engine/egress/hover';
import { serviceLenses } from '../engine/findings/codelens';
import { editorMessages } from './language';
import { ofKind } from '../engine/manifest/manifest';
import { notModelledProblem } from '../engine/model/isolate';
import { problemMessage } from '../engine/manifest/problemMessage';
import { liveDifferences } from '../engine/snapshot/drift';
import { snapshotAge } from './cluster';
import { commandUri, toRange, toSeverity, toWorkspaceEdit } from './convert';
import { hasForeignEncoding, isManifestDocument, type Session } from './session';

const DEBOUNCE_MS = 250;

/** The catalog ships inside the extension, so the documentation link works offline. */
export function docsUri(extensionUri: vscode.Uri, rule: string): vscode.Uri {
  return vscode.Uri.joinPath(extensionUri, 'docs', 'diagnostics.md').with({ fragment: rule });
}

function enabled(doc?: vscode.TextDocument): boolean {
  return vscode.workspace.getConfiguration('natlens', doc?.uri).get<boolean>('enable', true);
}

function severities(doc: vscode.TextDocument): Partial<Record<RuleId, FindingSeverity | 'off'>> {
  const raw = vscode.workspace.getConfiguration('natlens', doc.uri).get<Record<string, string>>('severity') ?? {};
  const out: Partial<Record<RuleId, FindingSeverity | 'off'>> = {};
  for (const [id, level] of Object.entries(raw)) {
    if ((RULE_IDS as string[]).includes(id) && ['error', 'warning', 'information', 'hint', 'off'].includes(level)) out[id as RuleId] = level as FindingSeverity | 'off';
  }
  return out;
}

/** Only documents that hold a Service cost anything. */
function hasService(session: Session, doc: vscode.TextDocument): boolean {
  return isManifestDocument(doc) && /\bkind\W+Service\b/.test(doc.getText()) && ofKind(session.file(doc).objects, 'Service').length > 0;
}

/** Documents with something to diagnose: a Service, or a NetworkPolicy (whose ipBlocks meet SNAT). */
function analysable(session: Session, doc: vscode.TextDocument): boolean {
  return hasService(session, doc)
    || (isManifestDocument(doc) && /\bkind\W+NetworkPolicy\b/.test(doc.getText()) && ofKind(session.file(doc).objects, 'NetworkPolicy').length > 0);
}

export class Diagnostics implements vscode.Disposable {
  readonly collection = vscode.languages.createDiagnosticCollection('natlens');
  private readonly findings = new Map<string, Finding[]>();
  private readonly caches = new Map<string, FindingsCache>();
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly session: Session, private readonly extensionUri: vscode.Uri) {
    this.disposables.push(
      this.collection,
      vscode.workspace.onDidOpenTextDocument(doc => this.schedule(doc, 0)),
      vscode.workspace.onDidCloseTextDocument(doc => {
        this.collection.delete(doc.uri);
        this.findings.delete(doc.uri.toString());
        this.caches.delete(doc.uri.toString());
      }),
      // any change (this file, another manifest, the profile, the settings) can change any Service's findings
      session.onDidChange(() => { for (const doc of vscode.workspace.textDocuments) this.schedule(doc, DEBOUNCE_MS); }),
    );
    for (const doc of vscode.workspace.textDocuments) this.schedule(doc, 0);
  }

  findingsFor(uri: vscode.Uri): Finding[] {
    return this.findings.get(uri.toString()) ?? [];
  }

  private schedule(doc: vscode.TextDocument, delay: number): void {
    if (!isManifestDocument(doc)) return;
    const key = doc.uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.set(key, setTimeout(() => { this.timers.delete(key); void this.update(doc); }, delay));
  }

  private async update(doc: vscode.TextDocument): Promise<void> {
    if (doc.isClosed) return;
    // a UTF-16 file read as UTF-8 holds no "kind: Service" to find, and still needs its one message;
    // so does a file whose objects (of any kind) the workspace model had to leave out
    let relevant = enabled(doc) && (analysable(this.session, doc) || hasForeignEncoding(doc));
    if (!relevant && enabled(doc) && /\bkind\b/.test(doc.getText())) {
      await this.session.ensureWorkspaceIndex();
      await this.session.model();
      relevant = this.session.excludedFrom(doc).length > 0;
    }
    if (!relevant) {
      this.collection.delete(doc.uri);
      this.findings.delete(doc.uri.toString());
      return;
    }
    await this.session.ensureWorkspaceIndex();
    const model = await this.session.model();
    const file = this.session.file(doc);
    let findings: Finding[];
    try {
      const key = doc.uri.toString();
      const cache = this.caches.get(key) ?? this.caches.set(key, new FindingsCache()).get(key)!;
      findings = analyzeFile(file, model, { severities: severities(doc), workspace: this.session.manifestFiles(), messages: editorMessages() }, cache);
    } catch (e) {
      findings = [];
      console.error(`natlens: analysing ${doc.uri.fsPath} failed`, e);
    }
    this.findings.set(doc.uri.toString(), findings);
    const live = this.session.live;
    this.collection.set(doc.uri, [
      ...file.problems.filter(p => p.severity !== 'info').map(p => {
        const d = new vscode.Diagnostic(toRange(p.range), problemMessage(p, editorMessages()), p.severity === 'error' ? vscode.DiagnosticSeverity.Error : vscode.DiagnosticSeverity.Warning);
        d.source = 'natlens';
        d.code = p.code;
        return d;
      }),
      // objects the workspace model had to leave out, at their place, with what failed
      ...this.session.excludedFrom(doc).map(notModelledProblem).map(p => {
        const d = new vscode.Diagnostic(toRange(p.range), p.message, vscode.DiagnosticSeverity.Error);
        d.source = 'natlens';
        d.code = p.code;
        return d;
      }),
      ...findings.map(f => {
        const d = new vscode.Diagnostic(toRange(f.range), live ? vscode.l10n.t('in cluster {0}: {1}', live.name, f.message) : f.message, toSeverity(f.severity));
        d.source = 'natlens';
        d.code = { value: f.rule, target: docsUri(this.extensionUri, f.rule) };
        return d;
      }),
      // the files cannot prove which side is right: information, whatever the difference
      ...(live ? liveDifferences(file.objects, live.services) : []).map(x => {
        const d = new vscode.Diagnostic(toRange(x.range), vscode.l10n.t('In cluster {0} (snapshot {1}), {2} of Service {3} is {4}; this file says {5}.', live!.name, snapshotAge(live!.takenAt), x.field, x.service, x.live, x.manifest), vscode.DiagnosticSeverity.Information);
        d.source = 'natlens';
        d.code = 'live-differs';
        return d;
      }),
    ]);
  }

  dispose(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    for (const d of this.disposables) d.dispose();
  }
}

export class HoverProvider implements vscode.HoverProvider {
  constructor(private readonly session: Session) {}

  async provideHover(doc: vscode.TextDocument, position: vscode.Position): Promise<vscode.Hover | null> {
    if (!enabled(doc) || !isManifestDocument(doc)) return null;
    await this.session.ensureWorkspaceIndex();
    const model = await this.session.model();
    const file = this.session.file(doc);
    const offset = doc.offsetAt(position);
    // a Service field, else a CNI object's masquerade setting (Calico IPPool, ip-masq-agent, aws-node, ...)
    const content = (hasService(this.session, doc) ? hoverAt(file, offset, model, editorMessages()) : null)
      ?? egressHoverAt(file, offset, { profile: model.profile, cni: model.profile.cni, files: this.session.manifestFiles() });
    if (!content) return null;
    const md = new vscode.MarkdownString(undefined, true);
    md.isTrusted = { enabledCommands: ['natlens.previewRules', 'natlens.tracePacket', 'natlens.debugCommands'] };
    const live = this.session.live;
    if (live) md.appendMarkdown(`*${escape(vscode.l10n.t('In cluster {0} (snapshot {1}):', live.name, snapshotAge(live.takenAt)))}*\n\n`);
    md.appendMarkdown(`**${escape(content.summary)}**\n\n`);
    for (const p of content.details) md.appendMarkdown(`${inertMarkdown(p)}\n\n`);
    // the engine's links are intents; the extension maps them to its commands, icons and translated labels
    const link = {
      previewRules: { command: 'natlens.previewRules', icon: 'open-preview', label: vscode.l10n.t('Preview rules') },
      tracePacket: { command: 'natlens.tracePacket', icon: 'debug-step-over', label: vscode.l10n.t('Trace a packet') },
      debugCommands: { command: 'natlens.debugCommands', icon: 'terminal', label: vscode.l10n.t('Commands to check it on a node') },
    } as const;
    md.appendMarkdown(content.links.map(l => `[$(${link[l.intent].icon}) ${link[l.intent].label}](${commandUri(link[l.intent].command, { ...l.args, uri: doc.uri.toString() })})`).join(' · '));
    return new vscode.Hover(md, toRange(content.range));
  }
}

function escape(text: string): string {
  return text.replace(/[\\`*_{}[\]<>|]/g, m => `\\${m}`);
}

export class CodeActions implements vscode.CodeActionProvider {
  static readonly kinds = [vscode.CodeActionKind.QuickFix, vscode.CodeActionKind.RefactorRewrite];

  constructor(private readonly session: Session, private readonly diagnostics: Diagnostics, private readonly extensionUri: vscode.Uri) {}

  provideCodeActions(doc: vscode.TextDocument, range: vscode.Range | vscode.Selection, context: vscode.CodeActionContext): vscode.CodeAction[] {
    if (!enabled(doc) || !analysable(this.session, doc)) return [];
    const file = this.session.file(doc);
    const actions: vscode.CodeAction[] = [];
    const wants = (kind: vscode.CodeActionKind) => !context.only || context.only.contains(kind) || kind.contains(context.only);
    for (const f of this.diagnostics.findingsFor(doc.uri)) {
      const fr = toRange(f.range);
      if (!fr.intersection(range) && !context.diagnostics.some(d => d.range.isEqual(fr))) continue;
      const diagnostic = context.diagnostics.find(d => d.range.isEqual(fr) && (d.code as { value?: string } | undefined)?.value === f.rule);
      if (!wants(vscode.CodeActionKind.QuickFix)) continue;
      for (const fix of f.fixes) {
        const a = new vscode.CodeAction(fix.title, vscode.CodeActionKind.QuickFix);
        a.edit = toWorkspaceEdit(doc.uri, fix.edits);
        a.isPreferred = fix.preferred;
        if (diagnostic) a.diagnostics = [diagnostic];
        actions.push(a);
      }
      const disable = new vscode.CodeAction(vscode.l10n.t('Disable {0} for this line', f.rule), vscode.CodeActionKind.QuickFix);
      disable.edit = toWorkspaceEdit(doc.uri, [disableForLineEdit(file, f.range.start.line, f.rule)]);
      if (diagnostic) disable.diagnostics = [diagnostic];
      actions.push(disable);
      const docs = new vscode.CodeAction(vscode.l10n.t('Show documentation for {0}', f.rule), vscode.CodeActionKind.QuickFix);
      docs.command = { command: 'markdown.showPreview', title: vscode.l10n.t('Show documentation'), arguments: [docsUri(this.extensionUri, f.rule)] };
      actions.push(docs);
    }
    if (wants(vscode.CodeActionKind.RefactorRewrite)) {
      const offset = doc.offsetAt(range.start);
      for (const obj of ofKind(file.objects, 'Service')) {
        if (offset < obj.range.start.offset || offset > obj.range.end.offset) continue;
        for (const fix of policyRefactors(obj)) {
          const a = new vscode.CodeAction(fix.title, vscode.CodeActionKind.RefactorRewrite);
          a.edit = toWorkspaceEdit(doc.uri, fix.edits);
          actions.push(a);
        }
      }
    }
    return actions;
  }
}

export class Lenses implements vscode.CodeLensProvider {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;
  /** Per document: a lens is computed again only when its Service or what it depends on changed. */
  private readonly caches = new Map<string, FindingsCache>();

  constructor(private readonly session: Session) {
    session.onDidChange(() => this.changed.fire());
    vscode.workspace.onDidCloseTextDocument(doc => this.caches.delete(doc.uri.toString()));
  }

  async provideCodeLenses(doc: vscode.TextDocument): Promise<vscode.CodeLens[]> {
    if (!enabled(doc) || !hasService(this.session, doc)) return [];
    await this.session.ensureWorkspaceIndex();
    const model = await this.session.model();
    const key = doc.uri.toString();
    const cache = this.caches.get(key) ?? this.caches.set(key, new FindingsCache()).get(key)!;
    return serviceLenses(this.session.file(doc), model, cache, editorMessages()).flatMap(l => [
      new vscode.CodeLens(toRange(l.range), { title: l.title, command: 'natlens.previewRules', arguments: [{ uri: doc.uri.toString() }] }),
      new vscode.CodeLens(toRange(l.range), { title: vscode.l10n.t('Trace a packet'), command: 'natlens.tracePacket', arguments: [{ uri: doc.uri.toString(), service: l.service }] }),
    ]);
  }
}
