// `ipset save` text for kube-proxy's sets (also what `ipset restore` reads).
//
// kube-proxy creates each set with `ipset create NAME TYPE family inet|inet6 hashsize 1024
// maxelem 65536 -exist` (hash types) or `ipset create NAME bitmap:port range 0-65535 -exist`
// (pkg/proxy/ipvs/ipset/ipset.go createSet; no "comment" option) and adds entries one by one.
// `ipset save` prints "create NAME TYPE <header>" and then "add NAME ENTRY" per member. Checked
// against ipset v7.17 on Linux 6.18 (test/kernel/ipvs-load.test.ts):
//   * ipset >= 7.10 with kernel >= 5.11 appends "bucketsize 12 initval 0x<random>" to hash headers;
//     we print the classic header (what older ipset prints, and what restore accepts either way);
//   * a hash:ip,port,net member whose net is a host (/32, /128) prints without the prefix length;
//   * bitmap:port members print in port order; hash members print in the kernel's hash order, which
//     we cannot know, so we print them sorted like kube-proxy's sets.List();
//   * the kernel refuses a hash:ip,port,net member with prefix length 0 (kube-proxy only logs the
//     failed `ipset add`), so such entries are left out;
//   * sets are listed in creation order; kube-proxy creates them in Go map order (random), we use
//     upstream's ipsetInfo order.
import type { Ipset } from './objects';

/** The member text `ipset save` prints for an entry kube-proxy added. */
export function savedEntry(set: Pick<Ipset, 'type'>, text: string): string {
  if (set.type !== 'hash:ip,port,net') return text;
  return text.replace(/\/(32|128)$/, (m, bits: string) => {
    const net = text.slice(text.lastIndexOf(',') + 1, text.lastIndexOf('/'));
    const v6 = net.includes(':');
    return (v6 && bits === '128') || (!v6 && bits === '32') ? '' : m;
  });
}

export function renderIpsetSave(sets: readonly Ipset[]): string {
  const out: string[] = [];
  for (const s of sets) {
    out.push(s.type === 'bitmap:port'
      ? `create ${s.name} bitmap:port range ${s.range}`
      : `create ${s.name} ${s.type} family ${s.family} hashsize ${s.hashsize} maxelem ${s.maxelem}`);
    for (const e of s.entries) {
      if (e.kernelRejects) continue;
      out.push(`add ${s.name} ${savedEntry(s, e.text)}`);
    }
  }
  return out.join('\n') + '\n';
}
