// What the editor shows on a node dump: whether a document is one (by content), the hover of a
// line (owner, Service, endpoint, counters), the Services to put a CodeLens on, and the sources
// "Trace Packet on this node" offers. Every sentence comes from the parsed dump.
import { commentOf } from '../proxy/iptables/ruleParser';
import { formatIP, offsetIP, parseCIDR } from '../util/ip';
import { EXTERNAL_CLIENT_IP } from '../walk/choices';
import { impliedProfile } from './diff';
import type { NodeDump } from './dump';
import type { DumpRule } from './iptablesDump';
import type { NodePacket } from './interpreter';
import { chainOwner, ruleOwner, serviceOfComment } from './owners';

/** A paste is a node dump when most of its non-blank lines are read by one of the node readers. */
export function isNodeDump(dump: NodeDump, text: string): boolean {
  const lines = text.split('\n').filter(l => l.trim() !== '').length;
  return dump.kinds.length > 0 && lines > 0 && dump.unknown.length * 2 < lines;
}

function ruleAt(dump: NodeDump, line: number): { rule: DumpRule; table: string; chain: string } | null {
  for (const d of dump.iptables) for (const t of d.tables.values()) for (const c of t.chains.values()) {
    const rule = c.rules.find(r => r.parsed.line === line);
    if (rule) return { rule, table: t.name, chain: c.name };
  }
  return null;
}

/** Markdown for the line under the cursor, or null when the line is not a rule or chain of the dump. */
export function dumpHover(dump: NodeDump, line: number): string | null {
  const at = ruleAt(dump, line);
  if (!at) {
    for (const d of dump.iptables) for (const t of d.tables.values()) for (const c of t.chains.values()) {
      if (c.line !== line) continue;
      const counters = c.counters ? `, policy counters ${c.counters.packets} packets / ${c.counters.bytes} bytes` : '';
      return `**${t.name} ${c.name}** (${chainOwner(c.name)}): ${c.rules.length} rules in the paste${c.policy ? `, policy ${c.policy}` : ''}${counters}`;
    }
    return null;
  }
  const { rule, table, chain } = at;
  const comment = commentOf(rule.parsed);
  const parts = [`**${table} ${chain}** — owner: ${ruleOwner(chain, rule.parsed.target, comment)}`];
  const service = serviceOfComment(comment);
  if (service) parts.push(`Service: \`${service}\``);
  const endpoint = rule.parsed.targetOptions.find(o => o.name === 'to-destination')?.values[0] ?? /-> (\S+)$/.exec(comment ?? '')?.[1];
  if (endpoint) parts.push(`endpoint: \`${endpoint}\``);
  if (rule.counters) parts.push(`counters: ${rule.counters.packets} packets, ${rule.counters.bytes} bytes`);
  return parts.join('  \n');
}

/** A Service's ClusterIP rule in KUBE-SERVICES: where "Trace Packet on this node" goes. */
export interface DumpServiceLens {
  readonly line: number;
  readonly service: string;
  readonly dst: string;
  readonly dport: number;
  readonly proto: string;
}

export function dumpLenses(dump: NodeDump): DumpServiceLens[] {
  const out: DumpServiceLens[] = [];
  for (const d of dump.iptables) for (const r of d.tables.get('nat')?.chains.get('KUBE-SERVICES')?.rules ?? []) {
    const service = serviceOfComment(commentOf(r.parsed));
    const dport = r.parsed.matches.flatMap(m => m.options).find(o => o.name === 'dport')?.values[0];
    if (!service || !r.parsed.destination || r.parsed.destination.negated || !dport || !/^\d+$/.test(dport)) continue;
    out.push({ line: r.parsed.line, service, dst: r.parsed.destination.value.replace(/\/(32|128)$/, ''), dport: Number(dport), proto: r.parsed.protocol?.value ?? 'tcp' });
  }
  return out;
}

/** Where "Compare with prediction" goes: the first line of each iptables dump in the paste. */
export function dumpDiffLenses(dump: NodeDump): number[] {
  return dump.iptables.map(d => d.firstLine);
}

/** The profile node a dump is from: the host of its shell prompt when the profile has that node, else the profile's own node. */
export function dumpNodeName(dump: NodeDump, nodes: readonly string[], fallback: string): string {
  return dump.prompts.map(p => p.host).find((h): h is string => h !== null && nodes.includes(h)) ?? fallback;
}

export interface DumpSourceChoice {
  readonly id: string;
  readonly label: string;
  readonly src: string;
}

/** Sources to trace from: an outside client, and a pod of the cluster CIDR the dump implies. */
export function dumpSourceChoices(dump: NodeDump): DumpSourceChoice[] {
  const out: DumpSourceChoice[] = [{ id: 'external', label: `External client ${EXTERNAL_CLIENT_IP}`, src: EXTERNAL_CLIENT_IP }];
  const cidr = impliedProfile(dump).clusterCIDR;
  const c = cidr ? parseCIDR(cidr) : null;
  if (c) {
    const ip = formatIP(offsetIP(c.ip, 200));
    out.push({ id: 'pod', label: `A pod in the cluster CIDR ${cidr} (${ip})`, src: ip });
  }
  return out;
}

/** The packet for a lens and a source: a connection's first packet, nothing else known. */
export function lensPacket(lens: DumpServiceLens, source: DumpSourceChoice): NodePacket {
  return {
    family: lens.dst.includes(':') ? 'ip6' : 'ip', src: source.src, dst: lens.dst, proto: lens.proto, sport: 40000, dport: lens.dport,
    inIface: null, outIface: null, mark: 0, ctstate: ['NEW'], ctstatus: null, local: null, physdevIn: false, recent: [],
  };
}
