// Self-tests of the kernel lab (test/kernel/lab.ts) with a small hand-written kube-proxy-style payload.
// They need root, network namespaces and iptables; elsewhere every test is skipped with the reason.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { test, type TestContext } from 'node:test';
import { listLabNamespaces, netnsSupport, reapStaleNamespaces, withLab, withScratchNamespace, type ConnectResult, type JumpRule, type LabSpec } from './lab';

const support = netnsSupport();
if (!support.ok) console.log(`# kernel lab unavailable, skipping: ${support.reason}`);

function labAvailable(t: TestContext): boolean {
  if (support.ok) return true;
  t.diagnostic(`kernel lab unavailable: ${support.reason}`);
  t.skip(support.reason);
  return false;
}

// ------------------------------------------------------------------------------------- fixtures

const NODE1 = '192.168.0.2';
const NODE2 = '192.168.0.3';
const EXT = '203.0.113.2';
const POD1A = '10.0.1.2'; // on node1 (podGateway 'ip': host veth has 10.0.1.1)
const POD2A = '10.0.2.2'; // on node2 (podGateway 'none': Calico style)
const CLUSTER_IP = '172.30.0.10';
const LB_IP = '198.51.100.10';

const SPEC: LabSpec = {
  nodes: [
    { name: 'node1', ip: NODE1, podCIDR: '10.0.1.0/24', podGateway: 'ip', gatewayIP: '10.0.1.1', pods: [{ name: 'pod1a', ip: POD1A, ports: [8080] }] },
    { name: 'node2', ip: NODE2, podCIDR: '10.0.2.0/24', podGateway: 'none', pods: [{ name: 'pod2a', ip: POD2A, ports: [8080] }] },
  ],
  clients: [{ name: 'ext', ip: EXT }],
  serviceCIDR: '172.30.0.0/16',
  extraLocalRoutes: ['198.51.100.0/24', 'local 192.0.2.10/32 dev lo'],
};

/** kube-proxy's jumps from the built-in chains (a subset, in kube-proxy's order and spelling). */
const JUMPS: JumpRule[] = [
  { table: 'filter', chain: 'INPUT', args: ['-m', 'conntrack', '--ctstate', 'NEW', '-m', 'comment', '--comment', 'kubernetes externally-visible service portals', '-j', 'KUBE-EXTERNAL-SERVICES'] },
  { table: 'filter', chain: 'INPUT', args: ['-m', 'comment', '--comment', 'kubernetes health check service ports', '-j', 'KUBE-NODEPORTS'] },
  { table: 'nat', chain: 'OUTPUT', args: ['-m', 'comment', '--comment', 'kubernetes service portals', '-j', 'KUBE-SERVICES'] },
  { table: 'nat', chain: 'PREROUTING', args: ['-m', 'comment', '--comment', 'kubernetes service portals', '-j', 'KUBE-SERVICES'] },
  { table: 'nat', chain: 'POSTROUTING', args: ['-m', 'comment', '--comment', 'kubernetes postrouting rules', '-j', 'KUBE-POSTROUTING'] },
];

/**
 * Minimal hand-written payload for one node:
 *  - ClusterIP 172.30.0.10:80/tcp and :53/udp -> DNAT to pod2a:8080 (no masquerade: plain DNAT);
 *  - NodePort 30080 -> the node's own pod, 30081 -> the other node's pod, both masqueraded;
 *  - "LoadBalancer" 198.51.100.10:80 -> pod1a, masqueraded.
 */
function payload(localPod: string, remotePod: string): string {
  return `*filter
:KUBE-EXTERNAL-SERVICES - [0:0]
:KUBE-NODEPORTS - [0:0]
COMMIT
*nat
:KUBE-SERVICES - [0:0]
:KUBE-NODEPORTS - [0:0]
:KUBE-POSTROUTING - [0:0]
:KUBE-MARK-MASQ - [0:0]
-A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN
-A KUBE-POSTROUTING -j MARK --xor-mark 0x4000
-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE --random-fully
-A KUBE-MARK-MASQ -j MARK --or-mark 0x4000
-A KUBE-SERVICES -m comment --comment "lab/web:http cluster IP" -m tcp -p tcp -d ${CLUSTER_IP} --dport 80 -j DNAT --to-destination ${POD2A}:8080
-A KUBE-SERVICES -m comment --comment "lab/web:dns cluster IP" -m udp -p udp -d ${CLUSTER_IP} --dport 53 -j DNAT --to-destination ${POD2A}:8080
-A KUBE-SERVICES -m comment --comment "lab/web:http loadbalancer IP" -m tcp -p tcp -d ${LB_IP} --dport 80 -j KUBE-MARK-MASQ
-A KUBE-SERVICES -m comment --comment "lab/web:http loadbalancer IP" -m tcp -p tcp -d ${LB_IP} --dport 80 -j DNAT --to-destination ${POD1A}:8080
-A KUBE-SERVICES -m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS
-A KUBE-NODEPORTS -m comment --comment lab/web:local -m tcp -p tcp --dport 30080 -j KUBE-MARK-MASQ
-A KUBE-NODEPORTS -m comment --comment lab/web:local -m tcp -p tcp --dport 30080 -j DNAT --to-destination ${localPod}:8080
-A KUBE-NODEPORTS -m comment --comment lab/web:remote -m tcp -p tcp --dport 30081 -j KUBE-MARK-MASQ
-A KUBE-NODEPORTS -m comment --comment lab/web:remote -m tcp -p tcp --dport 30081 -j DNAT --to-destination ${remotePod}:8080
COMMIT
`;
}

const ip = (hostPort?: string) => (hostPort ?? '').replace(/:\d+$/, '');

/** Every try succeeded; returns the distinct "pod local <- remote-ip" observations. */
function seen(results: ConnectResult[]): string[] {
  for (const r of results) assert.equal(r.ok, true, `connection failed: ${JSON.stringify(r)}`);
  return [...new Set(results.map((r) => `${r.pod} ${r.local} <- ${ip(r.remote)}`))].sort();
}

// ----------------------------------------------------------------------------------------- tests

test('kernel lab: two-node cluster (routing, DNAT, MASQUERADE with both pod gateway styles, routeVia)', async (t) => {
  if (!labAvailable(t)) return;
  let prefix = '';
  await withLab(SPEC, async (lab) => {
    prefix = lab.prefix;
    t.diagnostic(`setup timings (ms): ${JSON.stringify(lab.timings)}`);

    await t.test('pod -> pod across nodes, TCP and UDP, no NAT', async () => {
      assert.deepEqual(seen(await lab.connect({ pod: 'pod1a' }, POD2A, 8080, { count: 3 })), [`pod2a ${POD2A}:8080 <- ${POD1A}`]);
      assert.deepEqual(seen(await lab.connect({ pod: 'pod2a' }, POD1A, 8080, { count: 3, proto: 'udp' })), [`pod1a ${POD1A}:8080 <- ${POD2A}`]);
      const r = await lab.connect({ pod: 'pod1a' }, POD2A, 8080, { count: 1 });
      assert.equal(r[0]!.remote, r[0]!.client, 'the pod saw exactly the client socket address');
    });

    await t.test('client -> node: reaches the node, refused without rules; unrouted VIP times out (bounded)', async () => {
      const [refused] = await lab.connect({ client: 'ext' }, NODE1, 30080);
      assert.equal(refused!.ok, false);
      assert.equal(refused!.error, 'ECONNREFUSED');
      const t0 = Date.now();
      const [lost] = await lab.connect({ pod: 'pod1a' }, '172.30.0.99', 80, { timeoutMs: 300 });
      assert.equal(lost!.ok, false);
      assert.match(lost!.error ?? '', /timeout|EHOSTUNREACH/);
      assert.ok(Date.now() - t0 < 3000);
    });

    for (const [node, local, remote] of [['node1', POD1A, POD2A], ['node2', POD2A, POD1A]] as const) {
      await lab.loadRules(node, payload(local, remote), JUMPS);
    }

    await t.test('loadRules: jumps prepended once, in kube-proxy order; --noflush reload does not duplicate', async () => {
      await lab.loadRules('node1', payload(POD1A, POD2A), JUMPS); // second load: EnsureRule finds every jump
      const filter = (await lab.save('node1', 'filter')).split('\n').filter((l) => l.startsWith('-A INPUT'));
      assert.deepEqual(filter, [
        '-A INPUT -m comment --comment "kubernetes health check service ports" -j KUBE-NODEPORTS',
        '-A INPUT -m conntrack --ctstate NEW -m comment --comment "kubernetes externally-visible service portals" -j KUBE-EXTERNAL-SERVICES',
      ]);
      const nat = await lab.save('node1', 'nat');
      assert.equal(nat.split('\n').filter((l) => l.startsWith('-A PREROUTING')).length, 1);
      assert.match(nat, /^-A KUBE-SERVICES -d 172\.30\.0\.10\/32 -p tcp -m comment --comment "lab\/web:http cluster IP" -m tcp --dport 80 -j DNAT --to-destination 10\.0\.2\.2:8080$/m);
      assert.match(await lab.save('node2'), /^\*filter$[\s\S]*^\*nat$/m);
    });

    await t.test('loadRules: a bad payload throws with iptables-restore\'s message and changes nothing', async () => {
      const before = await lab.save('node1', 'nat');
      await assert.rejects(lab.loadRules('node1', '*nat\n:KUBE-SERVICES - [0:0]\n-A KUBE-SERVICES -p tcp --dport 80800 -j RETURN\nCOMMIT\n', JUMPS),
        (e: Error) => /iptables-restore failed/.test(e.message) && /80800|line/i.test(e.message));
      assert.equal((await lab.save('node1', 'nat')).replace(/^#.*\n/gm, ''), before.replace(/^#.*\n/gm, ''));
    });

    await t.test('ClusterIP DNAT from a pod and from a node (nat PREROUTING / OUTPUT), TCP and UDP', async () => {
      assert.deepEqual(seen(await lab.connect({ pod: 'pod1a' }, CLUSTER_IP, 80, { count: 5 })), [`pod2a ${POD2A}:8080 <- ${POD1A}`]);
      assert.deepEqual(seen(await lab.connect({ pod: 'pod1a' }, CLUSTER_IP, 53, { count: 3, proto: 'udp' })), [`pod2a ${POD2A}:8080 <- ${POD1A}`]);
      assert.deepEqual(seen(await lab.connect({ node: 'node1' }, CLUSTER_IP, 80, { count: 2 })), [`pod2a ${POD2A}:8080 <- ${NODE1}`]);
    });

    await t.test('MASQUERADE source: podGateway ip -> gateway IP for the local endpoint, node IP for the remote one', async () => {
      assert.deepEqual(seen(await lab.connect({ client: 'ext' }, NODE1, 30080, { count: 3 })), [`pod1a ${POD1A}:8080 <- 10.0.1.1`]);
      assert.deepEqual(seen(await lab.connect({ client: 'ext' }, NODE1, 30081, { count: 3 })), [`pod2a ${POD2A}:8080 <- ${NODE1}`]);
    });

    await t.test('MASQUERADE source: podGateway none (Calico) -> node IP for the local and the remote endpoint', async () => {
      assert.deepEqual(seen(await lab.connect({ client: 'ext' }, NODE2, 30080, { count: 3 })), [`pod2a ${POD2A}:8080 <- ${NODE2}`]);
      assert.deepEqual(seen(await lab.connect({ client: 'ext' }, NODE2, 30081, { count: 3 })), [`pod1a ${POD1A}:8080 <- ${NODE2}`]);
    });

    await t.test('routeVia: a VIP sent to a chosen node', async () => {
      const [noRoute] = await lab.connect({ client: 'ext' }, LB_IP, 80, { timeoutMs: 300 });
      assert.equal(noRoute!.ok, false, 'no route for the VIP yet');
      await lab.routeVia('ext', `${LB_IP}/32`, 'node2');
      assert.deepEqual(seen(await lab.connect({ client: 'ext' }, LB_IP, 80, { count: 2 })), [`pod1a ${POD1A}:8080 <- ${NODE2}`]);
      await lab.routeVia('ext', `${LB_IP}/32`, 'node1');
      assert.deepEqual(seen(await lab.connect({ client: 'ext' }, LB_IP, 80, { count: 2 })), [`pod1a ${POD1A}:8080 <- 10.0.1.1`]);
    });

    await t.test('flushConntrack empties the nodes\' tables; run() works in members', async () => {
      const listed = await lab.run({ node: 'node1' }, 'conntrack', ['-L']);
      assert.equal(listed.code, 0);
      assert.match(listed.stdout, /dport=30080/);
      await lab.flushConntrack();
      assert.equal((await lab.run({ node: 'node1' }, 'conntrack', ['-L'])).stdout.trim(), '');
      const routes = await lab.run({ node: 'node1' }, 'ip', ['route']);
      assert.doesNotMatch(routes.stdout, /^default/m, 'nodes have no default route');
    });

    await t.test('extraLocalRoutes: node-originated traffic to the LB range is routed (nat OUTPUT), local routes are local', async () => {
      assert.deepEqual(seen(await lab.connect({ node: 'node2' }, LB_IP, 80, { count: 2 })), [`pod1a ${POD1A}:8080 <- ${NODE2}`]);
      assert.match((await lab.run({ node: 'node1' }, 'ip', ['route', 'show', 'table', 'local'])).stdout, /^local 192\.0\.2\.10 dev lo/m);
    });

    await t.test('bounds are enforced', async () => {
      await assert.rejects(lab.connect({ pod: 'pod1a' }, POD2A, 8080, { count: 201 }), /count/);
      await assert.rejects(lab.connect({ pod: 'nope' }, POD2A, 8080), /no pod named/);
      await assert.rejects(lab.connect({ pod: 'pod1a' }, 'example.com', 80), /IPv4/);
    });
  });
  assert.deepEqual(listLabNamespaces().filter((n) => n.startsWith(prefix)), [], 'namespaces removed after withLab');
});

test('kernel lab: withScratchNamespace round trip (restore, save, restore the save again: a fixpoint)', async (t) => {
  if (!labAvailable(t)) return;
  const probe = `*nat
:KUBE-SVC-X - [0:0]
:KUBE-SEP-A - [0:0]
-A KUBE-SVC-X -m comment --comment "ns/svc:p -> 10.0.1.2:8080" -m statistic --mode random --probability 0.3333333333 -j KUBE-SEP-A
-A KUBE-SEP-A -m comment --comment ns/svc:p -m tcp -p tcp -j DNAT --to-destination 10.0.1.2:8080
COMMIT
`;
  const strip = (s: string) => s.replace(/^#.*\n/gm, '');
  const saved = await withScratchNamespace(async (run) => {
    const r = await run('iptables-restore', ['-w', '5', '--noflush'], probe);
    assert.equal(r.code, 0, r.stderr);
    const s = await run('iptables-save', ['-t', 'nat']);
    assert.equal(s.code, 0, s.stderr);
    const routes = await run('ip', ['-o', 'link']);
    assert.deepEqual(routes.stdout.trim().split('\n').map((l) => l.split(':')[1]!.trim()), ['lo'], 'an empty namespace (lo only)');
    return s.stdout;
  });
  assert.match(saved, /^-A KUBE-SVC-X -m comment --comment "ns\/svc:p -> 10\.0\.1\.2:8080" -m statistic --mode random --probability 0\.33333333349 -j KUBE-SEP-A$/m);
  assert.match(saved, /^-A KUBE-SEP-A -p tcp -m comment --comment "ns\/svc:p" -m tcp -j DNAT --to-destination 10\.0\.1\.2:8080$/m);
  const again = await withScratchNamespace(async (run) => {
    assert.equal((await run('iptables-restore', [], saved)).code, 0);
    return (await run('iptables-save', ['-t', 'nat'])).stdout;
  });
  assert.equal(strip(again), strip(saved));
});

test('kernel lab: cleanup on throw, on the watchdog, and reaping of dead runs only', async (t) => {
  if (!labAvailable(t)) return;
  const tiny: LabSpec = { nodes: [{ name: 'n1', ip: '192.168.7.2', podCIDR: '10.7.0.0/24', podGateway: 'none', ports: [9000], pods: [{ name: 'p1', ip: '10.7.0.2', ports: [80] }] }], clients: [], serviceCIDR: '172.31.0.0/16' };

  await t.test('spec errors are thrown before anything is created', async () => {
    await assert.rejects(withLab({ ...tiny, serviceCIDR: 'not-a-cidr' }, async () => 1), /serviceCIDR/);
    await assert.rejects(withLab({ ...tiny, clients: [{ name: 'n1', ip: '203.0.113.9' }] }, async () => 1), /duplicate name/);
    assert.deepEqual(listLabNamespaces().filter((n) => n.startsWith(`nlab-${process.pid}-`)), [], 'nothing was created');
  });

  await t.test('fn throws -> rejected, namespaces gone', async () => {
    let prefix = '';
    await assert.rejects(withLab(tiny, async (lab) => {
      prefix = lab.prefix;
      assert.deepEqual(seen(await lab.connect({ node: 'n1' }, '10.7.0.2', 80)), ['p1 10.7.0.2:80 <- 192.168.7.2']);
      // host-network echo server on the node (LabNode.ports), TCP and UDP
      assert.deepEqual(seen(await lab.connect({ pod: 'p1' }, '192.168.7.2', 9000)), ['n1 192.168.7.2:9000 <- 10.7.0.2']);
      assert.deepEqual(seen(await lab.connect({ pod: 'p1' }, '192.168.7.2', 9000, { proto: 'udp' })), ['n1 192.168.7.2:9000 <- 10.7.0.2']);
      throw new Error('boom');
    }), /boom/);
    assert.ok(prefix);
    assert.deepEqual(listLabNamespaces().filter((n) => n.startsWith(prefix)), []);
  });

  await t.test('watchdog ends a hung lab, tears it down, and the lab refuses further use', async () => {
    let lab0: Parameters<Parameters<typeof withLab>[1]>[0] | undefined;
    const t0 = Date.now();
    await assert.rejects(withLab(tiny, (lab) => { lab0 = lab; return new Promise<never>(() => {}); }, { maxRuntimeMs: 500 }), /watchdog/);
    assert.ok(Date.now() - t0 < 5000);
    assert.deepEqual(listLabNamespaces().filter((n) => n.startsWith(lab0!.prefix)), []);
    await assert.rejects(lab0!.connect({ node: 'n1' }, '10.7.0.2', 80), /closed/);
  });

  await t.test('a SIGKILLed run: its helpers exit by themselves, the next run reaps its namespaces', async () => {
    const code = `require(${JSON.stringify(path.join(__dirname, 'lab.ts'))}).withLab(${JSON.stringify(tiny)}, (lab) => { console.log(lab.prefix); return new Promise(() => {}); }, { maxRuntimeMs: 30000 });`;
    const child = spawn(process.execPath, ['--import', 'tsx', '-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
    const prefix = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('child lab did not start')), 15000);
      child.stdout!.setEncoding('utf8').on('data', (d: string) => { clearTimeout(timer); resolve(d.trim()); });
      child.on('exit', () => reject(new Error('child exited early')));
    });
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    const orphans = listLabNamespaces().filter((n) => n.startsWith(prefix));
    assert.ok(orphans.length >= 3, `the killed run left its namespaces behind: ${orphans.join(' ')}`);
    // The echo server lost its parent's pipe: it must leave by itself (not after its TTL).
    const deadline = Date.now() + 5000;
    const pidsIn = (ns: string) => (spawnSync('ip', ['netns', 'pids', ns], { encoding: 'utf8' }).stdout ?? '').trim();
    while (orphans.some((n) => pidsIn(n) !== '') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(orphans.filter((n) => pidsIn(n) !== ''), [], 'helpers exited on stdin EOF');
    await reapStaleNamespaces(); // (a concurrent run may have reaped them already: check the result, not the return value)
    assert.deepEqual(listLabNamespaces().filter((n) => n.startsWith(prefix)), []);
  });

  await t.test('namespaces of live runs are never reaped', async () => {
    const start = (spawnSync('sh', ['-c', `cut -d' ' -f22 /proc/${process.pid}/stat`], { encoding: 'utf8' }).stdout ?? '').trim();
    const live = `nlab-${process.pid}-${start}-aaaaaa-live`;
    const stale = `nlab-${process.pid}-1-bbbbbb-stale`; // our pid, wrong start time: a dead run whose pid was reused
    for (const n of [live, stale]) assert.equal(spawnSync('ip', ['netns', 'add', n]).status, 0);
    try {
      await reapStaleNamespaces();
      const left = listLabNamespaces();
      assert.ok(left.includes(live), 'live namespace kept');
      assert.ok(!left.includes(stale), 'stale namespace reaped');
    } finally {
      spawnSync('ip', ['-force', '-batch', '-'], { input: `netns del ${live}\nnetns del ${stale}\n` });
    }
  });
});
