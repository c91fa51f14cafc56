// The pod network decides the masquerade address (issue 13, point 3) and the NetworkPolicy wording
// behind SNAT (point 7): one manifest per case in test/fixtures/pod-network, each through
// `natlens trace --json`, `natlens rules` and `natlens explain`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from '../support/cli';

const DIR = 'test/fixtures/pod-network';
const PROFILE = join(DIR, 'profile.yaml');
const REMOTE = '10.244.2.5:8080';
const LOCAL = '10.244.1.5:8080';

interface Case { file: string; device: string | null; remote: string; local?: string }
const CASES: Case[] = [
  { file: 'flannel-vxlan.yaml', device: 'flannel.1', remote: '10.244.1.0', local: '10.244.1.1' },
  { file: 'calico-ipip.yaml', device: 'tunl0', remote: '10.244.1.64', local: '192.168.0.2' },
  { file: 'calico-vxlan.yaml', device: 'vxlan.calico', remote: '10.244.1.0', local: '192.168.0.2' },
  { file: 'cilium-tunnel.yaml', device: 'cilium_host', remote: '10.244.1.73' },
  { file: 'routed-host-gw.yaml', device: null, remote: '192.168.0.2', local: '10.244.1.1' },
];

interface Outcome { endpoint: string; sourceSeen: string; overlay?: { device: string; address: string | null } }

function traceJson(files: readonly string[], node = 'node1', dst = '192.168.0.2') {
  const r = cli('trace', '--json', '--cluster', PROFILE, '--src', '203.0.113.10', '--dst', dst, '--dport', '30080', '--node', node, ...files);
  assert.equal(r.code, 0, r.err);
  return JSON.parse(r.out) as { outcomes: Outcome[]; summary: string };
}

const seen = (outcomes: readonly Outcome[], endpoint: string) => outcomes.find(o => o.endpoint === endpoint)?.sourceSeen.replace(/:(\d+|\*)$/, '');

for (const c of CASES) {
  test(`pod network ${c.file}: trace --json, rules and explain give the address the pod really sees`, () => {
    const file = join(DIR, c.file);
    const walk = traceJson([file]);
    assert.equal(seen(walk.outcomes, REMOTE), c.remote, walk.summary);
    if (c.local) assert.equal(seen(walk.outcomes, LOCAL), c.local, walk.summary);
    const remote = walk.outcomes.find(o => o.endpoint === REMOTE)!;
    assert.equal(remote.overlay?.device ?? null, c.device);
    if (c.device) assert.match(walk.summary, new RegExp(`leaves node1 by ${c.device.replace('.', '\\.')}, so MASQUERADE gives it ${c.device.replace('.', '\\.')}'s address ${c.remote.replace(/\./g, '\\.')}`));

    const rules = cli('rules', '--cluster', PROFILE, file);
    assert.equal(rules.code, 0, rules.err);
    assert.match(rules.out, /-j MASQUERADE/);
    assert.ok(rules.err.includes(c.device ? `node1 ${c.device} ${c.remote}` : 'takes the node\'s address'), rules.err);

    const explain = cli('explain', '--cluster', PROFILE, file);
    assert.equal(explain.code, 0, explain.err);
    assert.ok(explain.out.includes(`\`${c.remote}\` at ${REMOTE}`) || explain.out.includes(`\`${c.remote}\``), explain.out);
    assert.match(explain.out, /Pod network: /);
    const german = cli('explain', '--lang', 'de', '--cluster', PROFILE, file);
    assert.match(german.out, /Pod-Netz: /);
  });
}

function withManifest<T>(name: string, text: string, f: (path: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'natlens-podnet-'));
  try {
    const path = join(dir, name);
    writeFileSync(path, text);
    return f(path);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('pod network: a Calico tunnel address the input does not tell is named as missing, never silently the node address', () => {
  const text = readFileSync(join(DIR, 'calico-ipip.yaml'), 'utf8').replace(', projectcalico.org/IPv4IPIPTunnelAddr: 10.244.2.128', '');
  withManifest('calico.yaml', text, path => {
    const walk = traceJson([path], 'node2', '192.168.0.3');
    assert.equal(walk.outcomes.find(o => o.endpoint === LOCAL)?.overlay?.address, null);
    assert.match(walk.summary, /leaves node2 by tunl0, whose address NAT Lens cannot derive: neither Node node2 annotation projectcalico\.org\/IPv4IPIPTunnelAddr nor IPAMBlock affinity host:node2 is in the input/);
    const explain = cli('explain', '--cluster', PROFILE, path);
    assert.match(explain.out, /node2's tunl0 address \(not in the input\)/);
    assert.match(explain.out, /node2 tunl0 \?, neither/);
  });
});

test('pod network: Calico CrossSubnet between nodes of one subnet is routed, across subnets tunnelled', () => {
  const base = readFileSync(join(DIR, 'calico-ipip.yaml'), 'utf8').replace('ipipMode: Always', 'ipipMode: CrossSubnet');
  withManifest('same.yaml', base, path => assert.equal(seen(traceJson([path]).outcomes, REMOTE), '192.168.0.2'));
  withManifest('across.yaml', base.replace('projectcalico.org/IPv4Address: 192.168.0.3/24', 'projectcalico.org/IPv4Address: 192.168.0.3/30'), path =>
    assert.equal(seen(traceJson([path]).outcomes, REMOTE), '10.244.1.64'));
});

const POLICY = `
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: web, namespace: default }
spec:
  replicas: 2
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec: { containers: [{ name: web, image: nginx, ports: [{ containerPort: 8080 }] }] }
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: allow-office, namespace: default }
spec:
  podSelector: { matchLabels: { app: web } }
  policyTypes: [Ingress]
  ingress:
    - from: [{ ipBlock: { cidr: 203.0.113.0/24 } }]
`;

/** The Service selects the Deployment's pods (derived endpoints) instead of the case's EndpointSlice. */
const withPolicy = (file: string) => readFileSync(join(DIR, file), 'utf8').replace(/---\napiVersion: discovery[\s\S]*?nodeName: node2, conditions: \{ ready: true \} \}\n/, '').replace('  ports: [{ name: http,', '  selector: { app: web }\n  ports: [{ name: http,') + POLICY;

test('policy-ip-block-behind-snat: the real masquerade address; whether it applies depends on the CNI, and says so', () => {
  const check = (text: string) => withManifest('np.yaml', text, path => cli('check', '--format', 'json', '--cluster', PROFILE, path));
  const findings = (text: string) => (JSON.parse(check(text).out) as { code: string; severity: string; message: string }[]).filter(f => f.code === 'policy-ip-block-behind-snat');
  const calico = findings(withPolicy('calico-ipip.yaml'));
  assert.equal(calico.length, 1);
  assert.equal(calico[0]!.severity, 'warning');
  // on the entry node Calico's policy sees the client: only the pods on the other node see the tunnel address
  assert.match(calico[0]!.message, /the pods see 10\.244\.1\.64 \(entering node1\), 10\.244\.2\.128 \(entering node2\), never/);
  assert.match(calico[0]!.message, /checked in FORWARD, before POSTROUTING MASQUERADE/);
  const flannel = findings(withPolicy('flannel-vxlan.yaml'));
  assert.equal(flannel[0]!.severity, 'information');
  assert.match(flannel[0]!.message, /10\.244\.1\.0 \(entering node1\)/);
  assert.match(flannel[0]!.message, /depends on the CNI/);
  const cilium = findings(withPolicy('cilium-tunnel.yaml'));
  assert.equal(cilium[0]!.severity, 'warning');
  assert.match(cilium[0]!.message, /never matches node or cluster-internal addresses/);
});

test('pod network: Calico nodes without a pod CIDR still list their tunnel device; an IPv6 profile says the overlay is not modelled', () => {
  const noPodCIDR = readFileSync(join(DIR, 'calico-ipip.yaml'), 'utf8').replace(/spec: \{ podCIDR: [^}]+\}\n/g, '');
  withManifest('calico.yaml', noPodCIDR, path => {
    const rules = cli('rules', '--cluster', PROFILE, path);
    assert.ok(rules.err.includes('node1 tunl0 10.244.1.64'), rules.err);
  });
  const v6 = 'ipFamily: IPv6\nnodeName: node1\nclusterCIDR: fd00:10:244::/48\nserviceCIDRs: [fd00:10:96::/112]\nallocate: false\n'
    + 'nodes:\n  - { name: node1, ips: [fd00::2], podCIDR: "fd00:10:244:1::/64" }\n  - { name: node2, ips: [fd00::3], podCIDR: "fd00:10:244:2::/64" }\n';
  withManifest('profile6.yaml', v6, profile => {
    const r = cli('rules', '--cluster', profile, join(DIR, 'routed-host-gw.yaml'));
    assert.match(r.err, /routed/);
    const file = readFileSync(join(DIR, 'flannel-vxlan.yaml'), 'utf8').replace(/---\napiVersion: v1\nkind: Node[\s\S]*?InternalIP, address: [0-9.]+ \}\] \}\n/g, '');
    withManifest('flannel.yaml', file, path => {
      const vx = cli('rules', '--cluster', profile, path);
      assert.match(vx.err, /node1 flannel\.1 \?, NAT Lens models the IPv4 side of the overlay only/);
    });
  });
});
