// Builds the data the preview webview shows, from the engine: rules for a node and mode, the trace
// choices, a walk, the debug commands, the assumptions. Pure: the extension host sends the result
// as a message.
import type { ClusterModel, PortEntry, ServiceEntry } from '../model/cluster';
import { debugCommands, formatDebugText } from '../debug';
import { withProxyMode, type ClusterProfile } from '../model/profile';
import { generateIptables } from '../proxy/iptables/generator';
import { toIptablesSave, formatRule } from '../proxy/iptables/save';
import { parseRule } from '../proxy/iptables/ruleParser';
import { generateNftables } from '../proxy/nftables/generator';
import { generateIpvs } from '../proxy/ipvs';
import { entryChoices, requestFor, sourceChoices } from '../walk/choices';
import { Walker, type WalkResult } from '../walk/walk';
import type { DebugView, PreviewState, ProxyMode, RulesFormat, RulesView, WalkView } from '../../../../protocol/preview';

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
}

/** The model the preview shows: the selected Services, read by kube-proxy in the selected mode. */
function shownModel(input: PreviewInput, selection: PreviewSelection): ClusterModel {
  const services = selection.service ? input.services.filter(s => key(s) === selection.service) : input.services;
  return { ...input.model, services, profile: withProxyMode(input.model.profile, selection.mode) };
}

const key = (s: ServiceEntry) => `${s.obj.namespace}/${s.obj.name}`;
const portLabel = (p: PortEntry) => `${p.info.portName || '(unnamed)'} ${p.info.port}/${p.info.protocol}`;

function rulesView(model: ClusterModel, selection: PreviewSelection): RulesView {
  const base = { mode: selection.mode, format: selection.format, node: selection.node };
  if (selection.mode === 'ipvs') {
    const ipvs = generateIpvs(model, { nodeName: selection.node });
    const text = `# ipvsadm -Ln\n${ipvs.ipvsadm}\n# ipset save\n${ipvs.ipsetSave}\n# iptables rules IPVS mode writes\n${ipvs.iptables.payload}`;
    return { ...base, format: 'restore', text, lines: text.split('\n').slice(0, -1).map(l => ({ chain: chainOfLine(l) })), chains: declarations(text) };
  }
  if (selection.mode === 'nftables') {
    const nft = generateNftables(model, { nodeName: selection.node });
    const chains: Record<string, number> = {};
    nft.lines.forEach((l, i) => { if (l.kind === 'chain' && l.object && chains[l.object] === undefined) chains[l.object] = i; });
    return { ...base, format: 'restore', text: nft.ruleset, lines: nft.lines.map(l => ({ chain: l.object, ...(l.service ? { service: l.service } : {}), ...(l.endpoint ? { endpoint: l.endpoint } : {}) })), chains };
  }
  const ruleset = generateIptables(model, { nodeName: selection.node });
  if (selection.format === 'save') {
    const text = toIptablesSave(ruleset, model.profile.ipFamily);
    const lines = text.split('\n').slice(0, -1).map(l => ({ chain: chainOfLine(l) }));
    return { ...base, text, lines, chains: declarations(text) };
  }
  return {
    ...base, text: ruleset.payload, chains: declarations(ruleset.payload),
    lines: ruleset.lines.map(l => ({ chain: l.chain, ...(l.service ? { service: l.service } : {}), ...(l.endpoint ? { endpoint: l.endpoint } : {}) })),
  };
}

function chainOfLine(line: string): string | null {
  const m = /^(?::(\S+)|-A (\S+))/.exec(line);
  return m ? m[1] ?? m[2]! : null;
}

function declarations(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  text.split('\n').forEach((l, i) => { const m = /^:(\S+)/.exec(l); if (m && out[m[1]!] === undefined) out[m[1]!] = i; });
  return out;
}

/** Hop lines point into the restore payload; in the save form the same rule sits elsewhere. */
function lineMapper(rules: RulesView, family: 'IPv4' | 'IPv6'): (hopLine: number | null, ruleText: string, node: string) => number | null {
  // nftables hops already point into the dump the pane shows
  if (rules.mode === 'nftables') return (line, _text, node) => (node === rules.node ? line : null);
  if (rules.mode === 'ipvs') {
    // the pane shows ipvsadm, ipset save, then the iptables payload the hop lines point into
    const offset = rules.text.split('\n').indexOf('# iptables rules IPVS mode writes') + 1;
    return (line, _text, node) => (node === rules.node && line !== null && offset > 0 ? line + offset : null);
  }
  if (rules.mode !== 'iptables') return () => null;
  if (rules.format === 'restore') return (line, _text, node) => (node === rules.node ? line : null);
  const saved = rules.text.split('\n');
  return (line, text, node) => {
    if (line === null || node !== rules.node) return null;
    const formatted = formatRule(parseRule('nat', text, 0), family);
    const i = saved.indexOf(formatted);
    return i >= 0 ? i : null;
  };
}

function walkView(result: WalkResult, sourceId: string, entryId: string, labels: { source: string; entry: string }, mapLine: ReturnType<typeof lineMapper>): WalkView {
  const packet = (p: WalkResult['packet']) => ({ proto: p.proto, src: p.src, sport: p.sport, dst: p.dst, dport: p.dport });
  return {
    sourceId, entryId, sourceLabel: labels.source, entryLabel: labels.entry,
    packet: packet(result.packet), firstNode: result.firstNode, verdict: result.verdict,
    endpoints: result.endpoints.map(e => ({ ...e })), masquerade: result.masquerade, summary: result.summary,
    outcomes: result.outcomes.map(o => ({
      probability: o.probability, verdict: o.verdict, endpoint: o.endpoint, endpointNode: o.endpointNode, natNode: o.natNode,
      masqueraded: o.masqueraded, snatAddress: o.snatAddress, sourceSeen: o.sourceSeen, delivered: o.delivered, replyBroken: o.replyBroken,
      hops: o.hops.map(h => ({ node: h.node, hook: h.hook, table: h.table, chain: h.chain, line: mapLine(h.line, h.rule, h.node), rule: h.rule, action: h.action, before: packet(h.before), after: packet(h.after) })),
      reply: o.reply.map(r => ({ node: r.node, description: r.description, packet: packet(r.packet) })),
    })),
  };
}

/** The commands that check `service`'s port on the selected node, as `natlens debug` lists them. */
function debugView(model: ClusterModel, service: ServiceEntry, port: PortEntry | undefined, selection: PreviewSelection): DebugView {
  // a port name is unique within its Service; an unnamed port is the Service's only one
  const commands = debugCommands(model, service, { nodeName: selection.node, proxyMode: selection.mode, ...(port ? { port: port.info.portName || port.info.port } : {}) });
  const heading = `Check ${key(service)}${port ? ` port ${portLabel(port)}` : ''} on node ${selection.node} (${selection.mode} mode)`;
  return {
    service: key(service), port: port ? portLabel(port) : null, node: selection.node, mode: selection.mode,
    commands: commands.map(c => ({ title: c.title, command: c.command, lookFor: c.lookFor, runOn: c.runOn, expected: [...c.expected ?? []] })),
    text: formatDebugText(commands, { heading }),
  };
}

export function buildPreviewState(input: PreviewInput, selection: PreviewSelection): PreviewState {
  const model = shownModel(input, selection);
  const profile: ClusterProfile = model.profile;
  const rules = rulesView(model, selection);
  const focus = (selection.service ? input.services.find(s => key(s) === selection.service) : undefined) ?? input.services.find(s => s.ports.length > 0);
  const portIndex = focus && selection.port < focus.ports.length ? selection.port : 0;
  const sources = focus && focus.ports.length ? sourceChoices(input.model, focus, portIndex) : [];
  const entries = focus && focus.ports.length ? entryChoices(input.model, focus, portIndex) : [];
  const problems = [...input.problems];
  let walk: WalkView | null = null;
  if (selection.trace && focus && focus.ports.length) {
    const source = sources.find(s => s.id === selection.trace!.source);
    const entry = entries.find(e => e.id === selection.trace!.entry);
    if (source && entry) {
      const walker = new Walker(model, new Map(), selection.mode, input.egress);
      const result = walker.trace(requestFor(source, entry, focus.ports[portIndex]!.info.protocol.toLowerCase() as 'tcp'));
      walk = walkView(result, source.id, entry.id, { source: source.label, entry: entry.label }, lineMapper(rules, profile.ipFamily));
    }
  }
  // a file of headless or ExternalName Services has no port to select, but still commands to run
  const checked = focus ?? input.services[0];
  return {
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
    debug: checked ? debugView(model, checked, checked.ports[portIndex], selection) : null,
    assumptions: input.model.assumptions.filter(a => input.services.some(s => a.subject === key(s))).map(a => ({ ...a })),
    problems,
  };
}
