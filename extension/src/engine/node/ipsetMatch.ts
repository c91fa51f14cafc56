// Whether a packet is in an imported ipset (xt_set with the rule's src/dst flags), for the set
// types kube-proxy's IPVS mode and the CNIs create. A type or member this cannot read is reported,
// not guessed.
import { cidrContains, parseCIDR, parseIP } from '../util/ip';
import { portMatches } from '../walk/netfilter';
import type { ImportedIpset } from './ipsetDump';

export interface SetPacket {
  readonly src: string;
  readonly dst: string;
  readonly proto: string;
  readonly sport: number | null;
  readonly dport: number | null;
  readonly inIface: string | null;
  readonly outIface: string | null;
  readonly mark: number;
}

type Dimension = 'ip' | 'net' | 'port' | 'iface' | 'mark';

/** `hash:ip,port,net` → [ip, port, net]; bitmap:ip is ip, list:set is handled apart. */
function dimensions(type: string): Dimension[] | null {
  const m = /^(hash|bitmap):(.+)$/.exec(type);
  if (!m) return null;
  const dims = m[2]!.split(',');
  return dims.every(d => ['ip', 'net', 'port', 'iface', 'mark'].includes(d)) ? dims as Dimension[] : null;
}

/** true/false, or why it cannot be known. */
export function matchesSet(set: ImportedIpset, flags: readonly string[], p: SetPacket, all: ReadonlyMap<string, ImportedIpset>, depth = 0): boolean | string {
  if (set.type === 'list:set') {
    if (depth > 4) return `list:set ${set.name} nests too deep`;
    for (const m of set.members) {
      const member = all.get(m.entry);
      if (!member) return `ipset ${m.entry} (a member of ${set.name}) is not in the paste`;
      const r = matchesSet(member, flags, p, all, depth + 1);
      if (r !== false) return r;
    }
    return false;
  }
  if (set.type === '') return `the type of ipset ${set.name} is not in the paste (its create line is missing)`;
  const dims = dimensions(set.type);
  if (!dims) return `ipset type ${set.type} (${set.name}) is not modelled`;
  if (flags.length < dims.length) return `ipset ${set.name} (${set.type}) matched with only "${flags.join(',')}"`;
  let best: { prefix: number; nomatch: boolean } | null = null;
  for (const m of set.members) {
    const parts = m.entry.split(',');
    let prefix = 0;
    let ok = true;
    for (let i = 0; i < dims.length && ok; i++) {
      const dir = flags[i]!;
      const value = parts[i] ?? '';
      switch (dims[i]!) {
        case 'ip': case 'net': {
          const address = dir === 'src' ? p.src : p.dst;
          const ip = parseIP(address);
          const c = parseIP(value) ? { ip: parseIP(value)!, prefix: value.includes(':') ? 128 : 32 } : parseCIDR(value);
          if (!c) return `ipset ${set.name}: member "${m.entry}" is not understood`;
          ok = ip !== null && cidrContains(c, ip);
          prefix += c.prefix;
          break;
        }
        case 'port': {
          const k = value.lastIndexOf(':');
          const proto = k >= 0 ? value.slice(0, k) : set.type.startsWith('bitmap') ? p.proto : 'tcp';
          const port = k >= 0 ? value.slice(k + 1) : value;
          const packetPort = dir === 'src' ? p.sport : p.dport;
          ok = proto === p.proto && packetPort !== null && portMatches(port.replace('-', ':'), packetPort);
          break;
        }
        case 'iface': {
          const iface = dir === 'src' ? p.inIface : p.outIface;
          if (iface === null) return `ipset ${set.name} matches the ${dir === 'src' ? 'incoming' : 'outgoing'} interface: give --${dir === 'src' ? 'in' : 'out'}-iface`;
          const name = value.replace(/^physdev:/, '');
          ok = name.endsWith('+') ? iface.startsWith(name.slice(0, -1)) : iface === name;
          break;
        }
        case 'mark':
          ok = (Number(value) >>> 0) === p.mark;
          break;
      }
    }
    if (ok && (best === null || prefix > best.prefix)) best = { prefix, nomatch: m.nomatch };
  }
  // hash:net: the most specific member decides; a `nomatch` member excludes its range
  return best !== null && !best.nomatch;
}
