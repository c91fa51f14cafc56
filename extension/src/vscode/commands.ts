// The command palette entries: "Trace Packet..." and "Preview Rules".
import * as vscode from 'vscode';
import type { ServiceEntry } from '../engine/model/cluster';
import { entryChoices, requestFor, sourceChoices } from '../engine/walk/choices';
import { walkerFor, type WalkResult } from '../engine/walk/walk';
import { PreviewPanel } from './preview';
import { debugCommands, formatDebugText } from '../engine/debug';
import { egressDeciderFor } from '../engine/egress';
import type { GeneratedDocuments } from './documents';
import type { Session } from './session';
import { editorMessages } from './language';

/** Arguments the command accepts from links and tests; anything missing is asked for. */
export interface TraceArgs {
  readonly uri?: string;
  /** "namespace/name" */
  readonly service?: string;
  readonly portIndex?: number;
  /** An id from sourceChoices / entryChoices, e.g. "external", "pod:node-a", "nodePort:node-b". */
  readonly source?: string;
  readonly entry?: string;
}

async function servicesOf(session: Session, uri: vscode.Uri | undefined): Promise<{ services: ServiceEntry[]; uri?: vscode.Uri }> {
  const target = uri ?? vscode.window.activeTextEditor?.document.uri;
  await session.ensureWorkspaceIndex();
  const model = await session.model();
  if (!target) return { services: [...model.services] };
  const file = target.fsPath || target.toString();
  return { services: model.services.filter(s => s.obj.fileName === file), uri: target };
}

async function pick<T extends { label: string; detail?: string }>(items: readonly T[], placeHolder: string): Promise<T | undefined> {
  if (items.length === 1) return items[0];
  return vscode.window.showQuickPick(items, { placeHolder, matchOnDetail: true, ignoreFocusOut: true });
}

export async function tracePacket(session: Session, docs: GeneratedDocuments, extensionUri: vscode.Uri, args: TraceArgs = {}): Promise<WalkResult | undefined> {
  const { services, uri } = await servicesOf(session, args.uri ? vscode.Uri.parse(args.uri) : undefined);
  const proxied = services.filter(s => s.ports.length > 0);
  if (proxied.length === 0) {
    void vscode.window.showInformationMessage(services.length
      ? vscode.l10n.t('NAT Lens: the Services in this file get no kube-proxy rules (headless, ExternalName, or no ClusterIP).')
      : vscode.l10n.t('NAT Lens: no Service in this file to trace.'));
    return undefined;
  }
  const service = args.service
    ? proxied.find(s => `${s.obj.namespace}/${s.obj.name}` === args.service)
    : (await pick(proxied.map(s => ({ label: `${s.obj.namespace}/${s.obj.name}`, detail: s.service.spec?.type ?? 'ClusterIP', s })), vscode.l10n.t('Service to trace')))?.s;
  if (!service) return undefined;
  const portIndex = args.portIndex ?? (await pick(service.ports.map((p, i) => ({ label: `${p.info.portName || '(unnamed)'} ${p.info.port}/${p.info.protocol}`, detail: p.info.nodePort ? `nodePort ${p.info.nodePort}` : '', i })), vscode.l10n.t('Service port')))?.i;
  if (portIndex === undefined) return undefined;
  const model = await session.model();
  const sources = sourceChoices(model, service, portIndex, editorMessages());
  const source = args.source ? sources.find(s => s.id === args.source) : await pick(sources, vscode.l10n.t('Where does the connection come from?'));
  const entries = entryChoices(model, service, portIndex, editorMessages());
  const entry = args.entry ? entries.find(e => e.id === args.entry) : source && await pick(entries, vscode.l10n.t('Which address does it connect to?'));
  if (!source || !entry) {
    if (args.source || args.entry) void vscode.window.showErrorMessage(!source ? vscode.l10n.t('NAT Lens: unknown source "{0}"', String(args.source)) : vscode.l10n.t('NAT Lens: unknown entry "{0}"', String(args.entry)));
    return undefined;
  }
  const port = service.ports[portIndex]!;
  const result = walkerFor(model, egressDeciderFor(session.manifestFiles(), model.profile))
    .trace(requestFor(source, entry, port.info.protocol.toLowerCase() as 'tcp'));
  if (uri) await PreviewPanel.show(session, docs, extensionUri, uri, { service: `${service.obj.namespace}/${service.obj.name}`, port: portIndex, trace: { source: source.id, entry: entry.id } });
  return result;
}

/** Opens the preview beside the manifest; returns the rules it shows (for tests and links). */
export async function previewRules(session: Session, docs: GeneratedDocuments, extensionUri: vscode.Uri, args: { uri?: string; node?: string; service?: string } = {}): Promise<string | undefined> {
  const uri = args.uri ? vscode.Uri.parse(args.uri) : vscode.window.activeTextEditor?.document.uri;
  const { services } = await servicesOf(session, uri);
  if (!uri || services.length === 0) {
    void vscode.window.showInformationMessage(vscode.l10n.t('NAT Lens: no Service in this file.'));
    return undefined;
  }
  const shown = await PreviewPanel.show(session, docs, extensionUri, uri, { ...(args.node ? { node: args.node } : {}), ...(args.service ? { service: args.service } : {}) });
  const state = await shown.state;
  return state?.type === 'state' ? state.state.rules.text : undefined;
}

/** The commands that check a Service's prediction on a real node, in a read-only document. */
export async function showDebugCommands(session: Session, docs: GeneratedDocuments, args: { uri?: string; service?: string } = {}): Promise<string | undefined> {
  const { services } = await servicesOf(session, args.uri ? vscode.Uri.parse(args.uri) : undefined);
  const service = args.service ? services.find(s => `${s.obj.namespace}/${s.obj.name}` === args.service)
    : (await pick(services.map(s => ({ label: `${s.obj.namespace}/${s.obj.name}`, s })), vscode.l10n.t('Service to trace')))?.s;
  if (!service) return undefined;
  const model = await session.model();
  const m = editorMessages();
  const text = formatDebugText(debugCommands(model, service, { nodeName: model.profile.nodeName, proxyMode: model.profile.proxyMode, messages: m }),
    { heading: m.debugHeading({ service: `${service.obj.namespace}/${service.obj.name}`, port: null, node: model.profile.nodeName, mode: model.profile.proxyMode }), messages: m });
  await docs.show(`check ${service.obj.namespace}-${service.obj.name}.sh.txt`, text, 'plaintext');
  return text;
}
