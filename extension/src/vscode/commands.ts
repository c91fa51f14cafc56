// The command palette entries: "Trace Packet..." and "Preview Rules".
import * as vscode from 'vscode';
import type { ServiceEntry } from '../engine/model/cluster';
import { entryChoices, requestFor, sourceChoices } from '../engine/walk/choices';
import { formatWalk } from '../engine/walk/format';
import { Walker, type WalkResult } from '../engine/walk/walk';
import { generateIptables } from '../engine/proxy/iptables/generator';
import type { GeneratedDocuments } from './documents';
import type { Session } from './session';

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

export async function tracePacket(session: Session, docs: GeneratedDocuments, args: TraceArgs = {}): Promise<WalkResult | undefined> {
  const { services } = await servicesOf(session, args.uri ? vscode.Uri.parse(args.uri) : undefined);
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
  const sources = sourceChoices(model, service, portIndex);
  const source = args.source ? sources.find(s => s.id === args.source) : await pick(sources, vscode.l10n.t('Where does the connection come from?'));
  const entries = entryChoices(model, service, portIndex);
  const entry = args.entry ? entries.find(e => e.id === args.entry) : source && await pick(entries, vscode.l10n.t('Which address does it connect to?'));
  if (!source || !entry) {
    if (args.source || args.entry) void vscode.window.showErrorMessage(!source ? vscode.l10n.t('NAT Lens: unknown source "{0}"', String(args.source)) : vscode.l10n.t('NAT Lens: unknown entry "{0}"', String(args.entry)));
    return undefined;
  }
  const port = service.ports[portIndex]!;
  const result = new Walker(model).trace(requestFor(source, entry, port.info.protocol.toLowerCase() as 'tcp'));
  await docs.show(`trace ${service.obj.namespace}-${service.obj.name}.txt`, `# ${source.label} -> ${entry.label}\n${formatWalk(result)}`, 'plaintext');
  return result;
}

export async function previewRules(session: Session, docs: GeneratedDocuments, args: { uri?: string; node?: string } = {}): Promise<string | undefined> {
  const model = await session.model();
  const { services } = await servicesOf(session, args.uri ? vscode.Uri.parse(args.uri) : undefined);
  if (services.length === 0) {
    void vscode.window.showInformationMessage(vscode.l10n.t('NAT Lens: no Service in this file.'));
    return undefined;
  }
  const nodeName = args.node ?? model.profile.nodeName;
  const onlyThese = { ...model, services };
  const ruleset = generateIptables(onlyThese, { nodeName });
  const header = `# iptables-restore payload kube-proxy writes on ${nodeName} for ${services.map(s => `${s.obj.namespace}/${s.obj.name}`).join(', ')}\n`;
  await docs.show(`rules ${nodeName}.rules`, header + ruleset.payload, 'iptables');
  return ruleset.payload;
}
