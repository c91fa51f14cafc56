// `natlens node …` on dumps of our own making: the interpreter's path through kube-proxy's and the
// CNIs' chains, what it refuses to guess, conntrack, ipvs and diff, through the CLI's JSON contract.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { cli, withFile } from '../support/cli';

const fixture = new URL('../fixtures/node/mixed-node.txt', import.meta.url).pathname;
const examples = new URL('../../examples/', import.meta.url).pathname;

function traceJson(dump: string, ...args: string[]) {
  const r = cli('node', 'trace', dump, '--json', ...args);
  assert.equal(r.code, 0, r.err);
  return JSON.parse(r.out);
}

test('ClusterIP from a pod: every table of PREROUTING, two endpoints, the common jumps on top', () => {
  const r = traceJson(fixture, '--src', '10.244.0.9', '--dst', '10.96.100.10', '--dport', '80', '--sport', '40000', '--in-iface', 'cni0');
  assert.equal(r.verdict, 'ACCEPT');
  assert.equal(r.entered, 'PREROUTING');
  assert.deepEqual(r.jumps, ['CILIUM_PRE_raw', 'KUBE-SERVICES', 'KUBE-SVC-WEBWEBWEBWEBWEBW']);
  assert.equal(r.service, 'default/web:http');
  assert.equal(r.dnatTo, null, 'the branches DNAT to different endpoints');
  assert.equal(r.firstMatchingRule, '-A PREROUTING -m comment --comment "cilium-feeder: CILIUM_PRE_raw" -j CILIUM_PRE_raw');
  assert.deepEqual(r.endpoints, [
    { endpoint: '10.244.1.5:8080', probability: 0.5, chain: 'KUBE-SEP-AAAAAAAAAAAAAAAA' },
    { endpoint: '10.244.2.7:8080', probability: 0.5, chain: 'KUBE-SEP-BBBBBBBBBBBBBBBB' },
  ]);
  assert.equal(r.branches.length, 2);
  assert.equal(r.branches[0].dnatTo, '10.244.1.5:8080');
  assert.equal(r.branches[0].terminalRule, '-A KUBE-SEP-AAAAAAAAAAAAAAAA -p tcp -m comment --comment "default/web:http" -m tcp -j DNAT --to-destination 10.244.1.5:8080');
  assert.equal(r.masquerade, false);
  assert.equal(r.markAfter, '0x0');
});

test('from a node address outside the cluster CIDR the ClusterIP is masqueraded: KUBE-MARK-MASQ sets the bit', () => {
  const r = traceJson(fixture, '--chain', 'KUBE-SERVICES', '--src', '192.168.0.2', '--dst', '10.96.100.10', '--dport', '80', '--sport', '1');
  assert.equal(r.entered, 'KUBE-SERVICES');
  assert.deepEqual(r.jumps, ['KUBE-SVC-WEBWEBWEBWEBWEBW', 'KUBE-MARK-MASQ']);
  assert.equal(r.markAfter, '0x4000');
});

test('old layout: NodePort through KUBE-XLB; addrtype needs --local, else UNRESOLVED where it is asked', () => {
  const args = ['--src', '203.0.113.5', '--dst', '192.168.0.2', '--dport', '30080', '--sport', '40000', '--in-iface', 'eth0'];
  const unknown = traceJson(fixture, ...args);
  assert.equal(unknown.verdict, 'UNRESOLVED');
  assert.equal(unknown.unresolvedChain, 'KUBE-SERVICES');
  assert.match(unknown.unresolvedReason, /give --local/);
  const known = traceJson(fixture, ...args, '--local', '192.168.0.2');
  assert.equal(known.verdict, 'ACCEPT');
  assert.deepEqual(known.jumps, ['CILIUM_PRE_raw', 'KUBE-SERVICES', 'KUBE-NODEPORTS', 'KUBE-XLB-WEBWEBWEBWEBWEBW', 'KUBE-SEP-AAAAAAAAAAAAAAAA']);
  assert.equal(known.dnatTo, '10.244.1.5:8080');
});

test('POSTROUTING: kube-proxy returns unmarked traffic, flannel masquerades pod egress --random-fully', () => {
  const r = traceJson(fixture, '--hook', 'POSTROUTING', '--src', '10.244.0.9', '--dst', '93.184.216.34', '--dport', '443', '--sport', '40000', '--out-iface', 'eth0');
  assert.equal(r.verdict, 'ACCEPT');
  assert.deepEqual(r.jumps, ['KUBE-POSTROUTING', 'FLANNEL-POSTRTG']);
  assert.equal(r.masquerade, true);
  assert.equal(r.randomFully, true);
  assert.equal(r.terminalRule, '-A FLANNEL-POSTRTG -s 10.244.0.0/16 ! -d 224.0.0.0/4 -m comment --comment "flanneld masq" -j MASQUERADE --random-fully');
  assert.deepEqual(r.branches[0].path.map((s: { owner: string }) => s.owner), ['kernel', 'kube-proxy', 'kube-proxy', 'flannel', 'flannel']);
  const marked = traceJson(fixture, '--hook', 'POSTROUTING', '--mark', '0x4000', '--src', '10.244.0.9', '--dst', '10.244.2.7', '--dport', '8080', '--sport', '1', '--out-iface', 'flannel.1');
  assert.equal(marked.terminalRule, '-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE --random-fully');
  assert.equal(marked.markAfter, '0x0', 'kube-proxy clears its bit before masquerading (--set-xmark 0x4000/0x0)');
});

test('FORWARD: the filter policy DROP applies when nothing accepts; conntrack state decides KUBE-FORWARD', () => {
  const base = ['--hook', 'FORWARD', '--src', '203.0.113.5', '--dst', '192.0.2.9', '--dport', '80', '--sport', '1', '--in-iface', 'eth0', '--out-iface', 'eth1'];
  const dropped = traceJson(fixture, ...base);
  assert.equal(dropped.verdict, 'DROP');
  assert.equal(dropped.terminalRule, null, 'the policy, not a rule, dropped it');
  const established = traceJson(fixture, ...base, '--ctstate', 'ESTABLISHED');
  assert.equal(established.verdict, 'ACCEPT');
  assert.equal(established.terminalRule, '-A KUBE-FORWARD -m comment --comment "kubernetes forwarding conntrack rule" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT');
});

test('Calico sets: matched from the pasted ipsets; a set that was not pasted stops the walk', () => {
  const text = `*nat
:POSTROUTING ACCEPT [0:0]
:cali-nat-outgoing - [0:0]
-A POSTROUTING -j cali-nat-outgoing
-A cali-nat-outgoing -m comment --comment "cali:flqWnvo8yq4ULQLa" -m set --match-set cali40masq-ipam-pools src -m set ! --match-set cali40all-ipam-pools dst -j MASQUERADE --random-fully
COMMIT
`;
  const sets = `create cali40masq-ipam-pools hash:net family inet hashsize 1024 maxelem 1048576
add cali40masq-ipam-pools 10.244.0.0/16
create cali40all-ipam-pools hash:net family inet hashsize 1024 maxelem 1048576
add cali40all-ipam-pools 10.244.0.0/16
add cali40all-ipam-pools 10.244.7.0/24 nomatch
`;
  const args = ['--hook', 'POSTROUTING', '--src', '10.244.0.9', '--sport', '1', '--dport', '80'];
  withFile(text, path => {
    const r = traceJson(path, ...args, '--dst', '93.184.216.34');
    assert.equal(r.verdict, 'UNRESOLVED');
    assert.equal(r.unresolvedChain, 'cali-nat-outgoing');
    assert.match(r.unresolvedReason, /ipset cali40masq-ipam-pools is not in the paste/);
  });
  withFile(text + sets, path => {
    assert.equal(traceJson(path, ...args, '--dst', '93.184.216.34').masquerade, true);
    assert.equal(traceJson(path, ...args, '--dst', '10.244.3.3').masquerade, false, 'inside the pool: no masquerade');
    assert.equal(traceJson(path, ...args, '--dst', '10.244.7.3').masquerade, true, 'nomatch: the /24 is not in the set');
  });
});

test('what the paste does not show: a chain without rules in a grep paste, interfaces, kube-proxy restore input', () => {
  withFile('$ iptables-save | grep KUBE-SVC-X\n-A KUBE-SERVICES -d 10.96.0.1/32 -p tcp -m tcp --dport 443 -j KUBE-SVC-X\n', path => {
    const r = traceJson(path, '--chain', 'KUBE-SERVICES', '--src', '10.0.0.1', '--dst', '10.96.0.1', '--dport', '443', '--sport', '1');
    assert.equal(r.verdict, 'UNRESOLVED');
    assert.equal(r.unresolvedChain, 'KUBE-SVC-X');
    assert.deepEqual(r.jumps, ['KUBE-SVC-X']);
  });
  const r = traceJson(fixture, '--hook', 'POSTROUTING', '--src', '172.17.0.5', '--dst', '93.184.216.34', '--dport', '80', '--sport', '1');
  assert.equal(r.verdict, 'UNRESOLVED');
  assert.match(r.unresolvedReason, /give --out-iface/);
  withFile('*nat\n:KUBE-SERVICES - [0:0]\n-A KUBE-SERVICES -j RETURN\nCOMMIT\n', path => {
    const hook = traceJson(path, '--src', '10.0.0.1', '--dst', '10.96.0.1', '--dport', '443');
    assert.equal(hook.verdict, 'UNRESOLVED');
    assert.match(hook.unresolvedReason, /start with --chain/);
    assert.equal(traceJson(path, '--chain', 'KUBE-SERVICES', '--src', '10.0.0.1', '--dst', '10.96.0.1', '--dport', '443').verdict, 'RETURN');
  });
});

test('goto returns past the chain that went there; a loop ends UNRESOLVED instead of hanging', () => {
  const text = `*filter
:INPUT ACCEPT [0:0]
:A - [0:0]
:B - [0:0]
:LOOP - [0:0]
-A INPUT -p udp -j LOOP
-A INPUT -g A
-A INPUT -j DROP
-A A -j B
-A A -j REJECT
-A B -j RETURN
-A LOOP -j LOOP
COMMIT
`;
  withFile(text, path => {
    const viaGoto = traceJson(path, '--hook', 'INPUT', '--src', '10.0.0.1', '--dst', '10.0.0.2', '--dport', '1', '--sport', '1');
    assert.equal(viaGoto.verdict, 'REJECT');
    const loop = traceJson(path, '--hook', 'INPUT', '--proto', 'udp', '--src', '10.0.0.1', '--dst', '10.0.0.2', '--dport', '1', '--sport', '1');
    assert.equal(loop.verdict, 'UNRESOLVED');
    assert.match(loop.unresolvedReason, /deeper than/);
  });
});

test('recent lists: --recent names who is in them; a --set rule records for later rules', () => {
  const text = `*nat
:KUBE-SVC-S - [0:0]
-A KUBE-SVC-S -m recent --rcheck --seconds 10800 --reap --name KUBE-SEP-B --mask 255.255.255.255 --rsource -j DNAT --to-destination 10.0.0.2:80
-A KUBE-SVC-S -j DNAT --to-destination 10.0.0.1:80
COMMIT
`;
  withFile(text, path => {
    const args = ['--chain', 'KUBE-SVC-S', '--src', '10.9.9.9', '--dst', '10.96.0.5', '--dport', '80'];
    assert.equal(traceJson(path, ...args).dnatTo, '10.0.0.1:80');
    assert.equal(traceJson(path, ...args, '--recent', 'KUBE-SEP-B=10.9.9.9').dnatTo, '10.0.0.2:80');
  });
});

test('node trace on an ipvsadm file: the real servers by weight are the endpoints', () => {
  withFile('TCP  10.96.0.1:443 wrr\n  -> 192.168.0.2:6443 Masq 3 0 0\n  -> 192.168.0.3:6443 Masq 1 0 0\n', path => {
    const r = traceJson(path, '--src', '10.244.0.9', '--dst', '10.96.0.1', '--dport', '443');
    assert.deepEqual(r.endpoints.map((e: { endpoint: string; probability: number }) => [e.endpoint, e.probability]), [['192.168.0.2:6443', 0.75], ['192.168.0.3:6443', 0.25]]);
    const ipvs = cli('node', 'ipvs', path, '--json');
    assert.deepEqual(JSON.parse(ipvs.out), { virtualServices: [{ proto: 'TCP', vip: '10.96.0.1', port: 443, scheduler: 'wrr', realServers: [
      { addr: '192.168.0.2:6443', forward: 'Masq', weight: 3, active: 0, inactive: 0 },
      { addr: '192.168.0.3:6443', forward: 'Masq', weight: 1, active: 0, inactive: 0 },
    ] }] });
  });
});

test('node conntrack: DNAT/SNAT from the reply tuple; an endpoint the rules no longer have is stale, with conntrack -D', () => {
  const r = cli('node', 'conntrack', fixture, '--json');
  assert.equal(r.code, 0, r.err);
  const { entries, footerCounts } = JSON.parse(r.out);
  assert.deepEqual(footerCounts, [3]);
  assert.deepEqual(entries.map((e: { dnatTo: string; snatTo: string; service: string; stale: boolean }) => [e.dnatTo, e.snatTo, e.service, e.stale]), [
    ['10.244.1.5:8080', null, 'default/web:http', false],
    ['10.244.3.3:8080', null, 'default/web:http', true],
    [null, '192.168.0.2:61000', null, false],
  ]);
  assert.equal(entries[1].deleteCommand, 'conntrack -D -p tcp --orig-src 10.244.0.9 --orig-dst 10.96.100.10 --orig-port-src 40002 --orig-port-dst 80 --reply-src 10.244.3.3 --reply-port-src 8080');
  assert.deepEqual([entries[2].zone, entries[0].mark], [7, 0]);
});

test('node conntrack with manifests: stale against the endpoints the manifests have', () => {
  const rules = cli('rules', '--format', 'save', '--cluster', join(examples, 'cluster.yaml'), join(examples, 'nodeport-local.yaml')).out;
  const vip = /-d (\S+)\/32 -p tcp -m comment --comment "shop\/web:http cluster IP"/.exec(rules)![1]!;
  const ct = `tcp 6 100 ESTABLISHED src=10.244.0.50 dst=${vip} sport=5 dport=80 src=10.244.9.9 dst=10.244.0.50 sport=8080 dport=5 [ASSURED] mark=0 use=1\n`;
  withFile(ct, path => {
    const r = JSON.parse(cli('node', 'conntrack', path, '--json', '--cluster', join(examples, 'cluster.yaml'), join(examples, 'nodeport-local.yaml')).out);
    assert.equal(r.entries[0].service, 'shop/web:http');
    assert.equal(r.entries[0].stale, true);
    assert.match(r.entries[0].staleReason, /in the manifests/);
  });
});

test('node diff: the predicted rules diff empty; a deleted Service and another masquerade bit show up, with the implied profile', () => {
  const profile = join(examples, 'cluster.yaml');
  const all = ['clusterip-dns.yaml', 'loadbalancer.yaml', 'nodeport-local.yaml'].map(f => join(examples, f));
  const saved = cli('rules', '--format', 'save', '--cluster', profile, ...all).out;
  withFile(saved, path => {
    const same = cli('node', 'diff', path, '--cluster', profile, ...all);
    assert.equal(same.code, 0, same.out + same.err);
    assert.match(same.out, /kube-proxy's rules are as predicted/);
    const deleted = cli('node', 'diff', path, '--json', '--cluster', profile, ...all.slice(0, 2));
    assert.equal(deleted.code, 1);
    const d = JSON.parse(deleted.out);
    const web = d.services.find((s: { service: string }) => s.service === 'shop/web:http');
    assert.ok(web.lines.length > 0 && web.lines.every((l: { kind: string; explanation: string }) => l.kind === 'extra' && /^stale: shop\/web:http is not in the manifests/.test(l.explanation)));
    assert.equal(d.implied.masqueradeBit, 14);
    assert.equal(d.implied.clusterCIDR, '10.244.0.0/16');
  });
  withFile(saved.replace(/0x4000/g, '0x8000'), path => {
    const d = JSON.parse(cli('node', 'diff', path, '--json', '--cluster', profile, ...all).out);
    const lines = d.services.flatMap((s: { lines: unknown[] }) => s.lines);
    assert.ok(lines.length > 0 && lines.every((l: { kind: string; explanation: string }) => l.kind === 'different' && /another masquerade mark: 0x8000/.test(l.explanation)));
    assert.equal(d.implied.masqueradeBit, 15);
    assert.match(d.implied.yaml, /^masqueradeBit: 15$/m);
  });
});

test('usage errors exit 2 with a message; unknown lines are listed on stderr', () => {
  assert.equal(cli('node', 'trace', fixture, '--dst', '10.0.0.1').code, 2);
  assert.equal(cli('node', 'trace', fixture, '--src', 'x', '--dst', '10.0.0.1').code, 2);
  assert.equal(cli('node', 'bogus').code, 2);
  assert.equal(cli('node', 'trace', '/nonexistent', '--src', '10.0.0.1', '--dst', '10.0.0.1').code, 2);
  const r = cli('node', 'trace', fixture, '--src', '10.244.0.9', '--dst', '10.96.100.10', '--dport', '80', '--sport', '1', '--in-iface', 'cni0');
  assert.match(r.err, /mixed-node\.txt:123: info: .*root@node-a:~# logout/);
});

test('nft list ruleset: kube-proxy\'s table runs through the nftables walk, rules shown as listed', () => {
  const nft = new URL('../fixtures/node/kube-proxy-nft.txt', import.meta.url).pathname;
  const r = traceJson(nft, '--src', '203.0.113.9', '--dst', '192.168.0.2', '--dport', '31443', '--sport', '4000', '--local', '192.168.0.2');
  assert.equal(r.verdict, 'ACCEPT');
  assert.equal(r.service, 'prod/api:https');
  assert.deepEqual(r.endpoints.map((e: { endpoint: string }) => e.endpoint), ['10.244.0.21:8443', '10.244.1.22:8443']);
  assert.equal(r.markAfter, '0x4000');
  const post = traceJson(nft, '--hook', 'POSTROUTING', '--mark', '0x4000', '--src', '203.0.113.9', '--dst', '10.244.0.21', '--dport', '8443', '--sport', '4000');
  assert.equal(post.masquerade, true);
  assert.equal(post.randomFully, true);
  assert.equal(post.markAfter, '0x0');
  assert.deepEqual(post.branches[0].path.map((s: { rule: string }) => s.rule), ['jump masquerading', 'meta mark set meta mark ^ 0x00004000', 'masquerade fully-random']);
  const unknown = traceJson(nft, '--src', '203.0.113.9', '--dst', '192.168.0.2', '--dport', '31443');
  assert.equal(unknown.verdict, 'UNRESOLVED');
  assert.match(unknown.unresolvedReason, /give --local/);
});
