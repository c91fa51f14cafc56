// The masquerade address over an overlay pod network, against real packets (issue 13, point 3). The
// two-node lab of walk-cases.ts gets a real overlay between its node namespaces in place of the routes
// to the other node's pod CIDR, the way the CNI builds it:
//   flannel VXLAN: flannel.1 (VNI 1, UDP 8472) with the pod subnet's .0/32, routes
//                  `<podCIDR> via <remote .0> dev flannel.1 onlink`, static neighbour and FDB entries;
//   Calico VXLAN:  vxlan.calico (VNI 4096, UDP 4789) with the tunnel address from the node's IPAM block;
//   Calico IPIP:   tunl0 (ipip) with the tunnel address, routes `via <remote node IP> dev tunl0 onlink`.
// The engine's kube-proxy rules are loaded into the nodes; the walk (with the pod network read from the
// CNI objects) must predict the source every reached pod sees, captured in the pod's own namespace.
// A kernel without the tunnel type skips that overlay, saying which device it could not create.
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { netnsSupport, withLab, type Lab } from './lab';
import { iptablesBackend } from './iptables-record';
import { A1, A2, B1, EXT, GW1, GW2, N1, N2, PORT, WEB_IP, checkMasquerade, labInput, labSpec, runCase, type Case, type Style, type Timing } from './walk-cases';
import { parseManifest } from '../../extension/src/engine/manifest/manifest';
import { readCniConfig } from '../../extension/src/engine/egress/workspace';
import { buildClusterModel } from '../../extension/src/engine/model/cluster';
import { Walker } from '../../extension/src/engine/walk/walk';

interface Overlay {
  readonly name: string;
  readonly style: Style;
  /** The CNI objects the model reads the pod network from. */
  readonly cni: string;
  /** Each node's tunnel address, as the CNI gives it. */
  readonly tunnel: Readonly<Record<'node1' | 'node2', string>>;
  readonly kind: 'vxlan' | 'ipip';
  readonly device: string;
  readonly vni?: number;
  readonly port?: number;
}

const NODES = { node1: { ip: N1, podCIDR: '10.0.1.0/24' }, node2: { ip: N2, podCIDR: '10.0.2.0/24' } } as const;

const OVERLAYS: Overlay[] = [
  {
    name: 'flannel VXLAN', style: 'ip', kind: 'vxlan', device: 'flannel.1', vni: 1, port: 8472,
    tunnel: { node1: '10.0.1.0', node2: '10.0.2.0' },
    cni: `apiVersion: v1
kind: ConfigMap
metadata: { name: kube-flannel-cfg, namespace: kube-flannel }
data:
  net-conf.json: |
    { "Network": "10.0.0.0/16", "Backend": { "Type": "vxlan" } }
`,
  },
  {
    name: 'Calico VXLAN', style: 'none', kind: 'vxlan', device: 'vxlan.calico', vni: 4096, port: 4789,
    tunnel: { node1: '10.0.1.192', node2: '10.0.2.64' },
    cni: calicoObjects('vxlanMode', { node1: '10.0.1.192/26', node2: '10.0.2.64/26' }),
  },
  {
    name: 'Calico IPIP', style: 'none', kind: 'ipip', device: 'tunl0',
    tunnel: { node1: '10.0.1.128', node2: '10.0.2.0' },
    cni: calicoObjects('ipipMode', { node1: '10.0.1.128/26', node2: '10.0.2.0/26' }),
  },
];

/** An IPPool encapsulating Always, and each node's IPAM block (its first address is the tunnel address). */
function calicoObjects(mode: 'ipipMode' | 'vxlanMode', blocks: Record<string, string>): string {
  return `apiVersion: crd.projectcalico.org/v1
kind: IPPool
metadata: { name: lab-pool }
spec: { cidr: 10.0.0.0/16, ${mode}: Always, natOutgoing: true }
${Object.entries(blocks).map(([node, cidr]) => `---
apiVersion: crd.projectcalico.org/v1
kind: IPAMBlock
metadata: { name: ${cidr.replace(/[./]/g, '-')} }
spec: { cidr: ${cidr}, affinity: "host:${node}" }
`).join('')}`;
}

const support = netnsSupport();
if (!support.ok) console.log(`# kernel lab unavailable, skipping: ${support.reason}`);

/** Whether this kernel can create the overlay's device type (in a scratch namespace the probe removes). */
function deviceSupport(o: Overlay): string | null {
  if (!support.ok) return support.reason;
  const probe = o.kind === 'vxlan' ? ['link', 'add', 'probe0', 'type', 'vxlan', 'id', '1', 'dstport', '4789'] : ['link', 'add', 'probe0', 'type', 'ipip', 'local', '192.0.2.1', 'remote', '192.0.2.2'];
  const ns = `nlab-probe-${process.pid}-${o.kind}`;
  if (o.kind === 'ipip') spawnSync('sh', ['-c', 'command -v modprobe >/dev/null && modprobe ipip'], { timeout: 10_000 });
  const r = spawnAll([['ip', 'netns', 'add', ns], ['ip', '-n', ns, ...probe]], ['ip', 'netns', 'del', ns]);
  if (r === null) return null;
  const modprobe = spawnSync('sh', ['-c', 'command -v modprobe'], { encoding: 'utf8' }).status === 0;
  return `the kernel has no ${o.kind} tunnels (ip link add type ${o.kind}: ${r})${modprobe ? `; modprobe ${o.kind} did not make it available` : ', and there is no modprobe here to load the module'}`;
}

/** Runs the commands in order (then `cleanup` always); the first failure's message, or null. */
function spawnAll(cmds: string[][], cleanup: string[]): string | null {
  try {
    for (const [cmd, ...args] of cmds) {
      const r = spawnSync(cmd!, args, { encoding: 'utf8', timeout: 10_000 });
      if (r.status !== 0) return (r.stderr || r.error?.message || `exit ${r.status}`).trim();
    }
    return null;
  } finally {
    spawnSync(cleanup[0]!, cleanup.slice(1), { timeout: 10_000 });
  }
}

async function must(lab: Lab, node: string, args: string[]): Promise<string> {
  const r = await lab.run({ node }, 'ip', args);
  if (r.code !== 0) throw new Error(`${node}: ip ${args.join(' ')}: ${r.stderr.trim()}`);
  return r.stdout;
}

/** Replaces the lab's routes to the other node's pod CIDR with the overlay, on both nodes. */
async function buildOverlay(lab: Lab, o: Overlay): Promise<void> {
  const names = ['node1', 'node2'] as const;
  const mac: Record<string, string> = {};
  for (const n of names) {
    const dev = o.device;
    if (o.kind === 'vxlan') await must(lab, n, ['link', 'add', dev, 'type', 'vxlan', 'id', String(o.vni), 'local', NODES[n].ip, 'dev', 'eth0', 'dstport', String(o.port), 'nolearning']);
    else await must(lab, n, ['link', 'add', dev, 'type', 'ipip', 'local', NODES[n].ip, 'dev', 'eth0']);
    await must(lab, n, ['addr', 'add', `${o.tunnel[n]}/32`, 'dev', dev]);
    await must(lab, n, ['link', 'set', dev, 'up']);
    if (o.kind === 'vxlan') mac[n] = /link\/ether ([0-9a-f:]+)/.exec(await must(lab, n, ['link', 'show', dev]))![1]!;
  }
  for (const n of names) {
    const other = n === 'node1' ? 'node2' : 'node1';
    if (o.kind === 'vxlan') {
      await must(lab, n, ['route', 'replace', NODES[other].podCIDR, 'via', o.tunnel[other], 'dev', o.device, 'onlink']);
      await must(lab, n, ['neigh', 'replace', o.tunnel[other], 'lladdr', mac[other]!, 'dev', o.device, 'nud', 'permanent']);
      const fdb = await lab.run({ node: n }, 'bridge', ['fdb', 'append', mac[other]!, 'dev', o.device, 'dst', NODES[other].ip]);
      if (fdb.code !== 0) throw new Error(`${n}: bridge fdb append: ${fdb.stderr.trim()}`);
    } else {
      await must(lab, n, ['route', 'replace', NODES[other].podCIDR, 'via', NODES[other].ip, 'dev', o.device, 'onlink']);
    }
  }
}

for (const o of OVERLAYS) {
  const skip = deviceSupport(o);
  if (skip && support.ok) console.log(`# ${o.name}: skipping: ${skip}`);
  test(`walk vs kernel over ${o.name}: the address the pod sees is ${o.device}'s`, { skip: skip ?? false }, async (t) => {
    const { objects, profile } = labInput(o.style);
    const model = buildClusterModel(objects, profile, { cni: readCniConfig([parseManifest(o.cni, 'cni.yaml')]) });
    const walker = new Walker(model);
    const local1 = o.style === 'ip' ? GW1 : N1;
    const local2 = o.style === 'ip' ? GW2 : N2;
    const ext = { kind: 'external', ip: EXT } as const;
    const cases: Case[] = [
      { name: 'NodePort, Cluster: external client -> node1 (b1 on node2 sees node1\'s tunnel address)', from: { client: 'ext' }, source: ext, dst: N1, dport: 30080, entryNode: 'node1',
        expect: { a1: local1, a2: local1, b1: o.tunnel.node1 } },
      { name: 'NodePort, Cluster: external client -> node2 (a1, a2 on node1 see node2\'s tunnel address)', from: { client: 'ext' }, source: ext, dst: N2, dport: 30080, entryNode: 'node2',
        expect: { a1: o.tunnel.node2, a2: o.tunnel.node2, b1: local2 } },
      { name: 'ClusterIP: node1 host network -> service (masqueraded; b1 sees the tunnel address)', from: { node: 'node1' }, source: { kind: 'node', node: 'node1' }, dst: WEB_IP, dport: 80,
        expect: { a1: local1, a2: local1, b1: o.tunnel.node1 } },
      { name: 'ClusterIP: pod a1 -> service (pods keep their address across the overlay)', from: { pod: 'a1' }, source: { kind: 'pod', ip: A1, node: 'node1' }, dst: WEB_IP, dport: 80,
        expect: { a1: local1, a2: A1, b1: A1 } },
    ];
    const timings: Timing[] = [];
    await withLab(labSpec(o.style), async (lab) => {
      await iptablesBackend.load(lab, model);
      await buildOverlay(lab, o);
      for (const c of cases) {
        let observed: Awaited<ReturnType<typeof runCase>> = null;
        await t.test(c.name, async (st) => { observed = await runCase(st, lab, walker, c, timings, iptablesBackend); });
        if (observed) await t.test(`${c.name}: masquerade flags`, () => checkMasquerade(observed!, iptablesBackend));
      }
    }, { maxRuntimeMs: 60_000 });
    t.diagnostic(`per case: ${timings.map((x) => `${x.ms.toFixed(0)} ms/${x.tries}`).join(', ')}; pods ${[A1, A2, B1].join(', ')} on port ${PORT}`);
  });
}
