// A model of one node in kube-proxy's IPVS mode for the packet walk: the iptables payload IPVS mode
// writes (generateIpvs().iptables), executed by the iptables machinery (NodeRules, by composition),
// plus IPVS itself, with the virtual servers and real servers generateIpvs() computes.
//
// iptables part. NodeRules does not read `-m set`, `-m physdev` or `-m ipvs`. Instead of changing
// it, the payload handed to NodeRules is compiled first (compilePayload):
//   - `-m set --match-set SET FLAGS` becomes one copy of the rule per set entry, with the entry's
//     dimensions as plain matches (`dst` address → `-d`, `src` address or net → `-s`, `proto:port`
//     → `-p proto -m proto --dport|--sport port`; a bitmap:port entry takes the rule's `-p`). An
//     entry the kernel refuses (IpsetEntry.kernelRejects) and an empty set give no copy (never
//     matches). Only one entry can match a packet for the sets kube-proxy uses with non-terminal
//     targets (hash sets are keyed by the whole ip,port[,ip]), so the copies act like the one rule.
//   - `-m physdev ! --physdev-is-in` ("not bridged in") becomes `! -s <podCIDR>` on a node whose
//     CNI has a pod gateway (assumed to be a bridge, with br_netfilter), and nothing otherwise.
//     ASSUMPTION; it does not change any outcome: the externalIP rules it sits in are followed by
//     `--dst-type LOCAL -j ACCEPT`, and every external IP is local (node address or kube-ipvs0).
//   - `-m ipvs --vaddr --vproto --vport` rules (KUBE-IPVS-OUT-FILTER) match only packets IPVS has
//     already scheduled; they are taken out of the NodeRules payload and evaluated here, on the
//     packet IPVS re-injects into LOCAL_OUT.
// Every hop NodeRules records is mapped back to the line of the ORIGINAL payload
// (ruleset.iptables.lines / payload) and its text, so `line` points into the IPVS payload.
//
// IPVS part (net/netfilter/ipvs/ip_vs_core.c ip_vs_ops4; ip_vs_xmit.c ip_vs_nat_xmit): ip_vs_in is
// hooked at LOCAL_IN (priority NF_IP_PRI_NAT_SRC-1: after filter INPUT) for packets from outside
// the node, and at LOCAL_OUT (NF_IP_PRI_NAT_DST+2: after nat OUTPUT, before filter OUTPUT) for the
// node's own packets. A packet to a virtual server's address:port/proto is scheduled to a real
// server (masquerading forwarder = DNAT), then re-sent through LOCAL_OUT (filter OUTPUT runs again,
// nat OUTPUT does not: the destination binding exists) and POSTROUTING (nat: KUBE-POSTROUTING,
// KUBE-LOOP-BACK hairpin). It does NOT traverse FORWARD. A real server on the node itself is
// delivered locally. kube-ipvs0 holds the VIPs, so they are LOCAL (addrtype) on every node.
//
// How that fits the walk's hooks (walk.ts routes with ClusterNetwork, which does not know
// kube-ipvs0, and ends a packet that reaches INPUT as "delivered locally"): the program does the
// local-in part inside runHook('PREROUTING') (nat PREROUTING, then filter INPUT, IPVS, filter
// OUTPUT), and the node's own packets inside runHook('OUTPUT') (nat OUTPUT, IPVS, filter OUTPUT);
// the hops carry the hook the kernel runs them in. The walk then routes the DNATed packet; FORWARD
// (and INPUT, for a local real server) is a no-op for a packet IPVS scheduled on this node.
//
// Inferred, not covered by upstream tests (upstream's IPVS unit tests check the state after a sync
// and trace no packets): every IPVS hop says so in its action. In particular: the hook order above;
// a virtual server without real servers (ip_vs_leave: ICMP port unreachable, packet dropped →
// REJECT); the Local-policy fallback to cluster-wide real servers (proxier.go syncEndpoint,
// kubernetes/kubernetes#97081) and its broken reply; schedulers as equal probability per real
// server for a first connection (rr rotates, mh/sh hash the source), and with persistence a later
// connection of the client to the real server its template names. This machine's kernel has no
// ip_vs module, so none of it is checked on a kernel.
import { generateIpvs, FLAG_PERSISTENT, type Ipset, type IpvsRuleset, type IpvsVirtualServer } from '../proxy/ipvs/generator';
import type { IptablesRuleset, Table } from '../proxy/iptables/generator';
import { parseRule, tokenize } from '../proxy/iptables/ruleParser';
import { canonicalIP, cidrContains, parseCIDR, parseIP, type CIDR } from '../util/ip';
import { affinityEntry, joinBranch, makeHop, NodeRules, remember, WalkError, type BranchGroup, type ConnState, type Hook, type NodeNetwork, type NodeProgram, type ProgramFactory, type Packet, type TableOutcome } from './netfilter';
import { hasEffect, type HopEffect, type IpvsScheduling } from './effects';

/** The chain name IPVS hops carry (they are not iptables rules; `line` is null). */
export const IPVS_CHAIN = 'IPVS';

/** A rule of KUBE-IPVS-OUT-FILTER: `-s IP -m ipvs --vaddr IP --vproto P --vport N -j DROP`. */
interface IpvsMatchRule {
  readonly line: number;
  readonly text: string;
  readonly chain: string;
  readonly src: { negated: boolean; cidr: CIDR } | null;
  readonly vaddr: string;
  readonly vproto: string;
  readonly vport: number;
  readonly target: string;
}

type Dimension = 'ip' | 'port' | 'net';
const DIMENSIONS: Record<Ipset['type'], readonly Dimension[]> = {
  'hash:ip': ['ip'], 'hash:ip,port': ['ip', 'port'], 'hash:ip,port,ip': ['ip', 'port', 'ip'],
  'hash:ip,port,net': ['ip', 'port', 'net'], 'bitmap:port': ['port'],
};

interface Constraint { src?: string; dst?: string; proto?: string; sport?: number; dport?: number }

const quote = (t: string) => (t === '' || /\s/.test(t) ? `"${t}"` : t);
const hostPort = (ip: string, port: number) => (ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`);
const IPVSADM_PROTO: Record<string, string> = { TCP: '-t', UDP: '-u', SCTP: '--sctp-service' };

/**
 * A bitmap:port set matched without `-p` (KUBE-HEALTH-CHECK-NODE-PORT in KUBE-NODE-PORT and
 * KUBE-IPVS-FILTER): the kernel's bitmap:port reads the port of any protocol with ports; the walk's
 * packets are tcp, udp or sctp, so the entry stands for the port in each of them.
 */
const PORT_PROTOCOLS = ['tcp', 'udp', 'sctp'] as const;

/** One set entry with the rule's flags → the plain matches it stands for (none: the entry cannot match). */
function entryConstraints(set: Ipset, entry: string, flags: readonly string[], ruleProto: { negated: boolean; value: string } | undefined, rule: string): Constraint[] {
  if (set.type === 'bitmap:port' && !ruleProto) {
    return PORT_PROTOCOLS.flatMap(proto => entryConstraints(set, entry, flags, { negated: false, value: proto }, rule));
  }
  const c = entryConstraint(set, entry, flags, ruleProto, rule);
  return c ? [c] : [];
}

function entryConstraint(set: Ipset, entry: string, flags: readonly string[], ruleProto: { negated: boolean; value: string } | undefined, rule: string): Constraint | null {
  const dims = DIMENSIONS[set.type];
  if (flags.length !== dims.length) throw new WalkError(`set ${set.name} (${set.type}) matched with "${flags.join(',')}" is not modelled: ${rule}`);
  const parts = entry.split(',');
  const c: Constraint = {};
  for (let i = 0; i < dims.length; i++) {
    const dir = flags[i]!;
    const value = parts[i] ?? '';
    if (dir !== 'src' && dir !== 'dst') throw new WalkError(`ipset flag ${dir} not understood: ${rule}`);
    if (dims[i] === 'port') {
      let proto: string;
      let port: number;
      if (set.type === 'bitmap:port') {
        if (!ruleProto || ruleProto.negated) throw new WalkError(`bitmap:port set ${set.name} without -p is not modelled: ${rule}`);
        proto = ruleProto.value;
        port = Number(value);
      } else {
        const k = value.lastIndexOf(':');
        proto = value.slice(0, k);
        port = Number(value.slice(k + 1));
      }
      if (c.proto !== undefined && c.proto !== proto) return null;
      c.proto = proto;
      if (dir === 'dst') c.dport = port; else c.sport = port;
    } else {
      const key = dir === 'dst' ? 'dst' : 'src';
      if (c[key] !== undefined) throw new WalkError(`two ${key} addresses from one set entry: ${rule}`);
      c[key] = value;
    }
  }
  return c;
}

/**
 * The IPVS payload rewritten for NodeRules (see the file comment), with the original line of each
 * rewritten line, and the `-m ipvs` rules taken out.
 */
export function compilePayload(ruleset: IpvsRuleset, bridgePodCIDR: string | null): { payload: string; origin: number[]; ipvsRules: IpvsMatchRule[] } {
  const sets = new Map(ruleset.ipsets.map(s => [s.name, s]));
  const out: string[] = [];
  const origin: number[] = [];
  const ipvsRules: IpvsMatchRule[] = [];
  let table = '';
  ruleset.iptables.payload.split('\n').forEach((raw, line) => {
    const l = raw.trim();
    if (l.startsWith('*')) table = l.slice(1);
    if (!l.startsWith('-A ')) { out.push(raw); origin.push(line); return; }
    const tokens = tokenize(l);
    const parsed = parseRule(table, l, line);
    // -m ipvs: evaluated by the program on IPVS-scheduled packets
    if (parsed.matches.some(m => m.module === 'ipvs')) {
      const m = parsed.matches.find(x => x.module === 'ipvs')!;
      const opt = (n: string) => m.options.find(o => o.name === n)?.values[0] ?? '';
      const cidr = parsed.source ? (parseIP(parsed.source.value) ? parseCIDR(`${parsed.source.value}/${parseIP(parsed.source.value)!.family === 'IPv4' ? 32 : 128}`) : parseCIDR(parsed.source.value)) : null;
      if (parsed.matches.length !== 1 || parsed.destination || parsed.protocol || m.options.some(o => o.negated)) throw new WalkError(`-m ipvs rule not modelled: ${l}`);
      ipvsRules.push({
        line, text: l, chain: parsed.chain, src: parsed.source && cidr ? { negated: parsed.source.negated, cidr } : null,
        vaddr: canonicalIP(opt('vaddr')) ?? opt('vaddr'), vproto: opt('vproto').toLowerCase(), vport: Number(opt('vport')), target: parsed.target ?? '',
      });
      return;
    }
    // strip -m set / -m physdev, remembering what they asked for
    let setMatch: { set: Ipset; flags: string[] } | null = null;
    let physdev: 'not-bridged' | 'bridged' | null = null;
    const kept: string[] = [];
    for (let i = 2; i < tokens.length; i++) {
      const t = tokens[i]!;
      if ((t === '-m' || t === '--match') && tokens[i + 1] === 'set') {
        let j = i + 2;
        if (tokens[j] === '!') throw new WalkError(`negated set match not modelled: ${l}`);
        if (tokens[j] !== '--match-set') throw new WalkError(`set match not understood: ${l}`);
        if (setMatch) throw new WalkError(`two set matches in one rule not modelled: ${l}`);
        const set = sets.get(tokens[j + 1] ?? '');
        if (!set) throw new WalkError(`rule matches unknown ipset ${tokens[j + 1]}: ${l}`);
        setMatch = { set, flags: (tokens[j + 2] ?? '').split(',') };
        j += 3;
        if (tokens[j] && tokens[j]!.startsWith('--')) throw new WalkError(`set match option ${tokens[j]} not modelled: ${l}`);
        i = j - 1;
        continue;
      }
      if ((t === '-m' || t === '--match') && tokens[i + 1] === 'physdev') {
        const neg = tokens[i + 2] === '!';
        const opt = tokens[i + (neg ? 3 : 2)];
        if (opt !== '--physdev-is-in') throw new WalkError(`physdev option ${opt} not modelled: ${l}`);
        physdev = neg ? 'not-bridged' : 'bridged';
        i += neg ? 3 : 2;
        continue;
      }
      kept.push(t);
    }
    const head = (extra: string[]) => [`-A`, parsed.chain, ...extra, ...kept].map(quote).join(' ');
    const physdevTokens: string[] | null = physdev === null ? [] :
      physdev === 'not-bridged' ? (bridgePodCIDR ? ['!', '-s', bridgePodCIDR] : []) : (bridgePodCIDR ? ['-s', bridgePodCIDR] : null);
    if (physdevTokens === null) return; // "bridged in" on a node without a bridge: never matches
    if (physdevTokens.length && parsed.source) throw new WalkError(`physdev with -s not modelled: ${l}`);
    if (!setMatch) { out.push(head(physdevTokens)); origin.push(line); return; }
    for (const entry of setMatch.set.entries) {
      if (entry.kernelRejects) continue;
      for (const c of entryConstraints(setMatch.set, entry.text, setMatch.flags, parsed.protocol, l)) {
        const extra: string[] = [...physdevTokens];
        if (c.src !== undefined) {
          if (parsed.source || physdevTokens.length) throw new WalkError(`set src match with -s not modelled: ${l}`);
          extra.push('-s', c.src);
        }
        if (c.dst !== undefined) {
          if (parsed.destination) throw new WalkError(`set dst match with -d not modelled: ${l}`);
          extra.push('-d', c.dst);
        }
        if (c.proto !== undefined) {
          if (parsed.protocol) {
            if (parsed.protocol.negated || parsed.protocol.value !== c.proto) continue;
          } else extra.push('-p', c.proto);
          if (c.dport !== undefined) extra.push('-m', c.proto, '--dport', String(c.dport));
          if (c.sport !== undefined) extra.push('-m', c.proto, '--sport', String(c.sport));
        }
        out.push(head(extra));
        origin.push(line);
      }
    }
  });
  return { payload: out.join('\n'), origin, ipvsRules };
}

/** One node in IPVS mode: the compiled iptables payload run by NodeRules, and the IPVS virtual servers. */
export class IpvsRules implements NodeProgram {
  readonly rules: NodeRules;
  private readonly origin: number[];
  private readonly originalLines: string[];
  private readonly ipvsMatchRules: IpvsMatchRule[];
  private readonly virtualServers = new Map<string, IpvsVirtualServer>();
  private readonly dummy: Set<string>;
  private virtualAddresses: Set<string> | null = null;

  constructor(readonly node: NodeNetwork, readonly ruleset: IpvsRuleset, bridgePodCIDR: string | null = null) {
    this.dummy = new Set(ruleset.dummyAddresses.map(a => canonicalIP(a) ?? a));
    for (const vs of ruleset.virtualServers) this.virtualServers.set(vsKey(canonicalIP(vs.address) ?? vs.address, vs.protocol, vs.port), vs);
    const compiled = compilePayload(ruleset, bridgePodCIDR);
    this.origin = compiled.origin;
    this.ipvsMatchRules = compiled.ipvsRules;
    this.originalLines = ruleset.iptables.payload.split('\n');
    // addrtype LOCAL: kube-ipvs0's addresses are local too
    const network: NodeNetwork = {
      name: node.name,
      isLocal: ip => node.isLocal(ip) || this.dummy.has(canonicalIP(ip) ?? ip),
      masqueradeSource: dst => node.masqueradeSource(dst),
    };
    const iptables: IptablesRuleset = {
      nodeName: ruleset.nodeName, payload: compiled.payload, lines: [], jumps: ruleset.iptables.jumps,
      masqueradeMark: ruleset.iptables.masqueradeMark, largeClusterMode: false,
    };
    this.rules = new NodeRules(network, iptables);
  }

  /** The virtual server a packet is addressed to, if any. */
  virtualServerFor(p: Packet): IpvsVirtualServer | undefined {
    return this.virtualServers.get(vsKey(canonicalIP(p.dst) ?? p.dst, p.proto.toUpperCase(), p.dport));
  }

  runHook(hook: Hook, state: ConnState): TableOutcome[] {
    switch (hook) {
      case 'PREROUTING': {
        const outs = this.hook('PREROUTING', state);
        // the node's own packet back in on loopback: its IPVS decision (if any) was taken at LOCAL_OUT
        if (state.natBound) return outs;
        return outs.flatMap(o => (o.verdict === 'ACCEPT' ? this.localIn(o.state) : [o]));
      }
      // IPVS sends what it scheduled out through LOCAL_OUT and POSTROUTING, never through FORWARD;
      // a real server on this node gets the packet straight from LOCAL_IN (filter INPUT already ran)
      case 'FORWARD':
        return this.scheduledHere(state) ? [{ state, verdict: 'ACCEPT' }] : this.hook('FORWARD', state);
      case 'INPUT':
        return this.scheduledHere(state) && !state.natBound ? [{ state, verdict: 'ACCEPT' }] : this.hook('INPUT', state);
      case 'OUTPUT':
        return this.localOut(state);
      case 'POSTROUTING':
        return this.hook('POSTROUTING', state);
    }
  }

  /** A packet from outside the node, after nat PREROUTING: filter INPUT, then ip_vs_in at LOCAL_IN. */
  private localIn(s: ConnState): TableOutcome[] {
    const vs = this.virtualServerFor(s.packet);
    const onDummy = this.dummy.has(s.packet.dst);
    // not IPVS's: the walk routes it (a node address goes to INPUT there)
    if (!vs && !onDummy) return [{ state: s, verdict: 'ACCEPT' }];
    return this.hook('INPUT', s).flatMap(o => {
      if (o.verdict !== 'ACCEPT') return [o];
      if (!vs) return [{ state: this.localDelivery(o.state, 'INPUT'), verdict: 'ACCEPT' }];
      return this.schedule(vs, o.state, 'INPUT').flatMap(b => (b.verdict === 'ACCEPT' ? this.reinject(vs, b.state) : [b]));
    });
  }

  /** The node's own packet: nat OUTPUT, ip_vs_in at LOCAL_OUT, filter OUTPUT. */
  private localOut(state: ConnState): TableOutcome[] {
    const nat = this.table('OUTPUT', 'nat', state);
    return nat.flatMap(o => {
      if (o.verdict !== 'ACCEPT') return [o];
      const vs = this.virtualServerFor(o.state.packet);
      if (vs) return this.schedule(vs, o.state, 'OUTPUT').flatMap(b => (b.verdict === 'ACCEPT' ? this.reinject(vs, b.state) : [b]));
      const filtered = this.table('OUTPUT', 'filter', o.state);
      if (!this.dummy.has(o.state.packet.dst)) return filtered;
      // a kube-ipvs0 address without a virtual server on this port: local route → loopback → INPUT
      return filtered.flatMap(f => {
        if (f.verdict !== 'ACCEPT') return [f];
        const looped = this.hook('POSTROUTING', f.state).flatMap(p => (p.verdict === 'ACCEPT'
          ? this.hook('PREROUTING', { ...p.state, natBound: true, inInterface: 'lo' }).flatMap(q => (q.verdict === 'ACCEPT' ? this.hook('INPUT', q.state) : [q]))
          : [p]));
        return looped.map(x => (x.verdict === 'ACCEPT' ? { state: this.localDelivery(f.state, 'INPUT'), verdict: 'ACCEPT' as const } : x));
      });
    });
  }

  /** IPVS re-sends the scheduled packet through LOCAL_OUT: filter OUTPUT (and KUBE-IPVS-OUT-FILTER's -m ipvs rules). */
  private reinject(vs: IpvsVirtualServer, s: ConnState): TableOutcome[] {
    const from = s.hops.length;
    return this.table('OUTPUT', 'filter', s).flatMap(o => {
      if (o.verdict !== 'ACCEPT') return [o];
      const entered = new Set(o.state.hops.slice(from).flatMap(h => h.effects.flatMap(e => (e.kind === 'jump' ? [e.chain] : []))));
      for (const r of this.ipvsMatchRules) {
        if (!entered.has(r.chain) && r.chain !== 'OUTPUT') continue;
        const src = parseIP(o.state.packet.src);
        if (r.src && (src !== null && cidrContains(r.src.cidr, src)) === r.src.negated) continue;
        if (r.vaddr !== (canonicalIP(vs.address) ?? vs.address) || r.vproto !== vs.protocol.toLowerCase() || r.vport !== vs.port) continue;
        if (r.target !== 'DROP' && r.target !== 'REJECT' && r.target !== 'ACCEPT' && r.target !== 'RETURN') throw new WalkError(`target ${r.target} of a -m ipvs rule is not modelled: ${r.text}`);
        const hop = makeHop({
          node: this.node.name, hook: 'OUTPUT', table: 'filter', chain: r.chain, line: r.line, rule: r.text,
          effects: [r.target === 'RETURN' ? { kind: 'return' } : { kind: 'verdict', verdict: r.target }],
          before: o.state.packet, after: o.state.packet, mark: o.state.mark,
        });
        const next = { ...o.state, hops: [...o.state.hops, hop] };
        if (r.target === 'RETURN') return [{ state: next, verdict: 'ACCEPT' as const }];
        return [{ state: next, verdict: r.target }];
      }
      return [o];
    });
  }

  /** ip_vs_in: schedule a real server (every one is a branch) and DNAT to it; none → ip_vs_leave. */
  private schedule(vs: IpvsVirtualServer, s: ConnState, hook: 'INPUT' | 'OUTPUT'): TableOutcome[] {
    const svc = `${IPVSADM_PROTO[vs.protocol] ?? '-t'} ${hostPort(vs.address, vs.port)}`;
    const vsLine = `-A ${svc} -s ${vs.scheduler}${vs.flags & FLAG_PERSISTENT ? ` -p ${vs.timeout}` : ''}`;
    const at = hook === 'INPUT' ? 'LOCAL_IN' : 'LOCAL_OUT';
    const n = vs.realServers.length;
    if (n === 0) {
      const hop = makeHop({
        node: this.node.name, hook, table: 'nat', chain: IPVS_CHAIN, line: null, rule: `${vsLine} (${vs.service}, no real servers)`,
        effects: [{ kind: 'ipvs-no-real-server', at, virtualServer: vs.key }],
        before: s.packet, after: s.packet, mark: s.mark,
      });
      return [{ state: { ...s, hops: [...s.hops, hop] }, verdict: 'REJECT' }];
    }
    // persistence: a template per client address sends its later connections to the same real server
    const template = (rs: { address: string; port: number }) => `IPVS persistence ${vs.key} -> ${hostPort(rs.address, rs.port)}`;
    const persistent = (vs.flags & FLAG_PERSISTENT) !== 0;
    const known = persistent ? vs.realServers.filter(rs => s.affinity?.has(affinityEntry(this.node.name, template(rs), s.packet.src))) : [];
    const candidates = known.length > 0 ? known : vs.realServers;
    const scheduling: IpvsScheduling = {
      scheduler: vs.scheduler, at, realServers: n, persistentSeconds: persistent ? vs.timeout : null, fromTemplate: known.length > 0,
      localFallback: vs.selection === 'local-fallback-to-cluster' ? (vs.kind === 'clusterIP' ? 'internal' : 'external') : null,
    };
    const groups = new Map<string, BranchGroup>();
    return candidates.flatMap(rs => {
      const dst = canonicalIP(rs.address) ?? rs.address;
      // real servers differ in address, port and weight; a persistent one records a template of its own
      const walked = joinBranch(groups, persistent ? null : `${rs.port} ${rs.weight}`, dst, { ...s, probability: s.probability / candidates.length }, this.node.name);
      if (walked === null) return [];
      const after: Packet = { ...s.packet, dst, dport: rs.port };
      const to = hostPort(rs.address, rs.port);
      const effects: HopEffect[] = [
        ...(known.length > 0 ? [{ kind: 'affinity-hit' as const, list: template(rs) }] : []),
        { kind: 'dnat', to, ipvs: scheduling },
        ...(persistent ? [{ kind: 'affinity-record' as const, list: template(rs), address: s.packet.src, store: 'ipvs-template' as const }] : []),
      ];
      const hop = makeHop({
        node: this.node.name, hook, table: 'nat', chain: IPVS_CHAIN, line: null,
        rule: `-a ${svc} -r ${to} -m -w ${rs.weight} (${vs.service})`, effects,
        before: s.packet, after, mark: s.mark,
      });
      const scheduled: ConnState = { ...walked, packet: after, dnat: true, hops: [...s.hops, hop] };
      return { state: persistent ? remember(scheduled, this.node.name, template(rs), s.packet.src) : scheduled, verdict: 'ACCEPT' as const };
    });
  }

  destinationClass(ip: string): string {
    const canonical = canonicalIP(ip) ?? ip;
    this.virtualAddresses ??= new Set([...this.virtualServers.values()].map(vs => canonicalIP(vs.address) ?? vs.address));
    return `${this.rules.destinationClass(ip)}|${this.dummy.has(canonical) ? 'dummy' : ''}|${this.virtualAddresses.has(canonical) ? canonical : ''}`;
  }

  private localDelivery(s: ConnState, hook: Hook): ConnState {
    const hop = makeHop({
      node: this.node.name, hook, table: 'filter', chain: IPVS_CHAIN, line: null, rule: `${s.packet.dst} is on kube-ipvs0; no virtual server on ${s.packet.proto}/${s.packet.dport}`,
      effects: [{ kind: 'local-socket' }],
      before: s.packet, after: s.packet, mark: s.mark,
    });
    return { ...s, hops: [...s.hops, hop] };
  }

  /** Did IPVS on this node schedule this packet? */
  private scheduledHere(s: ConnState): boolean {
    return s.hops.some(h => h.node === this.node.name && h.chain === IPVS_CHAIN && hasEffect(h.effects, 'dnat'));
  }

  private hook(hook: Hook, state: ConnState): TableOutcome[] {
    return this.remap(this.rules.runHook(hook, state), state.hops.length);
  }

  private table(hook: Hook, table: Table, state: ConnState): TableOutcome[] {
    return this.remap(this.rules.runTable(hook, table, state), state.hops.length);
  }

  /** Hops of the compiled payload → the line and text of the IPVS payload kube-proxy writes. */
  private remap(outs: TableOutcome[], from: number): TableOutcome[] {
    return outs.map(o => ({
      verdict: o.verdict,
      state: {
        ...o.state,
        hops: o.state.hops.map((h, i) => {
          if (i < from || h.node !== this.node.name || h.line === null || h.chain === IPVS_CHAIN) return h;
          const line = this.origin[h.line];
          if (line === undefined) return h;
          return { ...h, line, rule: this.originalLines[line]!.trim() };
        }),
      },
    }));
  }
}

function vsKey(address: string, protocol: string, port: number): string {
  return `${address}|${protocol.toUpperCase()}|${port}`;
}

export const ipvsProgram: ProgramFactory = (model, node, network) => {
  const bridge = node.podGateway && node.podGateway !== 'none' && node.podCIDR ? node.podCIDR : null;
  return new IpvsRules(network, generateIpvs(model, { nodeName: node.name }), bridge);
};
