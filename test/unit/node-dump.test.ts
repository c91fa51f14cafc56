/* eslint-disable @stylistic/no-tabs -- `nft list ruleset` indents with tabs, and these dumps are its output */
// Reading what people paste from a node: every tool's output, mixed, with prompts, grep prefixes and
// noise; and bad input that must never throw or hang.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseNodeDump } from '../../extension/src/engine/node/dump';

const fixture = readFileSync(new URL('../fixtures/node/mixed-node.txt', import.meta.url), 'utf8');

test('a mixed paste: every tool found, counters and policies read, noise reported with line numbers', () => {
  const d = parseNodeDump(fixture);
  assert.deepEqual(d.kinds, ['iptables', 'ipset', 'conntrack']);
  assert.equal(d.iptables.length, 2);
  const [v4, v6] = d.iptables;
  assert.equal(v4!.family, 'ip');
  assert.equal(v4!.backend, 'nft');
  assert.deepEqual([...v4!.tables.keys()], ['raw', 'mangle', 'filter', 'nat']);
  const pre = v4!.tables.get('nat')!.chains.get('PREROUTING')!;
  assert.equal(pre.policy, 'ACCEPT');
  assert.deepEqual(pre.counters, { packets: 100, bytes: 6000 });
  assert.deepEqual(pre.rules[0]!.counters, { packets: 100, bytes: 6000 });
  assert.equal(pre.rules[0]!.parsed.text, '-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES');
  assert.equal(v4!.tables.get('filter')!.chains.get('FORWARD')!.policy, 'DROP');
  assert.equal(v6!.family, 'ip6');
  assert.deepEqual([...d.ipsets.keys()], ['cali40masq-ipam-pools', 'cali40all-ipam-pools']);
  assert.equal(d.ipsets.get('cali40all-ipam-pools')!.type, 'hash:net');
  assert.deepEqual(d.ipsets.get('cali40all-ipam-pools')!.members.map(m => m.entry), ['10.244.0.0/16']);
  assert.equal(d.conntrack.length, 3);
  assert.deepEqual(d.conntrackFooters.map(f => f.count), [3]);
  assert.deepEqual(d.unknown.map(u => u.line + 1), [1, 2, 123, 124]);
});

test('grep output: file and line prefixes stripped, table from the prompt, iptables -S lines', () => {
  const d = parseNodeDump([
    '$ sudo iptables-save -t nat | grep -n KUBE-SVC-X',
    '12:-A KUBE-SERVICES -d 10.96.0.1/32 -p tcp -m tcp --dport 443 -j KUBE-SVC-X',
    '13:-A KUBE-SVC-X -j KUBE-SEP-Y',
    '$ iptables -S FORWARD',
    '-P FORWARD DROP',
    '-A FORWARD -j ACCEPT',
    'dump.txt:7:-A KUBE-SEP-Y -p tcp -j DNAT --to-destination 10.0.0.5:443',
  ].join('\n'));
  assert.equal(d.unknown.length, 0, JSON.stringify(d.unknown));
  assert.equal(d.iptables[0]!.onlyTable, 'nat');
  const nat = d.iptables[0]!.tables.get('nat')!;
  assert.equal(nat.tableFrom, 'prompt');
  assert.deepEqual([...nat.chains.keys()], ['KUBE-SERVICES', 'KUBE-SVC-X']);
  const filter = d.iptables[1]!.tables.get('filter')!;
  assert.equal(filter.chains.get('FORWARD')!.policy, 'DROP');
  assert.equal(filter.tableFrom, 'default');
});

test('kube-proxy restore input (no built-in chains, -X lines), CRLF and leading blanks', () => {
  const d = parseNodeDump('  *nat\r\n  :KUBE-SERVICES - [0:0]\r\n\r\n  -A KUBE-SERVICES -j RETURN\r\n  -X KUBE-OLD\r\n  COMMIT\r\n');
  assert.equal(d.unknown.length, 0);
  assert.equal(d.iptables[0]!.tables.get('nat')!.chains.get('KUBE-SERVICES')!.rules.length, 1);
});

test('several dumps in one paste: a repeated table starts another dump', () => {
  const one = '*nat\n:PREROUTING ACCEPT [0:0]\n-A PREROUTING -j ACCEPT\nCOMMIT\n';
  const d = parseNodeDump(one + one);
  assert.equal(d.iptables.length, 2);
});

test('rules the parser cannot read are reported with their line, the rest is kept', () => {
  const d = parseNodeDump('*filter\n:INPUT ACCEPT [0:0]\n-A INPUT --dport 80 -j ACCEPT\n-A INPUT -j DROP\nCOMMIT\n');
  assert.deepEqual(d.unknown.map(u => [u.line, u.reason]), [[2, 'option --dport outside a match']]);
  assert.equal(d.iptables[0]!.tables.get('filter')!.chains.get('INPUT')!.rules.length, 1);
});

test('nft list ruleset: base chains with priority names, rules without counters and handles, multi-line elements', () => {
  const d = parseNodeDump(`# nft -a list ruleset
table ip kube-proxy { # handle 3
	comment "rules for kube-proxy"
	set cluster-ips {
		type ipv4_addr
		comment "Active ClusterIPs"
		elements = { 10.96.0.1, 10.96.0.10,
			     10.96.100.10 }
	}
	map service-ips {
		type ipv4_addr . inet_proto . inet_service : verdict
		elements = { 10.96.0.1 . tcp . 443 : goto service-2QRHZV4L-default/kubernetes/tcp/https }
	}
	chain nat-prerouting { # handle 1
		type nat hook prerouting priority dstnat; policy accept;
		jump services # handle 7
	}
	chain filter-prerouting-pre-dnat {
		type filter hook prerouting priority dstnat - 10; policy accept;
		ct state new counter packets 12 bytes 720 jump firewall-check comment "x" # handle 9
	}
}
table ip filter {
	chain FORWARD {
		type filter hook forward priority filter; policy drop;
		counter packets 0 bytes 0 jump KUBE-FORWARD
	}
}
`);
  assert.deepEqual(d.unknown, []);
  const [kp, filter] = d.nft;
  assert.equal(kp!.comment, 'rules for kube-proxy');
  assert.deepEqual(kp!.sets.get('cluster-ips')!.elements, ['10.96.0.1', '10.96.0.10', '10.96.100.10']);
  assert.equal(kp!.sets.get('service-ips')!.kind, 'map');
  assert.equal(kp!.chains.get('nat-prerouting')!.base!.priority, -100);
  const pre = kp!.chains.get('filter-prerouting-pre-dnat')!;
  assert.equal(pre.base!.priority, -110);
  assert.deepEqual(pre.rules[0], { text: 'ct state new jump firewall-check', comment: 'x', counters: { packets: 12, bytes: 720 }, line: 19 });
  assert.equal(filter!.chains.get('FORWARD')!.base!.policy, 'drop');
  assert.equal(filter!.chains.get('FORWARD')!.rules[0]!.text, 'jump KUBE-FORWARD');
});

test('ipvsadm -Ln and -L with names', () => {
  const d = parseNodeDump(`IP Virtual Server version 1.2.1 (size=4096)
Prot LocalAddress:Port Scheduler Flags
  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn
TCP  10.96.0.1:443 rr
  -> 192.168.0.2:6443             Masq    1      3          0
UDP  [fd00::10]:53 rr persistent 10800
  -> [fd00:244::5]:53             Masq    1      0          7
TCP  kubernetes.default.svc.cluster.local:https rr
  -> node-a:6443                  Masq    1      0          0
FWM  100 wrr
`);
  assert.deepEqual(d.unknown, []);
  assert.equal(d.ipvs.length, 4);
  assert.deepEqual([d.ipvs[0]!.vip, d.ipvs[0]!.port, d.ipvs[0]!.realServers[0]!.active], ['10.96.0.1', 443, 3]);
  assert.deepEqual([d.ipvs[1]!.vip, d.ipvs[1]!.persistentSeconds, d.ipvs[1]!.realServers[0]!.addr], ['fd00::10', 10800, '[fd00:244::5]:53']);
  assert.deepEqual([d.ipvs[2]!.vip, d.ipvs[2]!.port], ['kubernetes.default.svc.cluster.local', 443]);
  assert.equal(d.ipvs[3]!.proto, 'FWM');
});

test('ipset save', () => {
  const d = parseNodeDump('create KUBE-CLUSTER-IP hash:ip,port family inet hashsize 1024 maxelem 65536\nadd KUBE-CLUSTER-IP 10.96.0.1,tcp:443\nadd KUBE-CLUSTER-IP 10.96.0.10,udp:53 timeout 0\n');
  assert.deepEqual(d.ipsets.get('KUBE-CLUSTER-IP')!.members.map(m => m.entry), ['10.96.0.1,tcp:443', '10.96.0.10,udp:53']);
  assert.equal(d.ipsets.get('KUBE-CLUSTER-IP')!.family, 'inet');
});

test('conntrack -L: zone, mark, secctx, flags; /proc/net/nf_conntrack lines', () => {
  const d = parseNodeDump([
    'tcp      6 86390 ESTABLISHED src=10.244.0.9 dst=10.96.100.10 sport=40000 dport=80 src=10.244.1.5 dst=10.244.0.9 sport=8080 dport=40000 [ASSURED] mark=16384 secctx=system_u:object_r:unlabeled_t:s0 zone=3 use=1',
    'ipv4     2 udp      17 25 src=10.0.0.1 dst=10.0.0.2 sport=1 dport=2 [UNREPLIED] src=10.0.0.2 dst=10.0.0.1 sport=2 dport=1 mark=0 use=1',
    'icmp     1 29 src=10.0.0.1 dst=10.0.0.2 type=8 code=0 id=7 src=10.0.0.2 dst=10.0.0.1 type=0 code=0 id=7 mark=0 use=1',
  ].join('\n'));
  assert.deepEqual(d.unknown, []);
  const [a, b, c] = d.conntrack;
  assert.deepEqual([a!.state, a!.zone, a!.mark, a!.secctx, a!.flags], ['ESTABLISHED', 3, 16384, 'system_u:object_r:unlabeled_t:s0', ['ASSURED']]);
  assert.deepEqual(a!.reply, { src: '10.244.1.5', dst: '10.244.0.9', sport: 8080, dport: 40000 });
  assert.deepEqual([b!.proto, b!.state, b!.flags], ['udp', null, ['UNREPLIED']]);
  assert.deepEqual([c!.proto, c!.orig.sport], ['icmp', null]);
});

test('garbage never throws and stays linear', () => {
  const inputs = [
    '\u0000\u0001\u0002'.repeat(1000),
    '{'.repeat(100000),
    'table ip x {\n' + 'chain c {\n'.repeat(5000),
    '*nat\n' + '-A X '.repeat(20000) + '\n',
    '-A X -m comment --comment "' + 'a'.repeat(200000),
    'Name: x\nMembers:\n' + '1.2.3.4\n'.repeat(20000),
    'elements = {\n'.repeat(1000),
    Array.from({ length: 2000 }, (_, i) => String.fromCharCode(i * 37 % 65536)).join(''),
    'src=1 '.repeat(50000),
  ];
  for (const text of inputs) {
    const t0 = performance.now();
    const d = parseNodeDump(text);
    assert.ok(performance.now() - t0 < 2000, 'parsing took too long');
    assert.ok(Array.isArray(d.unknown));
  }
});
