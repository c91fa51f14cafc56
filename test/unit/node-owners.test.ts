// Every chain owner issue 15 lists, by the chain names and comments each project writes, and the old
// kube-proxy layouts (masquerade marked in KUBE-NODEPORTS, the 0x4d415351 mark): recognised, walked
// through `natlens node trace`, and explained by `natlens node diff`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli, withFile } from '../support/cli';
import { chainOwner, ruleOwner } from '../../extension/src/engine/node/owners';

function trace(dump: string, ...args: string[]) {
  return withFile(dump, path => {
    const r = cli('node', 'trace', path, '--json', ...args);
    assert.equal(r.code, 0, r.err);
    return JSON.parse(r.out);
  });
}

test('chain owners: the names each project writes', () => {
  const cases: [string, string][] = [
    ['KUBE-SERVICES', 'kube-proxy'], ['KUBE-SVC-ERIFXISQEP7F7OF4', 'kube-proxy'], ['KUBE-XLB-GNZBNJ2PO5MGZ6GT', 'kube-proxy'],
    ['KUBE-FIREWALL', 'kubelet'], ['KUBE-KUBELET-CANARY', 'kubelet'],
    ['cali-PREROUTING', 'calico'], ['cali-fip-dnat', 'calico'], ['cali-nat-outgoing', 'calico'],
    ['FLANNEL-POSTRTG', 'flannel'], ['FLANNEL-FWD', 'flannel'],
    ['CILIUM_POST_nat', 'cilium'], ['CILIUM_PRE_raw', 'cilium'], ['OLD_CILIUM_FORWARD', 'cilium'],
    ['AWS-SNAT-CHAIN-0', 'aws-vpc-cni'], ['AWS-CONNMARK-CHAIN-1', 'aws-vpc-cni'],
    ['DOCKER', 'docker'], ['DOCKER-USER', 'docker'], ['DOCKER-ISOLATION-STAGE-1', 'docker'],
    ['KUBE-ROUTER-INPUT', 'kube-router'], ['KUBE-POD-FW-4DPB5JUTEVKUWJVA', 'kube-router'], ['KUBE-NWPLCY-DEFAULT', 'kube-router'],
    ['PREROUTING_direct', 'firewalld'], ['PRE_public', 'firewalld'], ['PRE_public_allow', 'firewalld'], ['IN_public_allow', 'firewalld'],
    ['FWDI_public', 'firewalld'], ['POSTROUTING_ZONES', 'firewalld'], ['FORWARD_IN_ZONES', 'firewalld'],
    ['ufw-before-input', 'ufw'], ['ufw6-user-input', 'ufw'],
    ['PREROUTING', 'kernel'], ['MY-OWN-CHAIN', 'unknown'],
  ];
  for (const [chain, owner] of cases) assert.equal(chainOwner(chain), owner, chain);
  // a rule in a built-in chain belongs to whom its comment or target names
  assert.equal(ruleOwner('POSTROUTING', 'MASQUERADE', 'AWS, SNAT'), 'aws-vpc-cni');
  assert.equal(ruleOwner('PREROUTING', 'cali-PREROUTING', 'cali:6gwbT8clXdHdC1b1'), 'calico');
  assert.equal(ruleOwner('FORWARD', 'KUBE-ROUTER-FORWARD', 'kube-router netpol - TEMCG2JMHZYE7H7T'), 'kube-router');
  assert.equal(ruleOwner('INPUT', 'ufw-before-input', undefined), 'ufw');
});

/** A node with the AWS VPC CNI's SNAT chains (which exclude only the primary VPC range), Docker, kube-router, firewalld and ufw. */
const HOSTS = `*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
:AWS-SNAT-CHAIN-0 - [0:0]
:DOCKER - [0:0]
:PRE_public - [0:0]
:PRE_public_allow - [0:0]
-A PREROUTING -j PRE_public
-A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER
-A PRE_public -j PRE_public_allow
-A DOCKER -i docker0 -j RETURN
-A DOCKER ! -i docker0 -p tcp -m tcp --dport 8081 -j DNAT --to-destination 172.17.0.2:80
-A POSTROUTING -m comment --comment "AWS SNAT CHAIN" -j AWS-SNAT-CHAIN-0
-A AWS-SNAT-CHAIN-0 -d 10.0.0.0/16 -m comment --comment "AWS SNAT CHAIN VPC CIDR" -j RETURN
-A AWS-SNAT-CHAIN-0 ! -o vlan+ -m comment --comment "AWS, SNAT" -m addrtype ! --dst-type LOCAL -j SNAT --to-source 10.0.1.5 --random-fully
COMMIT
*filter
:INPUT ACCEPT [0:0]
:FORWARD DROP [0:0]
:KUBE-ROUTER-FORWARD - [0:0]
:KUBE-POD-FW-4DPB5JUTEVKUWJVA - [0:0]
:ufw-before-input - [0:0]
:ufw-user-input - [0:0]
-A INPUT -j ufw-before-input
-A ufw-before-input -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A ufw-before-input -j ufw-user-input
-A ufw-user-input -p tcp -m tcp --dport 22 -j ACCEPT
-A ufw-user-input -j DROP
-A FORWARD -m comment --comment "kube-router netpol - TEMCG2JMHZYE7H7T" -j KUBE-ROUTER-FORWARD
-A KUBE-ROUTER-FORWARD -d 10.0.1.20/32 -m comment --comment "rule to jump traffic destined to POD name:web namespace: default to chain KUBE-POD-FW-4DPB5JUTEVKUWJVA" -j KUBE-POD-FW-4DPB5JUTEVKUWJVA
-A KUBE-POD-FW-4DPB5JUTEVKUWJVA -m comment --comment "rule to drop traffic POD name:web namespace: default" -m mark ! --mark 0x10000/0x10000 -j REJECT --reject-with icmp-port-unreachable
COMMIT
`;

test('AWS VPC CNI: a pod\'s traffic to a range outside the primary VPC CIDR is SNATed to the node, inside it is not', () => {
  const egress = (dst: string) => trace(HOSTS, '--hook', 'POSTROUTING', '--src', '10.0.1.20', '--dst', dst, '--dport', '443', '--sport', '40000', '--out-iface', 'eth0', '--local', '10.0.1.5');
  const peered = egress('10.1.2.3');
  assert.equal(peered.snatTo, '10.0.1.5');
  assert.equal(peered.randomFully, true);
  assert.deepEqual(peered.branches[0].path.map((s: { owner: string }) => s.owner), ['aws-vpc-cni', 'aws-vpc-cni']);
  const vpc = egress('10.0.3.4');
  assert.equal(vpc.snatTo, null);
  assert.ok(vpc.branches[0].path.some((s: { rule: string | null }) => s.rule === '-A AWS-SNAT-CHAIN-0 -d 10.0.0.0/16 -m comment --comment "AWS SNAT CHAIN VPC CIDR" -j RETURN'));
});

test('Docker\'s published port and firewalld\'s zone chains in PREROUTING', () => {
  const r = trace(HOSTS, '--hook', 'PREROUTING', '--src', '203.0.113.9', '--dst', '10.0.1.5', '--dport', '8081', '--sport', '40000', '--in-iface', 'eth0', '--local', '10.0.1.5');
  assert.deepEqual(r.jumps, ['PRE_public', 'PRE_public_allow', 'DOCKER']);
  assert.equal(r.dnatTo, '172.17.0.2:80');
  assert.deepEqual(r.branches[0].path.map((s: { owner: string }) => s.owner), ['firewalld', 'firewalld', 'docker', 'docker']);
});

test('kube-router\'s pod firewall rejects unmarked traffic; ufw lets ssh in and drops the rest', () => {
  const fwd = trace(HOSTS, '--hook', 'FORWARD', '--src', '10.0.2.9', '--dst', '10.0.1.20', '--dport', '80', '--sport', '40000', '--in-iface', 'eth0', '--out-iface', 'eni1');
  assert.equal(fwd.verdict, 'REJECT');
  assert.deepEqual(fwd.jumps, ['KUBE-ROUTER-FORWARD', 'KUBE-POD-FW-4DPB5JUTEVKUWJVA']);
  assert.equal(fwd.branches[0].path.at(-1).owner, 'kube-router');
  const allowed = trace(HOSTS, '--hook', 'FORWARD', '--src', '10.0.2.9', '--dst', '10.0.1.20', '--dport', '80', '--sport', '40000', '--in-iface', 'eth0', '--out-iface', 'eni1', '--mark', '0x10000');
  assert.equal(allowed.verdict, 'DROP', 'past kube-router the FORWARD policy drops');
  const input = (dport: string) => trace(HOSTS, '--hook', 'INPUT', '--src', '203.0.113.9', '--dst', '10.0.1.5', '--dport', dport, '--sport', '40000', '--in-iface', 'eth0', '--local', '10.0.1.5');
  assert.equal(input('22').verdict, 'ACCEPT');
  assert.ok(input('22').branches[0].path.some((s: { rule: string | null; owner: string }) => s.rule === '-A ufw-user-input -p tcp -m tcp --dport 22 -j ACCEPT' && s.owner === 'ufw'));
  assert.equal(input('80').verdict, 'DROP');
  assert.ok(input('80').branches[0].path.filter((s: { table: string }) => s.table === 'filter').every((s: { owner: string }) => s.owner === 'ufw'));
});

/** kube-proxy before 1.24 marked NodePort traffic in KUBE-NODEPORTS; before 1.3 its mark was 0x4d415351 ("MASQ"). */
const OLD = `*nat
:PREROUTING ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
:KUBE-SERVICES - [0:0]
:KUBE-NODEPORTS - [0:0]
:KUBE-SVC-WEBWEBWEBWEBWEBW - [0:0]
:KUBE-SEP-AAAAAAAAAAAAAAAA - [0:0]
:KUBE-MARK-MASQ - [0:0]
:KUBE-POSTROUTING - [0:0]
-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
-A POSTROUTING -m comment --comment "kubernetes postrouting rules" -j KUBE-POSTROUTING
-A KUBE-SERVICES -m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS
-A KUBE-NODEPORTS -p tcp -m comment --comment "default/web:http" -m tcp --dport 30080 -j KUBE-MARK-MASQ
-A KUBE-NODEPORTS -p tcp -m comment --comment "default/web:http" -m tcp --dport 30080 -j KUBE-SVC-WEBWEBWEBWEBWEBW
-A KUBE-SVC-WEBWEBWEBWEBWEBW -m comment --comment "default/web:http" -j KUBE-SEP-AAAAAAAAAAAAAAAA
-A KUBE-SEP-AAAAAAAAAAAAAAAA -p tcp -m comment --comment "default/web:http" -m tcp -j DNAT --to-destination 10.244.1.5:8080
-A KUBE-MARK-MASQ -j MARK --set-xmark 0x4d415351/0xffffffff
-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -m mark --mark 0x4d415351 -j MASQUERADE
COMMIT
`;

test('old layouts: masquerade marked in KUBE-NODEPORTS with the 0x4d415351 mark, walked and masqueraded', () => {
  const pre = trace(OLD, '--hook', 'PREROUTING', '--src', '203.0.113.9', '--dst', '192.168.0.2', '--dport', '30080', '--sport', '40000', '--in-iface', 'eth0', '--local', '192.168.0.2');
  assert.deepEqual(pre.jumps, ['KUBE-SERVICES', 'KUBE-NODEPORTS', 'KUBE-MARK-MASQ', 'KUBE-SVC-WEBWEBWEBWEBWEBW', 'KUBE-SEP-AAAAAAAAAAAAAAAA']);
  assert.equal(pre.markAfter, '0x4d415351');
  assert.equal(pre.dnatTo, '10.244.1.5:8080');
  const post = trace(OLD, '--hook', 'POSTROUTING', '--src', '203.0.113.9', '--dst', '10.244.1.5', '--dport', '8080', '--sport', '40000', '--out-iface', 'cni0', '--mark', pre.markAfter);
  assert.equal(post.masquerade, true);
  assert.equal(post.terminalRule, '-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -m mark --mark 0x4d415351 -j MASQUERADE');
});

test('old layouts in node diff: each explained as another kube-proxy version\'s, the old mark in the implied profile', () => {
  const workspace = new URL('../fixtures/workspace/', import.meta.url).pathname;
  const manifests = ['service.yaml', 'deployment.yaml'].map(f => join(workspace, f));
  const d = withFile(OLD, path => JSON.parse(cli('node', 'diff', path, '--json', '--cluster', join(workspace, 'cluster.yaml'), ...manifests).out));
  const lines = d.services.flatMap((s: { lines: { kind: string; found: string | null; explanation: string }[] }) => s.lines);
  const about = (found: string) => lines.find((l: { found: string | null }) => l.found === found)?.explanation;
  assert.equal(about('-A KUBE-NODEPORTS -p tcp -m comment --comment "default/web:http" -m tcp --dport 30080 -j KUBE-MARK-MASQ'), 'another kube-proxy version\'s layout: masquerade marked in KUBE-NODEPORTS');
  assert.match(lines.filter((l: { found: string | null }) => l.found?.includes('0x4d415351')).map((l: { explanation: string }) => l.explanation).join('\n'), /0x4d415351/);
  assert.equal(d.implied.masqueradeBit, null);
  assert.equal(d.implied.masqueradeMark, '0x4d415351');
});

test('node diff on an nft list ruleset of kube-proxy\'s table: empty as predicted, a deleted Service\'s rules and elements stale', () => {
  // the listing is nft's own (the kernel's) of the examples' table: nft(8) reformats what kube-proxy writes
  const listed = new URL('../fixtures/node/nft-list-ruleset-examples.txt', import.meta.url).pathname;
  const examples = new URL('../../examples/', import.meta.url).pathname;
  const files = ['clusterip-dns.yaml', 'loadbalancer.yaml', 'nodeport-local.yaml'].map(f => join(examples, f));
  withFile(readFileSync(join(examples, 'cluster.yaml'), 'utf8').replace(/^proxyMode: iptables$/m, 'proxyMode: nftables'), profile => {
    const same = cli('node', 'diff', listed, '--cluster', profile, ...files);
    assert.equal(same.code, 0, same.out);
    assert.match(same.out, /kube-proxy's rules are as predicted/);
    const d = JSON.parse(cli('node', 'diff', listed, '--json', '--cluster', profile, ...files.slice(0, 2)).out);
    const web = d.services.find((s: { service: string }) => s.service === 'shop/web:http');
    assert.ok(web.lines.length > 0 && web.lines.every((l: { kind: string; explanation: string }) => l.kind === 'extra' && /^stale: shop\/web:http/.test(l.explanation)), JSON.stringify(web.lines));
    assert.equal(d.implied.proxyMode, 'nftables');
  });
});
