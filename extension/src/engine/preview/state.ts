// Builds the data the preview webview shows, from the engine: rules for a node and mode, the trace
// choices, a walk, the debug commands, the assumptions. Pure: the extension host sends the result
// as a message.
import type { ClusterModel, PortEntry, ServiceEntry } from '../model/cluster';
import { debugCommands, formatDebugText } from '../debug';
import { withProxyMode, type ClusterProfile } from '../model/profile';
import { backendFor, type RulesText } from '../proxy/backends';
import { entryChoices, requestFor, sourceChoices } from '../walk/choices';
import { Walker, describeWalk, type WalkResult } from '../walk/walk';
import { describeEffects } from '../walk/effects';
import { english, type Messages } from '../i18n';
import type { DebugView, PreviewState, ProxyMode, RulesFormat, RulesView, WalkView } from '../../../../protocol/preview';
import { assumptionReason } from '../model/assumptions';

export interface PreviewSelection {
  /** "namespace/name", or null for every Service of the file. */
  readonly service: string | null;
  readonly port: number;
  readonly node: string;
  readonly mode: ProxyMode;
  readonly format: RulesFormat;
  readonly trace: { source: string; entry: string } | null;
}

export interface PreviewInput {
  readonly fileName: string;
  /** The Services of the previewed file. */
  readonly services: readonly ServiceEntry[];
  readonly model: ClusterModel;
  readonly profileSource: string;
  readonly problems: readonly string[];
  /** The CNI's egress decision, for walks that leave the cluster. */
  readonly egress?: ConstructorParameters<typeof Walker>[3];
  /** The language of the walk's words (default English). */
  readonly messages?: Messages;
}

// A preview is rebuilt on every selection change (node, format, trace) of an unchanged model: the
// shown model, its rules text and its walker are kept per model, so that the rules are generated and
// the facts walked once, not on every rebuild (10,000 endpoints: seconds each time).
const shownModels = new WeakMap<ClusterModel, Map<string, ClusterModel>>();
const rulesTexts = new WeakMap<ClusterModel, Map<string, RulesText>>();
const walkers = new WeakMap<ClusterModel, { egress: PreviewInput['egress']; walker: Walker }>();

function kept<K extends object, V>(map: WeakMap<K, Map<string, V>>, owner: K, key: string, make: () => V): V {
  let perOwner = map.get(owner);
  if (!perOwner) map.set(owner, (perOwner = new Map()));
  let value = perOwner.get(key);
  if (value === undefined) perOwner.set(key, (value = make()));
  return value;
}

/** The model the preview shows: the selected Services, read by kube-proxy in the selected mode. */
function shownModel(input: PreviewInput, selection: PreviewSelection): ClusterModel {
  const services = selection.service ? input.services.filter(s => key(s) === selection.service) : input.services;
  // the entries are the model's own objects: the same keys name the same Services
  return kept(shownModels, input.model, `${selection.mode}\u0000${services.map(key).join('\u0000')}`,
    () => ({ ...input.model, services, profile: withProxyMode(input.model.profile, selection.mode) }));
}

function previewWalker(model: ClusterModel, input: PreviewInput): Walker {
  let found = walkers.get(model);
  if (!found || found.egress !== input.egress) walkers.set(model, (found = { egress: input.egress, walker: new Walker(model, new Map(), model.profile.proxyMode, input.egress) }));
  return found.walker;
}

const key = (s: ServiceEntry) => `${s.obj.namespace}/${s.obj.name}`;
const portLabel = (p: PortEntry) => `${p.info.portName || '(unnamed)'} ${p.info.port}/${p.info.protocol}`;

/** The pane's format where the mode has it (iptables' restore and save), else the mode's default text. */
function shownFormat(selection: PreviewSelection): string | null {
  return backendFor(selection.mode).formats.includes(selection.format) ? selection.format : null;
}

function rulesText(model: ClusterModel, selection: PreviewSelection): RulesText {
  const format = shownFormat(selection) ?? undefined;
  return kept(rulesTexts, model, `${selection.node}\u0000${format ?? ''}`, () => backendFor(selection.mode).rulesText(model, selection.node, format));
}

function rulesView(text: RulesText, selection: PreviewSelection): RulesView {
  return {
    mode: selection.mode, format: shownFormat(selection) ? selection.format : 'restore', node: selection.node,
    text: text.text, lines: text.lines.map(l => ({ ...l })), chains: { ...text.chains },
  };
}

/** Hop lines of the selected node, placed in the text the pane shows. */
function lineMapper(text: RulesText, node: string): (hopLine: number | null, ruleText: string, hopNode: string) => number | null {
  return (line, ruleText, hopNode) => (hopNode === node ? text.hopLine(line, ruleText) : null);
}

function walkView(result: WalkResult, sourceId: string, entryId: string, labels: { source: string; entry: string }, mapLine: ReturnType<typeof lineMapper>, m: Messages): WalkView {
  const packet = (p: WalkResult['packet']) => ({ proto: p.proto, src: p.src, sport: p.sport, dst: p.dst, dport: p.dport });
  return {
    sourceId, entryId, sourceLabel: labels.source, entryLabel: labels.entry,
    packet: packet(result.packet), firstNode: result.firstNode, verdict: result.verdict,
    endpoints: result.endpoints.map(e => ({ ...e })), masquerade: result.masquerade, summary: describeWalk(result, m),
    outcomes: result.outcomes.map(o => ({
      probability: o.probability, verdict: o.verdict, endpoint: o.endpoint, endpointNode: o.endpointNode, natNode: o.natNode,
      masqueraded: o.masqueraded, snatAddress: o.snatAddress, sourceSeen: o.sourceSeen, delivered: m.walkDelivered(o.delivery), replyBroken: o.replyBroken,
      hops: o.hops.map(h => ({ node: h.node, hook: h.hook, table: h.table, chain: h.chain, line: mapLine(h.line, h.rule, h.node), rule: h.rule, action: describeEffects(h.effects, m), before: packet(h.before), after: packet(h.after) })),
      reply: o.reply.map(r => ({ node: r.node, description: m.walkReplyStep(r.what), packet: packet(r.packet) })),
    })),
  };
}

/** The commands that check `service`'s port on the selected node, as `natlens debug` lists them. */
function debugView(model: ClusterModel, service: ServiceEntry, port: PortEntry | undefined, selection: PreviewSelection, m: Messages): DebugView {
  // a port name is unique within its Service; an unnamed port is the Service's only one
  const commands = debugCommands(model, service, { nodeName: selection.node, proxyMode: selection.mode, messages: m, ...(port ? { port: port.info.portName || port.info.port } : {}) });
  const heading = m.debugHeading({ service: key(service), port: port ? portLabel(port) : null, node: selection.node, mode: selection.mode });
  return {
    service: key(service), port: port ? portLabel(port) : null, node: selection.node, mode: selection.mode,
    commands: commands.map(c => ({ title: c.title, command: c.command, lookFor: c.lookFor, where: c.where, runOn: c.runOn, expected: [...c.expected ?? []] })),
    text: formatDebugText(commands, { heading, messages: m }),
  };
}

export function buildPreviewState(input: PreviewInput, selection: PreviewSelection): PreviewState {
  const model = shownModel(input, selection);
  const profile: ClusterProfile = model.profile;
  const shown = rulesText(model, selection);
  const rules = rulesView(shown, selection);
  const focus = (selection.service ? input.services.find(s => key(s) === selection.service) : undefined) ?? input.services.find(s => s.ports.length > 0);
  const portIndex = focus && selection.port < focus.ports.length ? selection.port : 0;
  const sources = focus && focus.ports.length ? sourceChoices(input.model, focus, portIndex, input.messages ?? english) : [];
  const entries = focus && focus.ports.length ? entryChoices(input.model, focus, portIndex, input.messages ?? english) : [];
  const problems = [...input.problems];
  let walk: WalkView | null = null;
  if (selection.trace && focus && focus.ports.length) {
    const source = sources.find(s => s.id === selection.trace!.source);
    const entry = entries.find(e => e.id === selection.trace!.entry);
    if (source && entry) {
      const walker = previewWalker(model, input);
      const result = walker.trace(requestFor(source, entry, focus.ports[portIndex]!.info.protocol.toLowerCase() as 'tcp'));
      walk = walkView(result, source.id, entry.id, { source: source.label, entry: entry.label }, lineMapper(shown, selection.node), input.messages ?? english);
    }
  }
  // a file of headless or ExternalName Services has no port to select, but still commands to run
  const checked = focus ?? input.services[0];
  return {
    locale: (input.messages ?? english).locale(),
    fileName: input.fileName,
    services: input.services.map(s => ({ key: key(s), ports: s.ports.map((p, i) => ({ index: i, label: portLabel(p) })) })),
    selectedService: selection.service,
    selectedPort: portIndex,
    profile: {
      source: input.profileSource, proxyMode: selection.mode, nodeName: profile.nodeName, clusterCIDR: profile.clusterCIDR,
      masqueradeAll: profile.masqueradeAll, localhostNodePorts: profile.localhostNodePorts, iptablesRandomFully: profile.iptablesRandomFully,
      nodes: profile.nodes.map(n => ({ name: n.name, ips: [...n.ips], podCIDR: n.podCIDR, podGateway: n.podGateway })),
    },
    rules, sources: sources.map(({ id, label, detail }) => ({ id, label, detail })), entries: entries.map(({ id, label, detail }) => ({ id, label, detail })),
    walk,
    debug: checked ? debugView(model, checked, checked.ports[portIndex], selection, input.messages ?? english) : null,
    assumptions: input.model.assumptions.filter(a => input.services.some(s => a.subject === key(s))).map(a => ({ subject: a.subject, field: a.field, value: a.value, reason: assumptionReason(a, input.messages ?? english) })),
    problems,
  };
}
