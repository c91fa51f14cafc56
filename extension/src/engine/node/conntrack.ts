// conntrack entries explained: the NAT each one records (its reply tuple is the translated
// connection seen from the other side: reply.src is where the connection was DNATed to, reply.dst
// where it was SNATed to), which Service and endpoint it belongs to, and whether that endpoint is
// still one the Service has. "Still has" comes from the manifests when given, else from the node's
// own kube-proxy rules in the same paste (run through the interpreter from KUBE-SERVICES).
import type { ClusterModel } from '../model/cluster';
import type { ConntrackEntry } from './conntrackDump';
import type { NodeDump } from './dump';
import { NodeInterpreter, type NodePacket } from './interpreter';
import { serviceOfComment } from './owners';
import { commentOf } from '../proxy/iptables/ruleParser';

export interface ExplainedEntry extends Pick<ConntrackEntry, 'proto' | 'state' | 'timeout' | 'orig' | 'reply' | 'flags' | 'zone' | 'mark'> {
  /** "ip:port" the connection was DNATed to (null: not DNATed). */
  readonly dnatTo: string | null;
  /** "ip:port" the connection was SNATed/masqueraded to (null: not SNATed). */
  readonly snatTo: string | null;
  readonly service: string | null;
  readonly stale: boolean;
  /** Why the entry is stale, and where that was seen. */
  readonly staleReason: string | null;
  /** The `conntrack -D` command that deletes exactly this entry (stale entries only). */
  readonly deleteCommand: string | null;
  /** 1-based line in the paste. */
  readonly line: number;
}

export interface ConntrackReport {
  readonly entries: readonly ExplainedEntry[];
  readonly footerCounts: readonly number[];
}

const hostPort = (ip: string, port: number | null) => (port === null ? ip : ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`);

/** The Service at a destination and the endpoints it has now, or null when that is not known. */
type ServiceLookup = (proto: string, ip: string, port: number) => { service: string; endpoints: ReadonlySet<string>; source: string } | null;

function fromModel(model: ClusterModel): ServiceLookup {
  return (proto, ip, port) => {
    for (const s of model.services) for (const p of s.ports) {
      const info = p.info;
      if (info.protocol.toLowerCase() !== proto) continue;
      const front = (info.clusterIP === ip && info.port === port) || ((info.externalIPs.includes(ip) || info.loadBalancerVIPs.includes(ip)) && info.port === port) ||
        (info.nodePort !== 0 && info.nodePort === port && model.profile.nodes.some(n => n.ips.includes(ip)));
      if (front) return { service: info.nameString, endpoints: new Set(p.endpoints.filter(e => e.ready || e.serving).map(e => e.key)), source: 'the manifests' };
    }
    return null;
  };
}

/** From the paste's own rules: the endpoints kube-proxy's chains DNAT a new connection to. */
function fromRules(dump: NodeDump): ServiceLookup | null {
  const rules = dump.iptables.find(d => d.tables.get('nat')?.chains.get('KUBE-SERVICES'));
  if (!rules) return null;
  const interpreter = new NodeInterpreter(rules, dump.ipsets);
  return (proto, ip, port) => {
    const packet: NodePacket = {
      family: ip.includes(':') ? 'ip6' : 'ip', src: '0.0.0.0', dst: ip, proto, sport: 1, dport: port, inIface: null, outIface: null, mark: 0,
      ctstate: ['NEW'], ctstatus: null, local: [], physdevIn: false, recent: [],
    };
    const result = interpreter.run(packet, { table: 'nat', chain: 'KUBE-SERVICES' });
    const service = result.branches.flatMap(b => b.path.map(s => (s.rule ? serviceOfComment(commentOf(s.rule.parsed)) : null))).find(x => x !== null);
    // an endpoint set is known only when every way through the chains was resolved
    if (!service || result.branches.some(b => b.verdict === 'UNRESOLVED')) return null;
    return { service, endpoints: new Set(result.branches.flatMap(b => (b.dnatTo ? [b.dnatTo] : []))), source: 'the node\'s kube-proxy rules in the paste' };
  };
}

export function explainConntrack(dump: NodeDump, model: ClusterModel | null): ConntrackReport {
  const lookup = model ? fromModel(model) : fromRules(dump);
  return {
    entries: dump.conntrack.map(e => explainEntry(e, lookup)),
    footerCounts: dump.conntrackFooters.map(f => f.count),
  };
}

function explainEntry(e: ConntrackEntry, lookup: ServiceLookup | null): ExplainedEntry {
  const dnat = e.reply.src !== e.orig.dst || e.reply.sport !== e.orig.dport;
  const snat = e.reply.dst !== e.orig.src || e.reply.dport !== e.orig.sport;
  const dnatTo = dnat ? hostPort(e.reply.src, e.reply.sport) : null;
  const found = lookup && e.orig.dport !== null ? lookup(e.proto, e.orig.dst, e.orig.dport) : null;
  const stale = found !== null && dnatTo !== null && !found.endpoints.has(dnatTo);
  return {
    proto: e.proto, state: e.state, timeout: e.timeout, orig: e.orig, reply: e.reply, flags: e.flags, zone: e.zone, mark: e.mark,
    dnatTo, snatTo: snat ? hostPort(e.reply.dst, e.reply.dport) : null,
    service: found?.service ?? null,
    stale,
    staleReason: stale ? `${dnatTo} is not an endpoint of ${found!.service} in ${found!.source}${found!.endpoints.size ? ` (endpoints: ${[...found!.endpoints].join(', ')})` : ' (it has none)'}` : null,
    deleteCommand: stale ? deleteCommand(e) : null,
    line: e.line + 1,
  };
}

/** conntrack(8) options that select exactly this entry: protocol, the original tuple and the reply source. */
export function deleteCommand(e: ConntrackEntry): string {
  const parts = ['conntrack', '-D', '-p', e.proto, '--orig-src', e.orig.src, '--orig-dst', e.orig.dst];
  if (e.orig.sport !== null) parts.push('--orig-port-src', String(e.orig.sport));
  if (e.orig.dport !== null) parts.push('--orig-port-dst', String(e.orig.dport));
  parts.push('--reply-src', e.reply.src);
  if (e.reply.sport !== null) parts.push('--reply-port-src', String(e.reply.sport));
  if (e.zone !== null) parts.push('--zone', String(e.zone));
  return parts.join(' ');
}
