// The packet walk in nftables mode (extension/src/engine/walk/nftables.ts) against real packets. The
// same two-node lab cluster and cases as walk.test.ts (walk-cases.ts), but every node runs the table
// generateNftables() makes, loaded with `nft -f` from its `script` (kube-proxy's nftables mode needs
// no jumps from other tables), and the walk runs with mode 'nftables'. For every case the walk
// predicts which endpoints a connection can reach and which source address each pod sees; real
// connections must agree (see walk-cases.ts). On top of that, the kernel's own rule trace is
// compared with the walk rule by rule:
//   - each node also gets a small table of its own, natlens-trace, whose base chains at priority
//     -500 (before kube-proxy's) on prerouting and output only `meta nftrace set 1`; it decides
//     nothing, so kube-proxy's table sees exactly the packets it would see without it;
//   - while a case's connections run, `nft monitor trace` records every rule that matched in table
//     kube-proxy on each node. The rules one packet matched on one node (chain and verdict, e.g.
//     "services: goto external-…", "mark-for-masquerade: continue", "reject-chain: drop") must be
//     exactly the hops of one of the walk's branches on that node, in order;
//   - DROP/REJECT: at least one traced packet per try on the walk's last node ends in the walk's
//     last chain with the kernel verdict drop (a reject statement reports drop after sending its
//     ICMP error).
//
// nftables mode differs from iptables mode in ways the extra cases below pin down:
//   - no localhost NodePorts (127.0.0.1:<nodePort> is not translated);
//   - a ClusterIP's unknown port is REJECTed (cluster-ips-check), and an address of the service
//     CIDR that no Service holds is DROPped;
//   - nodePortAddresses defaults to the node's primary IP (the profile applies that default), so a
//     node's other local addresses (here the pod gateway address) do not accept NodePorts.
//
// Needs root, network namespaces, iptables (the lab's tools), conntrack and nft; otherwise skipped.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nftSupport, type Lab } from './lab';
import { generateNftables } from '../../extension/src/engine/proxy/nftables/generator';
import { Walker, type WalkResult } from '../../extension/src/engine/walk/walk';
import type { RuleHop } from '../../extension/src/engine/walk/netfilter';
import { A1, A2, GW1, WEB_IP, buildModel, cases, localSource, N2, runLab, type Case, type KernelBackend, type Style } from './walk-cases';

const support = nftSupport();
if (!support.ok) console.log(`# kernel lab unavailable, skipping: ${support.reason}`);

const NODES = ['node1', 'node2'] as const;

// ---------------------------------------------------------------------------------------- cases

function nftCases(style: Style): Case[] {
  const pod = { kind: 'pod', ip: A1, node: 'node1' } as const;
  return [
    // from a2: the kernel rate-limits ICMP errors per destination host (net.ipv4.icmp_ratelimit,
    // a burst of 6), and a1 has just had 5 for the "ClusterIP without endpoints" case
    { name: 'ClusterIP, a port the Service does not have: pod a2 -> REJECT (cluster-ips-check)', from: { pod: 'a2' }, source: { kind: 'pod', ip: A2, node: 'node1' }, dst: WEB_IP, dport: 81,
      expect: 'REJECT' },
    { name: 'ClusterIP, a port the Service does not have: node1 host network -> REJECT (cluster-ips-check in filter-output)', from: { node: 'node1' }, source: { kind: 'node', node: 'node1' }, dst: WEB_IP, dport: 81,
      expect: 'REJECT' },
    { name: 'Service CIDR address no Service holds: pod a1 -> DROP', from: { pod: 'a1' }, source: pod, dst: '172.30.0.99', dport: 80,
      expect: 'DROP' },
    { name: 'no localhost NodePorts: node1 host network -> 127.0.0.1:30080 is not translated', from: { node: 'node1' }, source: { kind: 'node', node: 'node1' }, dst: '127.0.0.1', dport: 30080,
      expect: 'NONE' },
    { name: 'NodePort, externalTrafficPolicy Local: node2 host network -> its own node IP (no local endpoint: local traffic short-circuits to every endpoint, masqueraded)', from: { node: 'node2' }, source: { kind: 'node', node: 'node2' }, dst: N2, dport: 30081,
      expect: { a1: N2 } },
    { name: 'NodePort, Cluster: node2 host network -> node2 (masqueraded towards every endpoint)', from: { node: 'node2' }, source: { kind: 'node', node: 'node2' }, dst: N2, dport: 30080,
      expect: { a1: N2, a2: N2, b1: localSource(style, 'node2') } },
    // the pod gateway address is local to node1 but not its primary IP
    ...(style === 'ip' ? [{ name: 'NodePort on the pod gateway address (not the primary IP): pod a1 -> 10.0.1.1:30080 is not a NodePort in nftables mode', from: { pod: 'a1' }, source: pod, dst: GW1, dport: 30080,
      expect: 'NONE' } as Case] : []),
  ];
}

// ---------------------------------------------------------------------------------------- tracing

const TRACE_TABLE = `table ip natlens-trace {
  chain prerouting { type filter hook prerouting priority -500; policy accept; meta nftrace set 1; }
  chain output { type filter hook output priority -500; policy accept; meta nftrace set 1; }
}
`;

/** The port the tracer's sync packets go to (node -> 127.0.0.1, refused); their paths are left out. */
const MARK_PORT = 9;

/** One packet's passage through table kube-proxy on one node: "chain: verdict" per matched rule. */
interface KernelPath { node: string; id: string; sport: string; packet: string; steps: string[]; rules: string[] }

/** Reads `nft monitor trace` text: the rules each packet matched in table kube-proxy. */
function parseTrace(node: string, text: string): KernelPath[] {
  const paths: KernelPath[] = [];
  // trace id -> the packet it currently stands for, and the base chains it has been through
  const current = new Map<string, { path: KernelPath; bases: Set<string>; marker: boolean }>();
  for (const line of text.split('\n')) {
    const packet = /^trace id (\S+) ip (\S+) (\S+) packet: (.*)$/.exec(line);
    if (packet) {
      const [, id, table, chain, fields] = packet as unknown as [string, string, string, string, string];
      if (table !== 'kube-proxy') continue;
      const sport = /\btcp sport (\d+)/.exec(fields)?.[1] ?? '-';
      // only the connections' first packets (TCP SYN) count: the lab's own multicast reports
      // (IGMP) also cross the nodes' prerouting as new conntrack entries, and so do the sync packets
      const marker = new RegExp(`\\btcp (dport|sport) ${MARK_PORT}\\b`).test(fields) || !/\btcp flags == syn\b/.test(fields);
      const cur = current.get(id);
      // the same trace id for another packet (ids are reused), or the same chain again: a new packet
      if (!cur || cur.path.sport !== sport || cur.bases.has(chain)) {
        const path: KernelPath = { node, id, sport, packet: fields.trim(), steps: [], rules: [] };
        current.set(id, { path, bases: new Set([chain]), marker });
        if (!marker) paths.push(path);
      } else {
        cur.bases.add(chain);
      }
      continue;
    }
    const rule = /^trace id (\S+) ip (\S+) (\S+) rule (.*) \(verdict (.+)\)\s*$/.exec(line);
    if (rule) {
      const [, id, table, chain, text, verdict] = rule as unknown as [string, string, string, string, string, string];
      if (table !== 'kube-proxy') continue;
      const cur = current.get(id);
      if (!cur) throw new Error(`trace on ${node}: a rule event before its packet: ${line}`);
      cur.path.steps.push(`${chain}: ${verdict}`);
      cur.path.rules.push(`${chain}: ${text} (verdict ${verdict})`);
    }
  }
  return paths.filter(p => p.steps.length > 0);
}

/** The kernel's verdict word for what a walk hop did: its last effect that decides the packet's way. */
function kernelVerdict(h: RuleHop): string {
  const last = h.effects.filter(e => e.kind !== 'affinity-hit' && e.kind !== 'affinity-record').at(-1);
  switch (last?.kind) {
    case 'jump': return `${last.goto ? 'goto' : 'jump'} ${last.chain}`;
    case 'return': return 'return';
    case 'verdict': return last.verdict === 'ACCEPT' ? 'accept' : 'drop'; // reject: the kernel reports NF_DROP
    case 'dnat': case 'snat': return 'accept';
    default: return 'continue';
  }
}

/**
 * The walk's rule path on a node, cut where the kernel starts a new trace: a node's packet to its own
 * address leaves through postrouting and comes back in on loopback (prerouting, input) as a new pass.
 */
function walkPaths(walk: WalkResult, node: string): string[][] {
  return walk.outcomes.flatMap(o => {
    const passes: string[][] = [[]];
    let previous = '';
    for (const h of o.hops.filter(x => x.node === node)) {
      if (previous === 'POSTROUTING' && h.hook !== 'POSTROUTING') passes.push([]);
      passes.at(-1)!.push(`${h.chain}: ${kernelVerdict(h)}`);
      previous = h.hook;
    }
    return passes.filter(p => p.length > 0);
  });
}

const shq = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

const traceDir = mkdtempSync(join(tmpdir(), 'natlens-nft-trace-'));
after(() => rmSync(traceDir, { recursive: true, force: true }));
let traceSeq = 0;

/** `nft monitor trace` in every node while `fn` runs; returns each node's trace text. */
async function traced<T>(lab: Lab, fn: () => Promise<T>): Promise<{ value: T; text: Map<string, string> }> {
  const monitors: { node: string; pid: string; file: string }[] = [];
  const markers = (file: string) => (readFileSync(file, 'utf8').match(new RegExp(`natlens-trace output packet: .*\\btcp dport ${MARK_PORT}\\b`, 'g')) ?? []).length;
  // a refused connection to 127.0.0.1:MARK_PORT shows in the trace once the monitor listens
  const sync = async (m: { node: string; file: string }) => {
    const seen = markers(m.file);
    for (let i = 0; i < 100; i++) {
      await lab.connect({ node: m.node }, '127.0.0.1', MARK_PORT, { count: 1, timeoutMs: 200 });
      for (let k = 0; k < 5; k++) {
        if (markers(m.file) > seen) return;
        await new Promise(r => setTimeout(r, 10));
      }
    }
    throw new Error(`nft monitor trace on ${m.node} recorded nothing`);
  };
  try {
    for (const node of NODES) {
      const file = join(traceDir, `${node}-${++traceSeq}.trace`);
      const r = await lab.run({ node }, 'sh', ['-c', `nft monitor trace > ${shq(file)} 2>&1 & echo $!`]);
      assert.equal(r.code, 0, r.stderr);
      monitors.push({ node, pid: r.stdout.trim(), file });
    }
    for (const m of monitors) await sync(m);
    const value = await fn();
    for (const m of monitors) await sync(m);
    return { value, text: new Map(monitors.map(m => [m.node, readFileSync(m.file, 'utf8')])) };
  } finally {
    for (const m of monitors) if (/^\d+$/.test(m.pid)) await lab.run({ node: m.node }, 'kill', [m.pid]);
  }
}

let lastTrace = '';

const nftables: KernelBackend = {
  async load(lab, model) {
    for (const node of NODES) {
      const { script } = generateNftables(model, { nodeName: node });
      const r = await lab.run({ node }, 'nft', ['-f', '-'], script);
      assert.equal(r.code, 0, `nft -f on ${node}: ${r.stderr}\n${script}`);
      const t = await lab.run({ node }, 'nft', ['-f', '-'], TRACE_TABLE);
      assert.equal(t.code, 0, `trace table on ${node}: ${t.stderr}`);
    }
  },
  async record(lab, walk, last, fn) {
    const { value, text: traces } = await traced(lab, fn);
    const problems: string[] = [];
    const summary: string[] = [];
    let verdictPackets: number | undefined;
    const tries = Array.isArray(value) ? value.length : 0;
    for (const node of NODES) {
      const kernel = parseTrace(node, traces.get(node) ?? '');
      const predicted = walkPaths(walk, node);
      const known = new Set(predicted.map(p => p.join(' > ')));
      const counts = new Map<string, number>();
      for (const p of kernel) counts.set(p.steps.join(' > '), (counts.get(p.steps.join(' > ')) ?? 0) + 1);
      for (const [path, n] of counts) {
        summary.push(`${node} x${n}: ${path}`);
        if (!known.has(path)) {
          const example = kernel.find(p => p.steps.join(' > ') === path)!;
          problems.push(`${node}: ${n} packet(s) took a path the walk does not predict:\n    packet: ${example.packet}\n    kernel: ${example.rules.join('\n            ')}\n    walk:   ${predicted.map(p => p.join(' > ')).join('\n        or: ') || '(no hops on this node)'}`);
        }
      }
      // the tracer saw the connections at all: every try's first packet crosses the first node
      if (node === walk.firstNode && kernel.length < tries) problems.push(`${node}: the trace holds ${kernel.length} packets for ${tries} tries`);
      if (last && node === last.node) verdictPackets = kernel.filter(p => p.steps.at(-1) === `${last.chain}: drop`).length;
    }
    lastTrace = summary.join('\n');
    const tracedText = NODES.map(node => {
      const lines = summary.filter(l => l.startsWith(`${node} `));
      const packets = lines.reduce((n, l) => n + Number(/ x(\d+):/.exec(l)![1]), 0);
      return packets ? `${node} ${packets} packets on ${lines.length} rule path${lines.length === 1 ? '' : 's'}` : null;
    }).filter(Boolean).join(', ');
    const text = `traced: ${tracedText || 'nothing'}${last ? `; ${verdictPackets} ended in ${last.chain} (drop) on ${last.node}` : ''}`;
    return { value, problems, text, ...(verdictPackets !== undefined ? { verdictPackets } : {}) };
  },
  verdictRecordName: (last, verdict) => `the traced packets of nft chain ${last.chain} on ${last.node} ending in drop (the kernel's word for ${verdict})`,
  async evidence(lab) {
    const out: string[] = [];
    for (const node of NODES) {
      const ct = await lab.run({ node }, 'conntrack', ['-L']);
      out.push(`--- ${node}: conntrack -L\n${ct.stdout.trim()}`);
    }
    out.push(`--- kernel rule paths (nft monitor trace) of the last case\n${lastTrace}`);
    return out.join('\n');
  },
};

// ---------------------------------------------------------------------------------------- tests

test('trace parsing: packets, reused trace ids, sync packets and other traffic', () => {
  const text = [
    'trace id aa ip natlens-trace output packet: oif "lo" ip saddr 127.0.0.1 ip daddr 127.0.0.1 tcp sport 5000 tcp dport 9 tcp flags == syn',
    'trace id aa ip kube-proxy filter-output-pre-dnat packet: oif "lo" ip saddr 127.0.0.1 ip daddr 127.0.0.1 tcp sport 5000 tcp dport 9 tcp flags == syn',
    'trace id aa ip kube-proxy filter-output-pre-dnat rule ct state new jump firewall-check (verdict jump firewall-check)',
    'trace id bb ip kube-proxy filter-prerouting-pre-dnat packet: iif "eth0" ip saddr 10.0.1.2 ip daddr 172.30.0.10 tcp sport 41000 tcp dport 81 tcp flags == syn tcp window 64240',
    'trace id bb ip kube-proxy filter-prerouting-pre-dnat rule ct state new jump firewall-check (verdict jump firewall-check)',
    'trace id bb ip kube-proxy nat-prerouting packet: iif "eth0" ip saddr 10.0.1.2 ip daddr 172.30.0.10 tcp sport 41000 tcp dport 81 tcp flags == syn tcp window 64240',
    'trace id bb ip kube-proxy nat-prerouting rule jump services (verdict jump services)',
    'trace id bb ip kube-proxy filter-forward packet: iif "eth0" oif "eth0" ip saddr 10.0.1.2 ip daddr 172.30.0.10 tcp sport 41000 tcp dport 81 tcp flags == syn tcp window 64240',
    'trace id bb ip kube-proxy cluster-ips-check rule ip daddr @cluster-ips reject comment "Reject traffic to invalid ports of ClusterIPs" (verdict drop)',
    'trace id bb ip kube-proxy filter-prerouting-pre-dnat packet: iif "eth0" ip saddr 10.0.1.2 ip daddr 172.30.0.10 tcp sport 41000 tcp dport 81 tcp flags == syn tcp window 64240',
    'trace id bb ip kube-proxy filter-prerouting-pre-dnat rule ct state new jump firewall-check (verdict jump firewall-check)',
    'trace id cc ip kube-proxy filter-prerouting-pre-dnat packet: iif "eth0" ip saddr 0.0.0.0 ip daddr 224.0.0.22 igmp type membership-report-v3',
    'trace id cc ip kube-proxy filter-prerouting-pre-dnat rule ct state new jump firewall-check (verdict jump firewall-check)',
  ].join('\n');
  const paths = parseTrace('node1', text);
  assert.deepEqual(paths.map(p => p.steps), [
    ['filter-prerouting-pre-dnat: jump firewall-check', 'nat-prerouting: jump services', 'cluster-ips-check: drop'],
    ['filter-prerouting-pre-dnat: jump firewall-check'],
  ]);
});

for (const style of ['ip', 'none'] as const) {
  const title = `nftables walk vs kernel, pod gateway ${style === 'ip' ? 'address (bridge/ptp CNI)' : 'none (Calico style)'}`;
  test(title, { skip: support.ok ? false : support.reason }, async (t) => {
    const model = buildModel(style, 'nftables');
    assert.equal(model.profile.proxyMode, 'nftables');
    assert.deepEqual(model.profile.nodePortAddresses, ['primary'], 'nftables mode defaults nodePortAddresses to the primary IP');
    const walker = new Walker(model, new Map(), 'nftables');
    await runLab(t, style, model, walker, [...cases(style), ...nftCases(style)], nftables);
  });
}
