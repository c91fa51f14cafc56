// `ipvsadm -Ln` and `ipvsadm -S -n` (ipvsadm-save -n) text for a set of virtual servers.
//
// Layout taken from ipvsadm's own source (ipvsadm.c print_title / print_service_entry and
// libipvs.c ipvs_cmp_services / ipvs_cmp_dests; read in the louygan/ipvsadm and Distrotech/ipvsadm
// copies of ipvsadm 1.31-era code, which Debian bookworm ships as 1:1.31-1):
//   header   "IP Virtual Server version %d.%d.%d (size=%d)"      (1.2.1; size = connection table size)
//   titles   "Prot LocalAddress:Port Scheduler Flags"
//            "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn"
//   service  "%-4s %s" of protocol name and "addr:port" ("[addr]:port" for IPv6), cut to 33
//            characters for IPv4, then " <scheduler>", " (<scheduler flags>)" when any of the three
//            scheduler flags is set, " persistent <timeout>" when persistent
//   server   "  -> %-28s %-7s %-6d %-10u %-10u" of "addr:port" (cut to 28 characters for IPv4),
//            the forwarding method (kube-proxy uses masquerading: "Masq"), weight, active and
//            inactive connections; the last column is padded too, so lines end in spaces.
// Services are sorted by (fwmark, address family, protocol number, address, port) and servers by
// (address, port), with glibc qsort (a merge sort in glibc 2.36) and libipvs' comparators, which
// subtract addresses as 32-bit unsigned numbers and read the result as a signed int: addresses
// more than 2^31 apart compare "backwards" (10.96.0.1 sorts after 192.168.0.2). When the addresses
// of a table form a cycle under that rule (e.g. 10.x < 100.x < 192.x < 10.x) the real order also
// depends on the kernel's hash-table order, which we cannot know; we start from our walk order.
import { parseIP } from '../../util/ip';
import type { IpvsVirtualServer } from './objects';

const PROTO_NUMBER: Record<string, number> = { TCP: 6, UDP: 17, SCTP: 132 };
const RULE_OPTION: Record<string, string> = { TCP: '-t', UDP: '-u', SCTP: '--sctp-service' };
const SCHED1 = 0x08, SCHED2 = 0x10, SCHED3 = 0x20, PERSISTENT = 0x01, ONEPACKET = 0x04;

/** What the comparators read of an address, parsed once per entry rather than once per comparison. */
interface AddressKey {
  readonly v6: boolean;
  /** 32-bit words of the address, in network order (one word for IPv4). */
  readonly words: readonly number[];
  readonly port: number;
}

function addressKey(address: string, port: number): AddressKey {
  const ip = parseIP(address);
  if (!ip) return { v6: false, words: [0], port };
  const b = ip.bytes;
  const words: number[] = [];
  for (let i = 0; i < b.length; i += 4) words.push(((b[i]! << 24) | (b[i + 1]! << 16) | (b[i + 2]! << 8) | b[i + 3]!) >>> 0);
  return { v6: ip.family === 'IPv6', words, port };
}

/** C's `int r = ntohl(a) - ntohl(b)` word by word: unsigned subtraction read as a signed int. */
function compareWords(wa: readonly number[], wb: readonly number[]): number {
  let r = 0;
  for (let i = 0; r === 0 && i < wa.length; i++) r = ((wa[i]! - (wb[i] ?? 0)) | 0);
  return r;
}

interface ServiceKey extends AddressKey { readonly protocol: number }

const serviceKey = (vs: IpvsVirtualServer): ServiceKey => ({ ...addressKey(vs.address, vs.port), protocol: PROTO_NUMBER[vs.protocol] ?? 0 });

function compareServiceKeys(a: ServiceKey, b: ServiceKey): number {
  let r = (a.v6 ? 10 : 2) - (b.v6 ? 10 : 2);
  if (r !== 0) return r;
  r = a.protocol - b.protocol;
  if (r !== 0) return r;
  r = compareWords(a.words, b.words);
  return r !== 0 ? r : a.port - b.port;
}

function compareDestKeys(a: AddressKey, b: AddressKey): number {
  const r = compareWords(a.words, b.words);
  return r !== 0 ? r : a.port - b.port;
}

/** libipvs ipvs_cmp_services (fwmark is always 0 for kube-proxy's services). */
export function compareServices(a: IpvsVirtualServer, b: IpvsVirtualServer): number {
  return compareServiceKeys(serviceKey(a), serviceKey(b));
}

/** libipvs ipvs_cmp_dests. */
export function compareDests(a: { address: string; port: number }, b: { address: string; port: number }): number {
  return compareDestKeys(addressKey(a.address, a.port), addressKey(b.address, b.port));
}

/** glibc's msort_with_tmp (what qsort runs in glibc <= 2.36): top-down merge, left wins ties. */
export function glibcMergeSort<T>(items: readonly T[], cmp: (a: T, b: T) => number): T[] {
  const out = items.slice();
  const merged: T[] = new Array<T>(out.length);
  const sort = (lo: number, n: number): void => {
    if (n <= 1) return;
    const n1 = Math.floor(n / 2), n2 = n - n1;
    sort(lo, n1);
    sort(lo + n1, n2);
    let i = lo, j = lo + n1, r1 = n1, r2 = n2, m = 0;
    while (r1 > 0 && r2 > 0) {
      if (cmp(out[i]!, out[j]!) <= 0) { merged[m++] = out[i++]!; r1--; } else { merged[m++] = out[j++]!; r2--; }
    }
    while (r1 > 0) { merged[m++] = out[i++]!; r1--; }
    for (let k = 0; k < m; k++) out[lo + k] = merged[k]!;
  };
  sort(0, out.length);
  return out;
}

/** An entry with what its address says, for sorting and printing without parsing it again. */
interface Keyed<T, K extends AddressKey> { readonly item: T; readonly key: K }

function sortedServices(services: readonly IpvsVirtualServer[]): Keyed<IpvsVirtualServer, ServiceKey>[] {
  return glibcMergeSort(services.map(item => ({ item, key: serviceKey(item) })), (a, b) => compareServiceKeys(a.key, b.key));
}

function sortedDests<T extends { address: string; port: number }>(dests: readonly T[]): Keyed<T, AddressKey>[] {
  return glibcMergeSort(dests.map(item => ({ item, key: addressKey(item.address, item.port) })), (a, b) => compareDestKeys(a.key, b.key));
}

function addrPort(address: string, port: number, v6: boolean): string {
  return v6 ? `[${address}]:${port}` : `${address}:${port}`;
}

/** print_sched_flags: names depend on the scheduler. */
function schedFlags(scheduler: string, flags: number): string {
  const names: string[] = [];
  if (scheduler === 'sh' || scheduler === 'mh') {
    if (flags & SCHED1) names.push(`${scheduler}-fallback`);
    if (flags & SCHED2) names.push(`${scheduler}-port`);
  } else {
    if (flags & SCHED1) names.push('flag-1');
    if (flags & SCHED2) names.push('flag-2');
    if (flags & SCHED3) names.push('flag-3');
  }
  return names.join(',');
}

function serviceLine(vs: IpvsVirtualServer, v6: boolean): string {
  let name = `${vs.protocol.padEnd(4)} ${addrPort(vs.address, vs.port, v6)}`;
  if (!v6) name = name.slice(0, 33);
  let line = `${name} ${vs.scheduler}`;
  if (vs.flags & (SCHED1 | SCHED2 | SCHED3)) line += ` (${schedFlags(vs.scheduler, vs.flags)})`;
  if (vs.flags & PERSISTENT) line += ` persistent ${vs.timeout}`;
  if (vs.flags & ONEPACKET) line += ' ops';
  return line;
}

/** `ipvsadm -Ln`. Connection counters are 0: this is the table before any traffic. */
export function renderIpvsadmList(services: readonly IpvsVirtualServer[], connTabSize = 4096): string {
  const out = [
    `IP Virtual Server version 1.2.1 (size=${connTabSize})`,
    'Prot LocalAddress:Port Scheduler Flags',
    '  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn',
  ];
  for (const { item: vs, key } of sortedServices(services)) {
    out.push(serviceLine(vs, key.v6));
    for (const { item: rs, key: rsKey } of sortedDests(vs.realServers)) {
      let dname = addrPort(rs.address, rs.port, rsKey.v6);
      if (!rsKey.v6) dname = dname.slice(0, 28);
      out.push(`  -> ${dname.padEnd(28)} ${'Masq'.padEnd(7)} ${String(rs.weight).padEnd(6)} ${'0'.padEnd(10)} ${'0'.padEnd(10)}`);
    }
  }
  return out.join('\n') + '\n';
}

/** `ipvsadm -S -n` (ipvsadm-save -n): rules that `ipvsadm -R` loads. */
export function renderIpvsadmRules(services: readonly IpvsVirtualServer[]): string {
  const out: string[] = [];
  for (const { item: vs, key } of sortedServices(services)) {
    const svc = `${RULE_OPTION[vs.protocol] ?? '--xxx-service'} ${addrPort(vs.address, vs.port, key.v6)}`;
    let line = `-A ${svc} -s ${vs.scheduler}`;
    if (vs.flags & PERSISTENT) line += ` -p ${vs.timeout}`;
    if (vs.flags & ONEPACKET) line += ' -o';
    if (vs.flags & (SCHED1 | SCHED2 | SCHED3)) line += ` -b ${schedFlags(vs.scheduler, vs.flags)}`;
    out.push(line);
    for (const { item: rs, key: rsKey } of sortedDests(vs.realServers)) out.push(`-a ${svc} -r ${addrPort(rs.address, rs.port, rsKey.v6)} -m -w ${rs.weight}`);
  }
  return out.length ? out.join('\n') + '\n' : '';
}
