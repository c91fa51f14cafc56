// Golden tests from kube-proxy's own pkg/proxy/ipvs/proxier_test.go, translated into fixtures under
// golden/ipvs/ (see its README): the IPVS state upstream compares with reflect.DeepEqual, its
// checkIPVS / checkIPSet / checkIptables helpers and the other assertions, each with upstream's
// semantics; the pure-function vectors (TestGetNodeIPs, TestIpIsValidForSet). Upstream states no
// expectation for `ipvsadm -Ln`, `ipvsadm -S` or `ipset save` text, so the renderers are tested on
// their own with cases checked by hand against ipvsadm's and ipset's printf formats (and, for
// ipset, against the real tool in test/kernel/ipvs-load.test.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadGoldenCases, parseKubeProxyTestManifest, type GoldenCase } from '../support/golden';
import {
  generateIpvs, isValidForSet, nodeAddressSet, type IpvsRuleset, type IpvsVirtualServer, type Ipset,
} from '../../extension/src/engine/proxy/ipvs/generator';
import { IPSET, ipsetName, type IpsetKey } from '../../extension/src/engine/proxy/ipvs/names';
import { compareServices, glibcMergeSort, renderIpvsadmList, renderIpvsadmRules } from '../../extension/src/engine/proxy/ipvs/ipvsadm';
import { renderIpsetSave } from '../../extension/src/engine/proxy/ipvs/ipset';
import { findMatch, option, parseRestore, type ParsedRule } from '../../extension/src/engine/proxy/iptables/ruleParser';
import { parseIP, type IPFamily } from '../../extension/src/engine/util/ip';
import { parseProfile } from '../../extension/src/engine/model/profile';
import { buildClusterModel } from '../../extension/src/engine/model/cluster';

const ROOT = new URL('./ipvs/', import.meta.url).pathname;
const cases = loadGoldenCases(ROOT);

interface ExpectedVS { address: string; port: number; protocol: string; scheduler: string; flags: number; timeout: number; realServers: { address: string; port: number; weight: number }[] }
interface ExpectedRule { jump: string; matchSet: string; sourceAddress?: string }
type Assertion =
  | { kind: 'ipvsState'; virtualServers: ExpectedVS[] }
  | { kind: 'checkIPVS'; vsNum: number; ip: string; port: number; protocol: string; rs: { ip: string; port: number }[] }
  | { kind: 'vsCount'; expected: number }
  | { kind: 'realServers'; address: string; port?: number; protocol?: string; count?: number; expected: string[] }
  | { kind: 'eachRealServerIs'; addresses: string[]; port: number; protocol: string; expected: string }
  | { kind: 'allTimeouts'; expected: number }
  | { kind: 'ipsetEntries'; set: string; entries: string[] }
  | { kind: 'ipsetActiveEntries'; set: string; count: number; has: string[] }
  | { kind: 'iptablesChain'; chain: string; rules: ExpectedRule[] }
  | { kind: 'masqueradeRandomFully'; expected: boolean }
  | { kind: 'chainDeclarations'; nat: string; filter: string }
  | { kind: 'firstRule'; chain: string; jump: string; sourceAddress: string }
  | { kind: 'boundAddresses'; expected: string[] }
  | { kind: 'noLocalEndpointsMetric'; internal: number; external: number };

const expectedOf = (c: GoldenCase) => (JSON.parse(readFileSync(join(c.dir, 'expected.json'), 'utf8')) as { assertions: Assertion[] }).assertions;

/** Upstream's fake proxier creates every set with isIPv6=false; real IPv6 sets are "KUBE-6-…". */
function realSet(r: IpvsRuleset, upstreamName: string): Ipset {
  const key = (Object.keys(IPSET) as IpsetKey[]).find(k => IPSET[k] === upstreamName);
  assert.ok(key, `unknown ipset ${upstreamName}`);
  const name = ipsetName(key, r.family);
  const s = r.ipsets.find(x => x.name === name);
  assert.ok(s, `no ipset ${name}`);
  return s;
}

/** getRules: `iptables-save` of nat, then of filter, the rules of one chain in order. */
function rulesOf(r: IpvsRuleset, chain: string): ParsedRule[] {
  const tables = parseRestore(r.iptables.payload);
  return ['nat', 'filter'].flatMap(t => tables.find(x => x.name === t)?.rules.filter(x => x.chain === chain) ?? []);
}

const matchSetOf = (rule: ParsedRule) => option(findMatch(rule, 'set'), 'match-set')?.values[0];

function findVS(r: IpvsRuleset, address: string, port?: number, protocol?: string): IpvsVirtualServer[] {
  return r.virtualServers.filter(v => v.address === address && (port === undefined || v.port === port) && (protocol === undefined || v.protocol === protocol));
}

function check(r: IpvsRuleset, a: Assertion): void {
  switch (a.kind) {
    case 'ipvsState': {
      const key = (v: { address: string; port: number; protocol: string }) => `${v.address} ${v.port}/${v.protocol}`;
      const got = new Map(r.virtualServers.map(v => [key(v), {
        address: v.address, port: v.port, protocol: v.protocol, scheduler: v.scheduler, flags: v.flags, timeout: v.timeout,
        realServers: v.realServers.map(rs => ({ address: rs.address, port: rs.port, weight: rs.weight })),
      }]));
      const want = new Map(a.virtualServers.map(v => [key(v), v]));
      assert.deepEqual([...got.keys()].sort(), [...want.keys()].sort(), 'virtual servers');
      for (const [k, v] of want) assert.deepEqual(got.get(k), v, k);
      return;
    }
    case 'checkIPVS': {
      assert.equal(r.virtualServers.length, a.vsNum, 'number of virtual servers');
      for (const v of findVS(r, a.ip, a.port, a.protocol)) {
        assert.equal(v.realServers.length, a.rs.length, `${v.key}: real servers`);
        if (a.rs.length === 1) assert.deepEqual([v.realServers[0]!.address, v.realServers[0]!.port], [a.rs[0]!.ip, a.rs[0]!.port], v.key);
      }
      return;
    }
    case 'vsCount':
      assert.equal(r.virtualServers.length, a.expected, `virtual servers: ${r.virtualServers.map(v => v.key).join(', ')}`);
      return;
    case 'realServers': {
      const found = findVS(r, a.address, a.port, a.protocol);
      assert.equal(found.length, 1, `one virtual server on ${a.address}`);
      const keys = found[0]!.realServers.map(rs => rs.key);
      if (a.count !== undefined) {
        assert.equal(keys.length, a.count, `${a.address}: number of real servers`);
        assert.deepEqual(keys.slice(0, a.expected.length), a.expected, a.address);
      } else assert.deepEqual(keys, a.expected, a.address);
      return;
    }
    case 'eachRealServerIs':
      for (const addr of a.addresses) for (const v of findVS(r, addr, a.port, a.protocol)) {
        for (const rs of v.realServers) assert.equal(rs.key, a.expected, v.key);
      }
      return;
    case 'allTimeouts':
      assert.ok(r.virtualServers.length > 0);
      for (const v of r.virtualServers) assert.equal(v.timeout, a.expected, v.key);
      return;
    case 'ipsetEntries': {
      const s = realSet(r, a.set);
      assert.deepEqual(s.entries.map(e => e.text).sort(), [...a.entries].sort(), s.name);
      return;
    }
    case 'ipsetActiveEntries': {
      const texts = realSet(r, a.set).entries.map(e => e.text);
      assert.equal(texts.length, a.count, `${a.set}: ${texts.join(' ')}`);
      for (const t of a.has) assert.ok(texts.includes(t), `${a.set} has ${t}`);
      return;
    }
    case 'iptablesChain': {
      const rules = rulesOf(r, a.chain);
      assert.equal(rules.length, a.rules.length, `${a.chain}:\n${rules.map(x => x.text).join('\n')}`);
      const setName = (n: string) => (n ? realSet(r, n).name : undefined);
      a.rules.forEach((want, i) => {
        const got = rules[i]!;
        assert.equal(got.target, want.jump, got.text);
        assert.equal(matchSetOf(got), setName(want.matchSet), got.text);
        if (want.sourceAddress) assert.equal(got.source?.value, want.sourceAddress, got.text);
      });
      return;
    }
    case 'masqueradeRandomFully': {
      const rule = rulesOf(r, 'KUBE-POSTROUTING').filter(x => x.table === 'nat').find(x => x.target === 'MASQUERADE');
      assert.ok(rule, 'a -j MASQUERADE rule in KUBE-POSTROUTING');
      assert.equal(rule.targetOptions.some(o => o.name === 'random-fully'), a.expected, rule.text);
      return;
    }
    case 'chainDeclarations': {
      const decl = (t: string) => r.iptables.lines.filter(l => l.table === t && l.text.startsWith(':')).map(l => l.text + '\n').join('');
      assert.equal(decl('nat'), a.nat);
      assert.equal(decl('filter'), a.filter);
      return;
    }
    case 'firstRule': {
      const first = rulesOf(r, a.chain)[0];
      assert.ok(first, `${a.chain} has rules`);
      assert.equal(first.target, a.jump);
      assert.equal(first.source?.value, a.sourceAddress);
      return;
    }
    case 'boundAddresses':
      assert.deepEqual([...r.dummyAddresses].sort(), [...a.expected].sort());
      return;
    case 'noLocalEndpointsMetric':
      assert.deepEqual([r.noLocalEndpoints.internal.length, r.noLocalEndpoints.external.length], [a.internal, a.external]);
  }
}

test('every ipvs golden case directory holds something to check', () => {
  assert.ok(cases.length >= 60, `only ${cases.length} golden cases`);
  for (const c of cases) {
    assert.equal(c.model.profile.proxyMode, 'ipvs', c.name);
    assert.ok(expectedOf(c).length > 0, c.name);
  }
});

for (const c of cases) {
  test(`golden: ${c.name}`, () => {
    const r = generateIpvs(c.model);
    for (const a of expectedOf(c)) check(r, a);
  });
}

// ---------------------------------------------------------------------------------------------
// Pure functions

test('node addresses match upstream TestGetNodeIPs', () => {
  const data = JSON.parse(readFileSync(join(ROOT, 'get-node-ips.json'), 'utf8')) as { cases: { case: number; ipFamily: IPFamily; devAddresses: Record<string, string[]>; expectIPs: string[] }[] };
  assert.equal(data.cases.length, 12);
  for (const c of data.cases) assert.deepEqual(nodeAddressSet(c.devAddresses, c.ipFamily).sort(), [...c.expectIPs].sort(), `case ${c.case}`);
});

test('isValidForSet matches upstream TestIpIsValidForSet', () => {
  const data = JSON.parse(readFileSync(join(ROOT, 'ip-is-valid-for-set.json'), 'utf8')) as { cases: { ipFamily: IPFamily; ip: string; valid: boolean }[] };
  assert.equal(data.cases.length, 13);
  for (const c of data.cases) assert.equal(isValidForSet(parseIP(c.ip)!, c.ipFamily), c.valid, `${c.ipFamily} ${c.ip}`);
});

test('IPv6 set names get KUBE-6- and are cut to 31 characters (ipset.go NewIPSet)', () => {
  assert.equal(ipsetName('clusterIP', 'IPv4'), 'KUBE-CLUSTER-IP');
  assert.equal(ipsetName('clusterIP', 'IPv6'), 'KUBE-6-CLUSTER-IP');
  assert.equal(ipsetName('loadBalancerSourceCIDR', 'IPv6'), 'KUBE-6-LOAD-BALANCER-SOURCE-CID');
  assert.equal(ipsetName('nodePortLocalSCTP', 'IPv6'), 'KUBE-6-NODE-PORT-LOCAL-SCTP-HAS');
});

// ---------------------------------------------------------------------------------------------
// Renderers. No upstream expectation exists for these texts; each expected line below was worked
// out by hand from ipvsadm.c's printf formats ("%-4s %s" service names cut to 33 characters for
// IPv4, "  -> %-28s %-7s %-6d %-10u %-10u" servers) and libipvs' sort, and from `ipset save`.

function vs(address: string, port: number, protocol: 'TCP' | 'UDP' | 'SCTP', rs: [string, number][], extra: Partial<IpvsVirtualServer> = {}): IpvsVirtualServer {
  return {
    kind: 'clusterIP', service: 'ns/svc', portIndex: 0, address, port, protocol, scheduler: 'rr', flags: 0, timeout: 0,
    key: `${address}:${port}/${protocol}`, boundToDummy: true, selection: 'cluster', alsoClaimedBy: [],
    realServers: rs.map(([a, p]) => ({ address: a, port: p, weight: 1, key: a.includes(':') ? `[${a}]:${p}` : `${a}:${p}`, nodeName: null, local: false, ready: true, serving: true, terminating: false })),
    ...extra,
  };
}

test('ipvsadm -Ln layout (hand-checked)', () => {
  const text = renderIpvsadmList([
    vs('10.96.0.10', 53, 'UDP', [['10.244.1.3', 53], ['10.244.0.4', 53]]),
    vs('10.96.0.1', 443, 'TCP', [['192.168.0.2', 6443]]),
    vs('10.96.0.10', 53, 'TCP', [['10.244.0.4', 53]], { flags: 0x1, timeout: 10800 }),
    vs('10.96.7.7', 9000, 'SCTP', []),
  ]);
  assert.equal(text, [
    'IP Virtual Server version 1.2.1 (size=4096)',
    'Prot LocalAddress:Port Scheduler Flags',
    '  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn',
    'TCP  10.96.0.1:443 rr',
    '  -> 192.168.0.2:6443             Masq    1      0          0         ',
    'TCP  10.96.0.10:53 rr persistent 10800',
    '  -> 10.244.0.4:53                Masq    1      0          0         ',
    'UDP  10.96.0.10:53 rr',
    '  -> 10.244.0.4:53                Masq    1      0          0         ',
    '  -> 10.244.1.3:53                Masq    1      0          0         ',
    'SCTP 10.96.7.7:9000 rr',
    '',
  ].join('\n'));
});

test('ipvsadm -Ln: IPv6 brackets, mh flags, connection table size', () => {
  const text = renderIpvsadmList([
    vs('fd00:10:96::a', 53, 'UDP', [['fd00:10:244:1::1234:5678:9abc', 53]], { scheduler: 'mh', flags: 0x10 }),
    vs('2001:db8::1', 30080, 'TCP', [['fd00:10:244::5', 8080]], { scheduler: 'sh', flags: 0x10 | 0x1, timeout: 60 }),
  ], 65536);
  assert.equal(text, [
    'IP Virtual Server version 1.2.1 (size=65536)',
    'Prot LocalAddress:Port Scheduler Flags',
    '  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn',
    'TCP  [2001:db8::1]:30080 sh (sh-port) persistent 60',
    '  -> [fd00:10:244::5]:8080        Masq    1      0          0         ',
    'UDP  [fd00:10:96::a]:53 mh (mh-port)',
    '  -> [fd00:10:244:1::1234:5678:9abc]:53 Masq    1      0          0         ',
    '',
  ].join('\n'));
});

test('libipvs compares addresses as a signed difference of unsigned words (10.x sorts after 192.x)', () => {
  const sorted = glibcMergeSort([vs('10.96.0.1', 443, 'TCP', []), vs('192.168.0.2', 30080, 'TCP', []), vs('172.17.0.1', 30080, 'TCP', []), vs('10.96.0.1', 80, 'TCP', [])], compareServices);
  assert.deepEqual(sorted.map(v => `${v.address}:${v.port}`), ['172.17.0.1:30080', '192.168.0.2:30080', '10.96.0.1:80', '10.96.0.1:443']);
  // IPv4 before IPv6, and TCP (6) before UDP (17) before SCTP (132)
  const mixed = glibcMergeSort([vs('::1', 1, 'TCP', []), vs('1.1.1.1', 1, 'SCTP', []), vs('1.1.1.1', 1, 'UDP', [])], compareServices);
  assert.deepEqual(mixed.map(v => `${v.protocol} ${v.address}`), ['UDP 1.1.1.1', 'SCTP 1.1.1.1', 'TCP ::1']);
});

test('glibc merge sort keeps equal elements in input order', () => {
  const items = [{ k: 2, i: 0 }, { k: 1, i: 1 }, { k: 2, i: 2 }, { k: 1, i: 3 }, { k: 0, i: 4 }];
  assert.deepEqual(glibcMergeSort(items, (a, b) => a.k - b.k).map(x => x.i), [4, 1, 3, 0, 2]);
});

test('ipvsadm -S -n rules (hand-checked)', () => {
  const text = renderIpvsadmRules([
    vs('10.96.0.10', 53, 'UDP', [['10.244.0.4', 53]]),
    vs('10.96.0.10', 53, 'TCP', [['10.244.0.4', 53]], { flags: 0x1, timeout: 10800 }),
    vs('2001:db8::1', 80, 'SCTP', [['fd00::5', 8080]], { scheduler: 'mh', flags: 0x10 }),
  ]);
  assert.equal(text, [
    '-A -t 10.96.0.10:53 -s rr -p 10800',
    '-a -t 10.96.0.10:53 -r 10.244.0.4:53 -m -w 1',
    '-A -u 10.96.0.10:53 -s rr',
    '-a -u 10.96.0.10:53 -r 10.244.0.4:53 -m -w 1',
    '-A --sctp-service [2001:db8::1]:80 -s mh -b mh-port',
    '-a --sctp-service [2001:db8::1]:80 -r [fd00::5]:8080 -m -w 1',
    '',
  ].join('\n'));
});

test('ipset save: headers, host nets without prefix, bitmap order, refused entries left out', () => {
  const set = (name: string, type: Ipset['type'], entries: string[], family: Ipset['family'] = 'inet', rejects: string[] = []): Ipset => ({
    key: 'clusterIP', name, type, family, hashsize: 1024, maxelem: 65536, range: '0-65535', comment: '',
    entries: entries.map(text => ({ text, kernelRejects: rejects.includes(text) ? 'zero prefix' : undefined })),
  });
  const text = renderIpsetSave([
    set('KUBE-CLUSTER-IP', 'hash:ip,port', ['10.96.0.1,tcp:443', '10.96.0.10,udp:53']),
    set('KUBE-LOAD-BALANCER-SOURCE-CIDR', 'hash:ip,port,net', ['1.2.3.4,tcp:80,0.0.0.0/0', '1.2.3.4,tcp:80,10.0.0.0/8', '1.2.3.4,tcp:80,203.0.113.7/32'], 'inet', ['1.2.3.4,tcp:80,0.0.0.0/0']),
    set('KUBE-6-LOAD-BALANCER-SOURCE-CID', 'hash:ip,port,net', ['2001:db8::1,tcp:80,2001:db8::/128', '2001:db8::1,tcp:80,2001:db8::/64'], 'inet6'),
    set('KUBE-NODE-PORT-TCP', 'bitmap:port', ['3001', '30001'], null),
  ]);
  assert.equal(text, [
    'create KUBE-CLUSTER-IP hash:ip,port family inet hashsize 1024 maxelem 65536',
    'add KUBE-CLUSTER-IP 10.96.0.1,tcp:443',
    'add KUBE-CLUSTER-IP 10.96.0.10,udp:53',
    'create KUBE-LOAD-BALANCER-SOURCE-CIDR hash:ip,port,net family inet hashsize 1024 maxelem 65536',
    'add KUBE-LOAD-BALANCER-SOURCE-CIDR 1.2.3.4,tcp:80,10.0.0.0/8',
    'add KUBE-LOAD-BALANCER-SOURCE-CIDR 1.2.3.4,tcp:80,203.0.113.7',
    'create KUBE-6-LOAD-BALANCER-SOURCE-CID hash:ip,port,net family inet6 hashsize 1024 maxelem 65536',
    'add KUBE-6-LOAD-BALANCER-SOURCE-CID 2001:db8::1,tcp:80,2001:db8::',
    'add KUBE-6-LOAD-BALANCER-SOURCE-CID 2001:db8::1,tcp:80,2001:db8::/64',
    'create KUBE-NODE-PORT-TCP bitmap:port range 0-65535',
    'add KUBE-NODE-PORT-TCP 3001',
    'add KUBE-NODE-PORT-TCP 30001',
    '',
  ].join('\n'));
});

// ---------------------------------------------------------------------------------------------
// Behaviour read from proxier.go that no upstream test states (listed at the top of generator.ts).


function model(manifests: string, profile: string) {
  return buildClusterModel(parseKubeProxyTestManifest(manifests, 'm.yaml').objects, parseProfile(profile).profile);
}

const NODEPORT_LB = `
apiVersion: v1
kind: Service
metadata: { name: web, namespace: default }
spec:
  type: LoadBalancer
  clusterIP: 10.96.0.50
  sessionAffinity: ClientIP
  loadBalancerSourceRanges: ["0.0.0.0/0", "192.168.0.0/24"]
  ports: [{ name: http, port: 80, protocol: TCP, nodePort: 30080 }]
status: { loadBalancer: { ingress: [{ ip: 198.51.100.7 }] } }
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: { name: web-1, namespace: default, labels: { kubernetes.io/service-name: web } }
addressType: IPv4
endpoints: [{ addresses: [10.244.0.9], nodeName: node-a }]
ports: [{ name: http, port: 8080, protocol: TCP }]
`;
const TWO_NODES = `proxyMode: ipvs
nodeName: node-a
nodeIPs: [192.168.0.2]
clusterCIDR: 10.244.0.0/16
nodes:
  - { name: node-a, ips: [192.168.0.2], podCIDR: 10.244.0.0/24, podGateway: 10.244.0.1 }
  - { name: node-b, ips: [192.168.0.3], podCIDR: 10.244.1.0/24, podGateway: none }
`;

test('NodePorts listen on every local address: node IPs and the pod gateway on the host (netlink local routes)', () => {
  const a = generateIpvs(model(NODEPORT_LB, TWO_NODES));
  assert.deepEqual(a.nodePortAddresses, [{ address: '192.168.0.2', source: 'node' }, { address: '10.244.0.1', source: 'podGateway' }]);
  assert.deepEqual(a.virtualServers.filter(v => v.kind === 'nodePort').map(v => v.key), ['192.168.0.2:30080/TCP', '10.244.0.1:30080/TCP']);
  const b = generateIpvs(model(NODEPORT_LB, TWO_NODES), { nodeName: 'node-b' });
  assert.deepEqual(b.nodePortAddresses.map(n => n.address), ['192.168.0.3']);
});

test('ClientIP affinity is IPVS persistence; "mh" adds the source-hash flag; strictARP adds sysctls', () => {
  const r = generateIpvs(model(NODEPORT_LB, TWO_NODES), { ipvs: { scheduler: 'mh', strictARP: true } });
  for (const v of r.virtualServers) assert.deepEqual([v.scheduler, v.flags, v.timeout], ['mh', 0x11, 10800], v.key);
  assert.match(r.ipvsadm, /^TCP {2}10\.96\.0\.50:80 mh \(mh-port\) persistent 10800$/m);
  assert.ok(r.sysctls.some(s => s.name === 'net/ipv4/conf/all/arp_ignore' && s.value === 1));
  assert.equal(generateIpvs(model(NODEPORT_LB, TWO_NODES)).settings.scheduler, 'rr');
});

test('loadBalancerSourceRanges: the node IP in a range allows the LB IP as source; 0.0.0.0/0 is refused by the kernel', () => {
  const r = generateIpvs(model(NODEPORT_LB, TWO_NODES));
  const cidr = r.ipsets.find(s => s.key === 'loadBalancerSourceCIDR')!;
  assert.deepEqual(cidr.entries.map(e => [e.text, !!e.kernelRejects]), [['198.51.100.7,tcp:80,0.0.0.0/0', true], ['198.51.100.7,tcp:80,192.168.0.0/24', false]]);
  assert.doesNotMatch(r.ipsetSave, /0\.0\.0\.0\/0/);
  assert.deepEqual(r.ipsets.find(s => s.key === 'loadBalancerSourceIP')!.entries.map(e => e.text), ['198.51.100.7,tcp:80,198.51.100.7']);
  assert.doesNotMatch(r.iptables.payload, /KUBE-IPVS-OUT-FILTER -s/);
  // a node IP outside every range (0.0.0.0/0 contains every address, so drop it): the node may not use the LB IP
  const b = generateIpvs(model(NODEPORT_LB.replace('"0.0.0.0/0", ', ''), TWO_NODES.replace('ips: [192.168.0.2]', 'ips: [192.168.7.2]').replace('nodeIPs: [192.168.0.2]', 'nodeIPs: [192.168.7.2]')));
  assert.match(b.iptables.payload, /^-A KUBE-IPVS-OUT-FILTER -s 198\.51\.100\.7 -m ipvs --vaddr 198\.51\.100\.7 --vproto tcp --vport 80 -j DROP$/m);
});

test('externalTrafficPolicy Local without a local endpoint falls back to the cluster endpoints (no SNAT)', () => {
  const manifests = NODEPORT_LB.replace('sessionAffinity: ClientIP', 'externalTrafficPolicy: Local');
  const r = generateIpvs(model(manifests, TWO_NODES), { nodeName: 'node-b' });
  const lb = r.virtualServers.find(v => v.kind === 'loadBalancer')!;
  assert.equal(lb.selection, 'local-fallback-to-cluster');
  assert.deepEqual(lb.realServers.map(rs => rs.key), ['10.244.0.9:8080']);
  assert.deepEqual(r.noLocalEndpoints, { internal: [], external: ['default/web'] });
  assert.deepEqual(r.ipsets.find(s => s.key === 'loadBalancerLocal')!.entries.map(e => e.text), ['198.51.100.7,tcp:80']);
});
