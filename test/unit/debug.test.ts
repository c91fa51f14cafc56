// Debug commands: exact shell lines for a Service of each type, filled with its own chain names,
// addresses and ports, and "look for" text quoting what NAT Lens generated and walked.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseManifest } from '../../extension/src/engine/manifest/manifest';
import { parseProfile, withProxyMode } from '../../extension/src/engine/model/profile';
import { defaultService, externallyAccessible } from '../../extension/src/engine/model/service';
import { serviceFacts } from '../../extension/src/engine/facts/service';
import { externalSummary, internalSummary } from '../../extension/src/engine/facts/render';
import { buildClusterModel } from '../../extension/src/engine/model/cluster';
import { serviceChains } from '../../extension/src/engine/proxy/iptables/names';
import { nftServiceChains } from '../../extension/src/engine/proxy/nftables/names';
import { cmd, debugCommands, formatDebugText, iptablesPrintedProbability, shq, type DebugCommand } from '../../extension/src/engine/debug';

const root = new URL('../../', import.meta.url).pathname;
const profile = parseProfile(readFileSync(`${root}examples/cluster.yaml`, 'utf8')).profile;

const MANIFEST = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: web, ports: [{name: http, containerPort: 8080}, {name: dns, containerPort: 8053, protocol: UDP}]}]
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  clusterIP: 10.96.0.20
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: http}]
---
apiVersion: v1
kind: Service
metadata: {name: api, namespace: shop}
spec:
  type: NodePort
  clusterIP: 10.96.0.21
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: 8080, nodePort: 30080}]
---
apiVersion: v1
kind: Service
metadata: {name: edge, namespace: shop}
spec:
  type: LoadBalancer
  clusterIP: 10.96.0.22
  externalTrafficPolicy: Local
  healthCheckNodePort: 32000
  selector: {app: web}
  ports: [{name: https, port: 443, targetPort: 8080, nodePort: 30443}]
status:
  loadBalancer: {ingress: [{ip: 198.51.100.7}]}
---
apiVersion: v1
kind: Service
metadata: {name: db, namespace: shop}
spec:
  type: ExternalName
  externalName: db.example.com
  ports: [{port: 5432}]
---
apiVersion: v1
kind: Service
metadata: {name: peers, namespace: shop}
spec:
  clusterIP: None
  selector: {app: web}
  ports: [{port: 7000, targetPort: 8080}]
---
apiVersion: v1
kind: Service
metadata: {name: lonely, namespace: shop}
spec:
  clusterIP: 10.96.0.23
  selector: {app: nothing}
  ports: [{port: 80}]
---
apiVersion: v1
kind: Service
metadata: {name: dns, namespace: shop}
spec:
  clusterIP: 10.96.0.10
  selector: {app: web}
  ports: [{name: dns, port: 53, protocol: UDP, targetPort: dns}]
`;

const model = buildClusterModel(parseManifest(MANIFEST, 'svc.yaml').objects, profile);
const entry = (name: string) => model.services.find(s => s.obj.name === name)!;
const commands = (list: readonly DebugCommand[]) => list.map(c => c.command);
const find = (list: readonly DebugCommand[], title: RegExp) => {
  const c = list.find(x => title.test(x.title));
  assert.ok(c, `no command titled ${title}`);
  return c;
};
const PROBE = (node: string) => `kubectl run natlens-probe --rm -it --restart=Never --image=busybox -n shop --overrides='{"apiVersion":"v1","spec":{"nodeName":"${node}"}}' --`;
const IN_POD = 'kubectl debug -it -n shop "$(kubectl get pods -n shop -l app=web -o name | head -n 1)" --image=nicolaka/netshoot';
const NODE_SHELL = 'kubectl debug node/node-a -it --profile=sysadmin --image=busybox -- chroot /host';

test('ClusterIP: its KUBE-SVC chain, the grep for its hash and endpoint chains, conntrack on the client node', () => {
  const list = debugCommands(model, entry('web'));
  const chains = serviceChains(entry('web').ports[0]!.info);
  assert.equal(chains.svc, 'KUBE-SVC-67NZLRHBNDSAWJRO');
  assert.deepEqual(commands(list), [
    'kubectl get svc web -n shop -o wide',
    "kubectl get svc web -n shop -o jsonpath='{.spec.internalTrafficPolicy}'",
    'kubectl get endpointslices -n shop -l kubernetes.io/service-name=web',
    NODE_SHELL,
    'iptables -t nat -L KUBE-SVC-67NZLRHBNDSAWJRO -n -v',
    'iptables-save -t nat | grep -e 67NZLRHBNDSAWJRO -e KUBE-SEP-P3BKYI4UT7GLM4G4 -e KUBE-SEP-FZQ6KZLGXRSKN2AD',
    'tcpdump -n -i any host 10.244.0.10 and port 8080',
    `${IN_POD} --profile=netadmin -- tcpdump -n -i any port 8080`,
    `${PROBE('node-a')} wget -qO- -T 5 http://10.96.0.20:80/`,
    'conntrack -L -d 10.96.0.20 -p tcp --dport 80',
    `${IN_POD} -- ss -tn state established '( sport = :8080 )'`,
  ]);
  assert.equal(list[0]!.lookFor, 'TYPE ClusterIP, CLUSTER-IP 10.96.0.20, EXTERNAL-IP <none>, PORT(S) 80/TCP.');
  const svc = find(list, /^iptables chain KUBE-SVC/);
  assert.equal(svc.runOn, 'node node-a');
  // the mark rule, then the 1/2 split as iptables prints it back, then the catch-all
  assert.match(svc.lookFor, /^In order: KUBE-MARK-MASQ for sources outside 10\.244\.0\.0\/16; KUBE-SEP-P3BKYI4UT7GLM4G4 → 10\.244\.0\.10:8080 with probability 0\.50000000000 \(written as 0\.5000000000\); KUBE-SEP-FZQ6KZLGXRSKN2AD → 10\.244\.1\.10:8080 for the rest\./);
  assert.deepEqual(svc.expected, [
    '-A KUBE-SVC-67NZLRHBNDSAWJRO -m comment --comment "shop/web:http cluster IP" -m tcp -p tcp -d 10.96.0.20 --dport 80 ! -s 10.244.0.0/16 -j KUBE-MARK-MASQ',
    '-A KUBE-SVC-67NZLRHBNDSAWJRO -m comment --comment "shop/web:http -> 10.244.0.10:8080" -m statistic --mode random --probability 0.5000000000 -j KUBE-SEP-P3BKYI4UT7GLM4G4',
    '-A KUBE-SVC-67NZLRHBNDSAWJRO -m comment --comment "shop/web:http -> 10.244.1.10:8080" -j KUBE-SEP-FZQ6KZLGXRSKN2AD',
  ]);
  const grep = find(list, /^Every nat rule/);
  assert.equal(grep.expected!.length, 11); // 3 chain declarations, the KUBE-SERVICES jump, 3 KUBE-SVC rules, 2 rules per endpoint chain
  assert.ok(grep.expected!.includes('-A KUBE-SEP-FZQ6KZLGXRSKN2AD -m comment --comment shop/web:http -m tcp -p tcp -j DNAT --to-destination 10.244.1.10:8080'));
  const ct = find(list, /^conntrack entries for 10\.96\.0\.20:80/);
  assert.equal(ct.runOn, "node node-a (the client's node: ClusterIP DNAT happens there)");
  assert.match(ct.lookFor, /NAT Lens predicts for a pod client: DNAT to 10\.244\.0\.10:8080 \(node-a\) 50%, 10\.244\.1\.10:8080 \(node-b\) 50%; no SNAT, the pod sees 10\.244\.0\.\d+, so the reply dst is the pod's own address\./);
  assert.match(find(list, /^Packets arriving/).lookFor, /from a pod on node-a via the ClusterIP: the client pod's own address \(no SNAT\)/);
  assert.match(list[2]!.lookFor, /NAT Lens derived 2 from the workloads in the workspace \(10\.244\.0\.10, 10\.244\.1\.10\)/);
});

test('NodePort: the KUBE-EXT chain marks every connection; outside probe and conntrack show the SNAT address', () => {
  const list = debugCommands(model, entry('api'));
  assert.deepEqual(commands(list), [
    'kubectl get svc api -n shop -o wide',
    "kubectl get svc api -n shop -o jsonpath='{.spec.externalTrafficPolicy}'",
    'kubectl get endpointslices -n shop -l kubernetes.io/service-name=api',
    NODE_SHELL,
    'iptables -t nat -L KUBE-SVC-RUKNB3TURLFC6SGL -n -v',
    'iptables -t nat -L KUBE-EXT-RUKNB3TURLFC6SGL -n -v',
    'iptables-save -t nat | grep -e RUKNB3TURLFC6SGL -e KUBE-SEP-PDWAGZVW2WXCONWJ -e KUBE-SEP-IUNAH6C2P5247RWV',
    'tcpdump -n -i any host 10.244.0.10 and port 8080',
    `${IN_POD} --profile=netadmin -- tcpdump -n -i any port 8080`,
    `${PROBE('node-a')} wget -qO- -T 5 http://10.96.0.21:80/`,
    'conntrack -L -d 10.96.0.21 -p tcp --dport 80',
    'nc -vz -w 3 192.168.0.2 30080',
    'conntrack -L -d 192.168.0.2 -p tcp --dport 30080',
    `${IN_POD} -- ss -tn state established '( sport = :8080 )'`,
  ]);
  assert.equal(list[0]!.lookFor, 'TYPE NodePort, CLUSTER-IP 10.96.0.21, EXTERNAL-IP <none>, PORT(S) 80:30080/TCP.');
  assert.equal(list[1]!.lookFor, 'externalTrafficPolicy: Cluster — external traffic is spread over every endpoint and SNATed: the pod never sees the client IP.');
  const ext = find(list, /^iptables chain KUBE-EXT/);
  assert.match(ext.lookFor, /^In order: KUBE-MARK-MASQ for every connection \(all of them are SNATed\); → KUBE-SVC-RUKNB3TURLFC6SGL\./);
  assert.equal(find(list, /^NodePort 30080/).runOn, 'outside the cluster');
  // MASQUERADE picks the egress interface's address: the bridge gateway towards the local pod, the node address towards node-b
  assert.match(find(list, /^conntrack entries for NodePort/).lookFor,
    /dst=the SNAT address \(10\.244\.0\.1, 192\.168\.0\.2\): the connection was SNATed/);
  assert.match(find(list, /^Packets arriving/).lookFor, /via NodePort 30080 on node-a: 10\.244\.0\.1 \(SNAT\)/);
});

test('LoadBalancer with externalTrafficPolicy Local: SVL chain, filter rules, VIP conntrack and the health check', () => {
  const list = debugCommands(model, entry('edge'));
  assert.deepEqual(commands(list), [
    'kubectl get svc edge -n shop -o wide',
    "kubectl get svc edge -n shop -o jsonpath='{.spec.externalTrafficPolicy}'",
    'kubectl get endpointslices -n shop -l kubernetes.io/service-name=edge',
    NODE_SHELL,
    'iptables -t nat -L KUBE-SVC-TFCKRJ4VVZESZDQY -n -v',
    'iptables -t nat -L KUBE-EXT-TFCKRJ4VVZESZDQY -n -v',
    'iptables -t nat -L KUBE-SVL-TFCKRJ4VVZESZDQY -n -v',
    'iptables-save -t nat | grep -e TFCKRJ4VVZESZDQY -e KUBE-SEP-DMXGMAMF7P63CDNF -e KUBE-SEP-N65I3LZE75GSIZRZ',
    `iptables-save -t filter | grep -F '"shop/edge:https '`,
    'tcpdump -n -i any host 10.244.0.10 and port 8080',
    `${IN_POD} --profile=netadmin -- tcpdump -n -i any port 8080`,
    `${PROBE('node-a')} wget -qO- -T 5 http://10.96.0.22:443/`,
    'conntrack -L -d 10.96.0.22 -p tcp --dport 443',
    'nc -vz -w 3 192.168.0.2 30443',
    'conntrack -L -d 192.168.0.2 -p tcp --dport 30443',
    'conntrack -L -d 198.51.100.7 -p tcp --dport 443',
    'curl -sS -i http://192.168.0.2:32000/',
    `${IN_POD} -- ss -tn state established '( sport = :8080 )'`,
  ]);
  assert.equal(list[0]!.lookFor, 'TYPE LoadBalancer, CLUSTER-IP 10.96.0.22, EXTERNAL-IP 198.51.100.7, PORT(S) 443:30443/TCP.');
  assert.match(find(list, /^iptables chain KUBE-EXT/).lookFor,
    /^In order: 10\.244\.0\.0\/16 → KUBE-SVC-TFCKRJ4VVZESZDQY \(pods skip the Local policy\); KUBE-MARK-MASQ for node-local sources; node-local sources → KUBE-SVC-TFCKRJ4VVZESZDQY; → KUBE-SVL-TFCKRJ4VVZESZDQY\./);
  const filter = find(list, /^filter rules/);
  assert.deepEqual(filter.expected, ['-A KUBE-NODEPORTS -m comment --comment "shop/edge:https health check node port" -m tcp -p tcp --dport 32000 -j ACCEPT']);
  assert.match(find(list, /load balancer IP/).lookFor, /^Predicted: DNAT to 10\.244\.0\.10:8080 \(node-a\); no SNAT, the pod sees 203\.0\.113\.10\./);
  assert.match(find(list, /health check/).lookFor, /Predicted: node-a: 200, "localEndpoints": 1; node-b: 200, "localEndpoints": 1\./);
  assert.match(find(list, /^conntrack entries for NodePort/).lookFor, /dst=the client's own address: no SNAT, the pod sees the client IP/);
});

test('ExternalName: nothing in kube-proxy\'s rules; DNS and the egress connection instead', () => {
  const list = debugCommands(model, entry('db'));
  assert.deepEqual(commands(list), [
    'kubectl get svc db -n shop -o wide',
    "kubectl get svc db -n shop -o jsonpath='{.spec.externalName}'",
    NODE_SHELL,
    `iptables-save | grep -F -e '"shop/db:' -e '"shop/db ' -e '"shop/db"'`,
    'kubectl run natlens-probe --rm -it --restart=Never --image=busybox -n shop -- nslookup db.shop.svc.cluster.local',
    'conntrack -L -p tcp --dport 5432',
  ]);
  assert.equal(list[0]!.lookFor, 'TYPE ExternalName, CLUSTER-IP <none>, EXTERNAL-IP db.example.com, PORT(S) 5432/TCP.');
  assert.match(list[3]!.lookFor, /^No output: kube-proxy skips ExternalName Services/);
  assert.match(list[4]!.lookFor, /^"canonical name = db\.example\.com"/);
  assert.match(list[5]!.lookFor, /the CNI masqueraded the connection, and replies must return through node-a/);
});

test('headless: no rules; DNS returns the pods, which are reached without NAT', () => {
  const list = debugCommands(model, entry('peers'));
  assert.deepEqual(commands(list), [
    'kubectl get svc peers -n shop -o wide',
    'kubectl get endpointslices -n shop -l kubernetes.io/service-name=peers',
    NODE_SHELL,
    `iptables-save | grep -F -e '"shop/peers:' -e '"shop/peers ' -e '"shop/peers"'`,
    'kubectl run natlens-probe --rm -it --restart=Never --image=busybox -n shop -- nslookup peers.shop.svc.cluster.local',
    `${PROBE('node-a')} wget -qO- -T 5 http://10.244.0.10:8080/`,
    'conntrack -L -d 10.244.0.10 -p tcp --dport 8080',
    'tcpdump -n -i any host 10.244.0.10 and port 8080',
  ]);
  assert.equal(list[0]!.lookFor, 'TYPE ClusterIP, CLUSTER-IP None, EXTERNAL-IP <none>, PORT(S) 7000/TCP.');
  assert.match(list[1]!.lookFor, /derived 2 from the workloads in the workspace \(10\.244\.0\.10, 10\.244\.1\.10\)/);
  assert.match(list[3]!.lookFor, /^No output: kube-proxy skips headless Services/);
  assert.match(list[4]!.lookFor, /^One A record per ready pod \(2: 10\.244\.0\.10, 10\.244\.1\.10/);
  assert.match(list[6]!.lookFor, /neither DNAT nor SNAT happened/);
});

test('no endpoints: no KUBE-SVC chain, REJECT in filter, "connection refused" from the probe', () => {
  const list = debugCommands(model, entry('lonely'));
  assert.deepEqual(commands(list), [
    'kubectl get svc lonely -n shop -o wide',
    "kubectl get svc lonely -n shop -o jsonpath='{.spec.internalTrafficPolicy}'",
    'kubectl get endpointslices -n shop -l kubernetes.io/service-name=lonely',
    NODE_SHELL,
    'iptables -t nat -L KUBE-SVC-U54XNQZD25DIVW7I -n',
    'iptables-save -t nat | grep -e U54XNQZD25DIVW7I',
    `iptables-save -t filter | grep -F '"shop/lonely '`,
    `${PROBE('node-a')} wget -qO- -T 5 http://10.96.0.23:80/`,
    'conntrack -L -d 10.96.0.23 -p tcp --dport 80',
  ]);
  assert.match(list[2]!.lookFor, /^No ready endpoints: ENDPOINTS is empty \(<unset>\), so kube-proxy rejects connections/);
  assert.match(list[4]!.lookFor, /^"No chain\/target\/match by that name"/);
  assert.match(list[5]!.lookFor, /^No output: node-a has no endpoint/);
  assert.deepEqual(list[6]!.expected, ['-A KUBE-SERVICES -m comment --comment "shop/lonely has no endpoints" -m tcp -p tcp -d 10.96.0.23 --dport 80 -j REJECT']);
  assert.match(list[6]!.lookFor, /^REJECT "shop\/lonely has no endpoints": there is no endpoint anywhere/, "the rule's own comment, quoted");
  assert.match(list[7]!.lookFor, /NAT Lens predicts REJECT \(filter KUBE-SERVICES\), "connection refused"\. "Connection refused" confirms it\./);
  assert.match(list[8]!.lookFor, /^No entry: the first packet is rejected/);
});

test('UDP: the probe sends a datagram with nc -u; conntrack and ss for udp', () => {
  const list = debugCommands(model, entry('dns'));
  assert.equal(find(list, /throwaway client/).command, `${PROBE('node-a')} sh -c 'echo natlens | nc -u -w 3 10.96.0.10 53'`);
  assert.equal(find(list, /^conntrack entries/).command, 'conntrack -L -d 10.96.0.10 -p udp --dport 53');
  assert.equal(find(list, /^Established/).command, `${IN_POD} -- ss -un`);
  assert.equal(find(list, /^Packets arriving/).command, 'tcpdump -n -i any host 10.244.0.10 and port 8053');
});

test('nftables mode: nft list chain/map with this Service\'s chain names, for another node', () => {
  const list = debugCommands(model, entry('api'), { proxyMode: 'nftables', nodeName: 'node-b' });
  const chains = nftServiceChains(entry('api').ports[0]!.info);
  assert.equal(chains.cluster, 'service-WEZGB4Y6-shop/api/tcp/http');
  assert.deepEqual(commands(list).slice(3, 9), [
    'kubectl debug node/node-b -it --profile=sysadmin --image=busybox -- chroot /host',
    'nft list chain ip kube-proxy service-WEZGB4Y6-shop/api/tcp/http',
    'nft list chain ip kube-proxy external-WEZGB4Y6-shop/api/tcp/http',
    'nft list chain ip kube-proxy endpoint-BM3TFJ2X-shop/api/tcp/http__10.244.1.10/8080',
    'nft list map ip kube-proxy service-ips',
    'nft list map ip kube-proxy service-nodeports',
  ]);
  assert.deepEqual(list[4]!.expected, [
    'ip daddr 10.96.0.21 ip saddr != 10.244.0.0/16 jump mark-for-masquerade',
    'numgen random mod 2 vmap { 0 : goto endpoint-FGKCGSVZ-shop/api/tcp/http__10.244.0.10/8080 , 1 : goto endpoint-BM3TFJ2X-shop/api/tcp/http__10.244.1.10/8080 }',
  ]);
  assert.deepEqual(list[5]!.expected, ['jump mark-for-masquerade', 'goto service-WEZGB4Y6-shop/api/tcp/http']);
  assert.deepEqual(list[6]!.expected, ['ip saddr 10.244.1.10 jump mark-for-masquerade', 'meta l4proto tcp dnat to 10.244.1.10:8080']);
  assert.deepEqual(list[7]!.expected, ['10.96.0.21 . tcp . 80 : goto service-WEZGB4Y6-shop/api/tcp/http']);
  assert.deepEqual(list[8]!.expected, ['tcp . 30080 : goto external-WEZGB4Y6-shop/api/tcp/http']);
  assert.match(list[4]!.lookFor, /no counters/);
  assert.ok(commands(list).includes('conntrack -L -d 192.168.0.3 -p tcp --dport 30080'));
  assert.ok(commands(list).includes(`${PROBE('node-b')} wget -qO- -T 5 http://10.96.0.21:80/`));
  assert.ok(!commands(list).some(c => c.startsWith('iptables')));
  // the walk's prediction is quoted in nftables mode too (the same masquerade decisions)
  assert.match(find(list, /^conntrack entries for NodePort/).lookFor, /dst=the SNAT address \(/);
});

test('IPVS mode: ipvsadm for the ClusterIP and the NodePort virtual servers', () => {
  const list = debugCommands(model, entry('api'), { proxyMode: 'ipvs' });
  const servers = list.filter(c => c.command.startsWith('ipvsadm'));
  assert.deepEqual(servers.map(c => c.command).sort(), ['ipvsadm -Ln -t 10.96.0.21:80', 'ipvsadm -Ln -t 192.168.0.2:30080', 'ipvsadm -Ln -t 10.244.0.1:30080'].sort());
  for (const c of servers) {
    assert.match(c.lookFor, /^Scheduler rr; 2 real servers, forward method Masq, weight 1: 10\.244\.0\.10:8080 \(node-a\), 10\.244\.1\.10:8080 \(node-b\)\./);
    assert.doesNotMatch(c.lookFor, /does not generate|inferred/);
    // the lines NAT Lens generated: the virtual server, then its real servers
    assert.equal(c.expected!.length, 3);
    assert.match(c.expected![1]!, /^ {2}-> 10\.244\.0\.10:8080 +Masq +1 /);
  }
  assert.ok(list.some(c => c.command === 'ipset list KUBE-NODE-PORT-TCP' && c.expected!.includes('30080')), 'the node port in its ipset');
  assert.ok(!list.some(c => /iptables chain|KUBE-SVC-|KUBE-EXT-/.test(`${c.title} ${c.command} ${c.lookFor}`)), 'no iptables-mode chain');
  // IPVS mode walks like the others: the prediction comes from the walk through the IPVS rules
  assert.match(find(list, /^conntrack entries for NodePort/).lookFor, /dst=the SNAT address \(10\.244\.0\.1, 192\.168\.0\.2\): the connection was SNATed.*\(predicted: DNAT to /);
});

test('IPv6: ip6tables, conntrack -f ipv6 and a quoted bracketed URL', () => {
  const v6 = parseProfile('ipFamily: IPv6\nnodeName: node-a\nnodes:\n  - { name: node-a, ips: [\'fd00::2\'], podCIDR: \'fd00:10:244::/64\' }\n').profile;
  const m = buildClusterModel(parseManifest(`apiVersion: v1
kind: Service
metadata: {name: web6, namespace: shop}
spec:
  type: NodePort
  clusterIP: fd00:10:96::20
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: 8080, nodePort: 30081}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: web}]
`, 'v6.yaml').objects, v6);
  const list = commands(debugCommands(m, m.services[0]!));
  assert.deepEqual(list.slice(4, 7), [
    'ip6tables -t nat -L KUBE-SVC-A4ZS7IVQTILSWGRZ -n -v',
    'ip6tables -t nat -L KUBE-EXT-A4ZS7IVQTILSWGRZ -n -v',
    'ip6tables-save -t nat | grep -e A4ZS7IVQTILSWGRZ -e KUBE-SEP-O43ZPWSGQTF26GU7',
  ]);
  assert.ok(list.includes(`${PROBE('node-a')} wget -qO- -T 5 'http://[fd00:10:96::20]:80/'`));
  assert.ok(list.includes('conntrack -L -f ipv6 -d fd00:10:96::20 -p tcp --dport 80'));
  assert.ok(list.includes('conntrack -L -f ipv6 -d fd00::2 -p tcp --dport 30081'));
});

test('a chosen port, and a Service given as its manifest object', () => {
  const obj = entry('api').obj;
  assert.deepEqual(commands(debugCommands(model, obj, { port: 'http' })), commands(debugCommands(model, entry('api'))));
  const none = debugCommands(model, obj, { port: 9999 });
  assert.equal(none.at(-1)!.title, 'No port to check');
  assert.equal(none.at(-1)!.lookFor, 'shop/api has no port 9999; its ports: http.');
});

test('formatDebugText numbers the steps and lists the expected lines', () => {
  const text = formatDebugText([
    { title: 'One', command: cmd('echo', 'a b'), lookFor: 'it', where: 'workstation', runOn: 'workstation' },
    { title: 'Two', command: 'true', lookFor: 'these', where: 'node', runOn: 'node node-a', expected: ['-A X', '-A Y'] },
  ], { heading: 'natlens debug: shop/web on node-a (iptables)' });
  assert.equal(text, [
    'natlens debug: shop/web on node-a (iptables)', '',
    '1. One [workstation]', "   $ echo 'a b'", '   Look for: it', '',
    '2. Two [node node-a]', '   $ true', '   Look for: these', '   Expected:', '     -A X', '     -A Y', '',
  ].join('\n'));
  const long = formatDebugText([{ title: 'T', command: 'x', lookFor: 'word '.repeat(40).trim(), where: 'workstation', runOn: 'w' }], { width: 40 });
  assert.ok(long.split('\n').every(l => l.length <= 40 || l.startsWith('   $')), long);
});

test('shell quoting and the probabilities iptables prints back', () => {
  assert.equal(shq('KUBE-SVC-ABC'), 'KUBE-SVC-ABC');
  assert.equal(shq('{.spec.type}'), "'{.spec.type}'");
  assert.equal(shq("it's"), "'it'\\''s'");
  assert.equal(shq(''), "''");
  assert.equal(shq('http://[fd00::1]:80/'), "'http://[fd00::1]:80/'");
  assert.equal(shq('=x'), "'=x'");
  // libxt_statistic: lround(0x80000000 * p), printed with %.11f
  assert.equal(iptablesPrintedProbability('0.3333333333'), '0.33333333349');
  assert.equal(iptablesPrintedProbability('0.5000000000'), '0.50000000000');
  assert.equal(iptablesPrintedProbability('0.2000000000'), '0.20000000019');
  assert.equal(iptablesPrintedProbability('0.1000000000'), '0.10000000009');
  // 1/4096 is stored exactly (2^19 / 2^31): 0.000244140625 ends in an exact tie, printed to even
  assert.equal(iptablesPrintedProbability('0.0002441406'), '0.00024414062');
});

test('the traffic-policy checks say what the facts say, as the hover summary does, in every mode', () => {
  const local = buildClusterModel(parseManifest(MANIFEST.replace('  ports: [{name: http, port: 80, targetPort: http}]', '  internalTrafficPolicy: Local\n  ports: [{name: http, port: 80, targetPort: http}]'), 'svc.yaml').objects, profile);
  for (const mode of ['iptables', 'nftables', 'ipvs'] as const) {
    for (const [m, name] of [[model, 'edge'], [model, 'lonely'], [local, 'web']] as const) {
      const e = m.services.find(s => s.obj.name === name)!;
      const modeModel = { ...m, profile: withProxyMode(m.profile, mode) };
      const facts = serviceFacts(modeModel.services.find(s => s.obj.name === name)!, modeModel);
      const lookFor = find(debugCommands(m, e, { proxyMode: mode }), /traffic policy$/).lookFor;
      const d = defaultService(e.service);
      assert.equal(lookFor, externallyAccessible(e.service) ? externalSummary(facts, d.externalTrafficPolicy === 'Local' ? 'Local' : 'Cluster')
        : `${internalSummary(facts, d.internalTrafficPolicy === 'Local')} (externalTrafficPolicy does not apply: the Service is not externally reachable.)`, `${mode} ${name}`);
    }
  }
});
