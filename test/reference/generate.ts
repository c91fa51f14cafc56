// Seeded random inputs for the reference phase: a profile (kube-proxy settings, 1-3 nodes) and a
// batch of cases, each a namespace with one Service and usually a workload behind it. Together they
// cover every Service type and traffic policy, named and numeric target ports, TCP/UDP/SCTP,
// session affinity, source ranges, external IPs, load-balancer status and workloads with 0-3 pods.
// The same seed always gives the same YAML, so a difference can be replayed from its seed.

export interface GeneratedBatch {
  readonly seed: number;
  readonly profileYaml: string;
  readonly manifestYaml: string;
  readonly cases: number;
}

/** mulberry32: small, fast, good enough to pick test inputs. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function generateBatch(seed: number, cases: number): GeneratedBatch {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const chance = (p: number) => r() < p;

  const nodeCount = pick([1, 2, 2, 3]);
  const nodes = Array.from({ length: nodeCount }, (_, i) => ({ name: `node-${String.fromCharCode(97 + i)}`, ip: `192.168.${seed % 200}.${10 + i}` }));
  const clusterCIDR = pick(['10.244.0.0/16', '10.0.0.0/8', null]);
  const profile = [
    `kubernetesVersion: "1.34"`,
    `nodeName: ${nodes[0]!.name}`,
    `nodeIPs: [${nodes[0]!.ip}]`,
    `clusterCIDR: ${clusterCIDR ?? 'null'}`,
    `detectLocalMode: ${clusterCIDR && chance(0.85) ? 'ClusterCIDR' : 'None'}`,
    `masqueradeAll: ${chance(0.25)}`,
    `masqueradeBit: ${pick([14, 14, 0, 7, 31])}`,
    `localhostNodePorts: ${chance(0.7)}`,
    `conntrackTCPLiberal: ${chance(0.2)}`,
    `serviceCIDRs: [10.96.0.0/12]`,
    ...(chance(0.3) ? [`nodePortAddresses: [${pick(['192.168.0.0/16', `${nodes[0]!.ip}/32`, 'primary'])}]`] : []),
    'nodes:',
    ...nodes.map((n, i) => `  - { name: ${n.name}, ips: [${n.ip}]${clusterCIDR ? '' : `, podCIDR: 10.${100 + i}.0.0/24`} }`),
  ].join('\n') + '\n';

  const docs: string[] = [];
  for (let c = 0; c < cases; c++) {
    const ns = `s${seed}-c${c}`;
    const type = pick(['ClusterIP', 'ClusterIP', 'NodePort', 'NodePort', 'LoadBalancer', 'LoadBalancer', 'headless', 'ExternalName']);
    const portCount = pick([1, 1, 2, 3]);
    const protocols = ['TCP', 'UDP', 'SCTP'] as const;
    const ports = Array.from({ length: portCount }, (_, i) => {
      const protocol = pick([...protocols, 'TCP', 'TCP']);
      const name = portCount > 1 || chance(0.5) ? `p${i}-${protocol.toLowerCase()}` : undefined;
      const named = name !== undefined && chance(0.4);
      return { name, protocol, port: 80 + i * 1000 + Math.floor(r() * 50), target: named ? `t${i}` : 8000 + i, containerPort: 8000 + i, named };
    });
    const external = type === 'NodePort' || type === 'LoadBalancer';
    const spec: string[] = [];
    if (type === 'headless') spec.push('  clusterIP: None');
    else if (type === 'ExternalName') spec.push('  type: ExternalName', '  externalName: example.invalid');
    else spec.push(`  type: ${type}`);
    if (external && chance(0.4)) spec.push('  externalTrafficPolicy: Local');
    if (type !== 'ExternalName' && chance(0.2)) spec.push('  internalTrafficPolicy: Local');
    if (type !== 'ExternalName' && type !== 'headless' && chance(0.2)) spec.push(`  sessionAffinity: ClientIP`, `  sessionAffinityConfig: { clientIP: { timeoutSeconds: ${pick([10800, 60, 1])} } }`);
    if (type !== 'ExternalName' && type !== 'headless' && chance(0.2)) spec.push(`  externalIPs: [203.0.113.${1 + Math.floor(r() * 250)}]`);
    if (type === 'LoadBalancer' && chance(0.4)) spec.push(`  loadBalancerSourceRanges: [${pick(['203.0.113.0/24', '198.51.100.0/25', '10.0.0.0/8, 192.0.2.7/32'])}]`);
    if (type === 'LoadBalancer' && chance(0.15)) spec.push('  allocateLoadBalancerNodePorts: false');
    if (chance(0.1)) spec.push('  publishNotReadyAddresses: true');
    const withWorkload = type !== 'ExternalName' && chance(0.8);
    if (type !== 'ExternalName') spec.push(`  selector: { app: a${c} }`);
    spec.push('  ports:', ...ports.map(p => `    - { ${p.name ? `name: ${p.name}, ` : ''}protocol: ${p.protocol}, port: ${p.port}, targetPort: ${p.target} }`));
    const status = type === 'LoadBalancer' && chance(0.7)
      ? `status: { loadBalancer: { ingress: [{ ip: 198.51.100.${1 + Math.floor(r() * 250)} }] } }\n` : '';
    docs.push(`apiVersion: v1\nkind: Service\nmetadata: { name: svc, namespace: ${ns} }\nspec:\n${spec.join('\n')}\n${status}`);
    if (!withWorkload) continue;
    const kind = pick(['Deployment', 'Deployment', 'StatefulSet', 'DaemonSet']);
    const replicas = kind === 'DaemonSet' ? '' : `  replicas: ${pick([0, 1, 2, 3])}\n`;
    // a port the selector's pods do not expose now and then: the controller leaves such pods out
    const containerPorts = ports.filter(() => chance(0.9)).map(p => `        - { ${p.named ? `name: t${ports.indexOf(p)}, ` : ''}containerPort: ${p.containerPort}, protocol: ${p.protocol} }`);
    docs.push(`apiVersion: apps/v1\nkind: ${kind}\nmetadata: { name: app, namespace: ${ns} }\nspec:\n${replicas}  selector: { matchLabels: { app: a${c} } }\n  template:\n    metadata: { labels: { app: a${c} } }\n    spec:\n      containers:\n      - name: main\n        image: registry.invalid/app\n${containerPorts.length ? `        ports:\n${containerPorts.join('\n')}\n` : ''}`);
  }
  return { seed, profileYaml: profile, manifestYaml: docs.map(d => `---\n${d}`).join(''), cases };
}
