// The snapshot's engine part: live API objects in, manifests and a profile out, for each place a
// distribution keeps kube-proxy's and the CNI's configuration (objects shaped as those distributions
// write them).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildSnapshot, PROFILE_FILE, type Snapshot } from '../../extension/src/engine/snapshot/snapshot';
import { snapshotReads, type ReadKey, type ReadResult } from '../../extension/src/engine/snapshot/reads';
import { goDurationSeconds, parseFlags } from '../../extension/src/engine/snapshot/kubeProxy';
import { parseProfile } from '../../extension/src/engine/model/profile';
import { buildClusterModel } from '../../extension/src/engine/model/cluster';
import { parseManifest } from '../../extension/src/engine/manifest/manifest';

type Obj = Record<string, unknown>;
const META = { cluster: 'prod-eu', takenAt: '2026-12-02T14:00:00.000Z', tookMs: 120 };

/** A snapshot of a cluster holding `objects` by read; reads not given answer 404, `failed` ones 403. */
function snap(objects: Partial<Record<ReadKey, Obj | Obj[]>>, failed: ReadKey[] = []): Snapshot {
  return buildSnapshot(snapshotReads([]).map(read => {
    const o = objects[read.key];
    const result: ReadResult = failed.includes(read.key) ? { kind: 'failed', status: 403, message: `forbidden: cannot get ${read.what}` }
      : o === undefined ? (read.mayBeAbsent ? { kind: 'absent' } : { kind: 'ok', body: { items: [] } })
        : { kind: 'ok', body: Array.isArray(o) ? { items: o } : o };
    return { read, result };
  }), META);
}

function node(name: string, ip: string, podCIDR: string, extra: Obj = {}): Obj {
  return {
    metadata: { name, labels: { 'topology.kubernetes.io/zone': 'eu-west-1a', 'kubernetes.io/hostname': name }, managedFields: [{ manager: 'kubelet' }], resourceVersion: '812', ...extra },
    spec: { podCIDR, podCIDRs: [podCIDR] },
    status: { addresses: [{ type: 'InternalIP', address: ip }, { type: 'Hostname', address: name }] },
  };
}
const NODES = [node('kind-worker', '172.18.0.3', '10.244.1.0/24'), node('kind-control-plane', '172.18.0.2', '10.244.0.0/24')];
const VERSION = { major: '1', minor: '34', gitVersion: 'v1.34.4', platform: 'linux/amd64' };

/** The profile the snapshot's cluster.yaml holds, read back as every command reads it. */
function profileOf(s: Snapshot) {
  const file = s.files.find(f => f.path === PROFILE_FILE)!;
  const { profile, problems } = parseProfile(file.text, PROFILE_FILE);
  assert.deepEqual(problems.map(p => p.message), []);
  return profile;
}

// kind v0.30's kube-proxy ConfigMap: kubeadm writes every field, the unset ones as null or ""
const KUBEADM_CONFIG = `apiVersion: kubeproxy.config.k8s.io/v1alpha1
bindAddress: 0.0.0.0
clientConnection:
  kubeconfig: /var/lib/kube-proxy/kubeconfig.conf
clusterCIDR: 10.244.0.0/16
configSyncPeriod: 0s
conntrack:
  maxPerCore: 0
  min: null
  tcpBeLiberal: false
  tcpCloseWaitTimeout: null
detectLocalMode: ""
iptables:
  localhostNodePorts: null
  masqueradeAll: false
  masqueradeBit: null
  minSyncPeriod: 1s
  syncPeriod: 0s
ipvs:
  excludeCIDRs: null
  scheduler: ""
  strictARP: false
  tcpFinTimeout: 0s
  tcpTimeout: 0s
  udpTimeout: 0s
kind: KubeProxyConfiguration
mode: nftables
nodePortAddresses: null
`;
const kubeadmConfigMap = (text = KUBEADM_CONFIG): Obj => ({ metadata: { name: 'kube-proxy', namespace: 'kube-system' }, data: { 'config.conf': text, 'kubeconfig.conf': 'apiVersion: v1\nkind: Config\n' } });
const kubeadmDaemonSet: Obj = {
  metadata: { name: 'kube-proxy', namespace: 'kube-system' },
  spec: { template: { spec: { containers: [{ name: 'kube-proxy', image: 'registry.k8s.io/kube-proxy:v1.34.4', command: ['/usr/local/bin/kube-proxy', '--config=/var/lib/kube-proxy/config.conf', '--hostname-override=$(NODE_NAME)'] }] } } },
};

test('kubeadm/kind: the kube-proxy ConfigMap config.conf, each setting with its source', () => {
  const s = snap({ version: VERSION, nodes: NODES, 'configmap-kube-proxy': kubeadmConfigMap(), 'daemonsets-kube-system': [kubeadmDaemonSet] });
  const p = profileOf(s);
  assert.equal(p.kubernetesVersion, '1.34.4');
  assert.equal(p.proxyMode, 'nftables');
  assert.equal(p.clusterCIDR, '10.244.0.0/16');
  assert.equal(p.masqueradeBit, 14, 'null: the default');
  assert.deepEqual(p.nodePortAddresses, ['primary'], 'null in nftables mode: kube-proxy\'s nftables default');
  assert.equal(p.allocate, false);
  assert.equal(p.nodeName, 'kind-control-plane');
  assert.deepEqual(p.nodes.map(n => [n.name, n.ips.join(), n.podCIDR]), [['kind-control-plane', '172.18.0.2', '10.244.0.0/24'], ['kind-worker', '172.18.0.3', '10.244.1.0/24']]);
  assert.equal(p.sources?.['proxyMode'], 'ConfigMap kube-system/kube-proxy (config.conf): mode');
  assert.equal(p.sources?.['clusterCIDR'], 'ConfigMap kube-system/kube-proxy (config.conf): clusterCIDR');
  assert.equal(p.sources?.['masqueradeBit'], 'ConfigMap kube-system/kube-proxy (config.conf): not set, kube-proxy\'s default');
  assert.match(p.sources?.['nodePortRange'] ?? '', /^unknown, because it is a kube-apiserver flag/);
  assert.equal(p.snapshot?.cluster, 'prod-eu');
  assert.equal(p.snapshot?.serverVersion, 'v1.34.4');
  assert.equal(p.snapshot?.takenAt, META.takenAt);
  // the Nodes are manifests too, without the server's bookkeeping, zones kept
  const nodes = parseManifest(s.files.find(f => f.path === 'nodes.yaml')!.text, 'nodes.yaml');
  assert.match(nodes.text, /topology\.kubernetes\.io\/zone: eu-west-1a/);
  assert.doesNotMatch(nodes.text, /managedFields|resourceVersion/);
  assert.ok(s.files.some(f => f.path === '.sources/kube-proxy.yaml' && /config\.conf/.test(f.text)));
  assert.doesNotMatch(s.files[0]!.text, /[*&]a1/, 'no YAML aliases in the profile');
});

test('a kube-proxy ConfigMap the DaemonSet does not use (no --config) gives way to the flags', () => {
  const ds = { ...kubeadmDaemonSet, spec: { template: { spec: { containers: [{ name: 'kube-proxy', command: ['kube-proxy', '--proxy-mode=ipvs', '--cluster-cidr', '10.8.0.0/14', '--masquerade-all'] }] } } } };
  const p = profileOf(snap({ version: VERSION, nodes: NODES, 'configmap-kube-proxy': kubeadmConfigMap(), 'daemonsets-kube-system': [ds] }));
  assert.equal(p.proxyMode, 'ipvs');
  assert.equal(p.clusterCIDR, '10.8.0.0/14');
  assert.equal(p.masqueradeAll, true);
  assert.equal(p.sources?.['proxyMode'], 'DaemonSet kube-system/kube-proxy container kube-proxy: --proxy-mode');
  assert.match(p.sources?.['kube-proxy configuration'] ?? '', /present, but the DaemonSet's kube-proxy runs without --config/);
});

test('EKS: kube-proxy-config config, masqueradeAll under the mode\'s section', () => {
  const config = `apiVersion: kubeproxy.config.k8s.io/v1alpha1
bindAddress: 0.0.0.0
clientConnection: {acceptContentTypes: "", burst: 10, contentType: application/vnd.kubernetes.protobuf, kubeconfig: /var/lib/kube-proxy/kubeconfig, qps: 5}
clusterCIDR: ""
conntrack: {maxPerCore: 32768, min: 131072, tcpCloseWaitTimeout: 1h0m0s, tcpEstablishedTimeout: 24h0m0s}
iptables: {masqueradeAll: true, masqueradeBit: 14, minSyncPeriod: 0s, syncPeriod: 30s}
ipvs: {excludeCIDRs: null, minSyncPeriod: 0s, scheduler: "", syncPeriod: 30s}
kind: KubeProxyConfiguration
metricsBindAddress: 0.0.0.0:10249
mode: "iptables"
nodePortAddresses: null
oomScoreAdj: -998
`;
  const ds = { metadata: { name: 'kube-proxy', namespace: 'kube-system' }, spec: { template: { spec: { containers: [{ name: 'kube-proxy', command: ['kube-proxy', '--v=2', '--config=/var/lib/kube-proxy-config/config', '--hostname-override=$(NODE_NAME)'] }] } } } };
  const p = profileOf(snap({ version: { gitVersion: 'v1.34.2-eks-113cf36' }, nodes: [node('ip-10-0-1-17.eu-west-1.compute.internal', '10.0.1.17', '10.0.1.0/24')],
    'configmap-kube-proxy-config': { metadata: { name: 'kube-proxy-config', namespace: 'kube-system' }, data: { config } }, 'daemonsets-kube-system': [ds] }));
  assert.equal(p.kubernetesVersion, '1.34.2');
  assert.equal(p.masqueradeAll, true);
  assert.equal(p.sources?.['masqueradeAll'], 'ConfigMap kube-system/kube-proxy-config (config): iptables.masqueradeAll');
  assert.equal(p.clusterCIDR, null, 'clusterCIDR "": kube-proxy has no local-traffic detector');
  assert.match(p.sources?.['clusterCIDR'] ?? '', /no cluster CIDR/);
});

test('GKE: the flags of the kube-proxy static pod\'s mirror Pod, through sh -c', () => {
  const pod = {
    metadata: { name: 'kube-proxy-gke-prod-default-pool-3f2a-x1', namespace: 'kube-system', annotations: { 'kubernetes.io/config.mirror': 'a1b2' }, labels: { component: 'kube-proxy', tier: 'node' } },
    spec: { nodeName: 'gke-prod-default-pool-3f2a-x1', hostNetwork: true, containers: [{ name: 'kube-proxy', image: 'gke.gcr.io/kube-proxy-amd64:v1.34.1-gke.100',
      command: ['/bin/sh', '-c', 'exec kube-proxy --master=https://34.77.1.2 --kubeconfig=/var/lib/kube-proxy/kubeconfig --cluster-cidr=10.4.0.0/14 --oom-score-adj=-998 --v=2 --iptables-sync-period=1m --iptables-min-sync-period=10s --iptables-masquerade-bit=13 1>>/var/log/kube-proxy.log 2>&1'] }] },
  };
  const p = profileOf(snap({ version: { gitVersion: 'v1.34.1-gke.1014001' }, nodes: [node('gke-prod-default-pool-3f2a-x1', '10.128.0.5', '10.4.0.0/24')], 'pods-kube-system': [pod] }));
  assert.equal(p.proxyMode, 'iptables');
  assert.equal(p.clusterCIDR, '10.4.0.0/14');
  assert.equal(p.masqueradeBit, 13);
  assert.equal(p.sources?.['clusterCIDR'], 'Pod kube-system/kube-proxy-gke-prod-default-pool-3f2a-x1 (static pod) container kube-proxy: --cluster-cidr');
  assert.equal(p.sources?.['proxyMode'], 'Pod kube-system/kube-proxy-gke-prod-default-pool-3f2a-x1 (static pod) container kube-proxy: not set, kube-proxy\'s default');
});

test('k3s and RKE2: the node-args annotation, --kube-proxy-arg and the distribution\'s cluster CIDR', () => {
  const k3s = node('k3s-server-1', '192.168.56.10', '10.42.0.0/24', { annotations: { 'k3s.io/node-args': JSON.stringify(['server', '--disable', 'traefik', '--kube-proxy-arg', 'proxy-mode=ipvs', '--kube-proxy-arg=ipvs-scheduler=lc', '--token', '********']) } });
  const p = profileOf(snap({ version: { gitVersion: 'v1.34.3+k3s1' }, nodes: [k3s] }));
  assert.equal(p.kubernetesVersion, '1.34.3');
  assert.equal(p.proxyMode, 'ipvs');
  assert.equal(p.ipvsScheduler, 'lc');
  assert.equal(p.clusterCIDR, '10.42.0.0/16');
  assert.equal(p.sources?.['proxyMode'], 'Node k3s-server-1 annotation k3s.io/node-args --kube-proxy-arg: --proxy-mode');
  assert.match(p.sources?.['clusterCIDR'] ?? '', /no --cluster-cidr, the distribution's default 10\.42\.0\.0\/16/);
  const rke2 = node('rke2-agent-1', '192.168.56.20', '10.52.1.0/24', { annotations: { 'rke2.io/node-args': JSON.stringify(['agent', '--cluster-cidr', '10.52.0.0/16']) } });
  const q = profileOf(snap({ version: VERSION, nodes: [rke2] }));
  assert.equal(q.clusterCIDR, '10.52.0.0/16');
  assert.equal(q.sources?.['clusterCIDR'], 'Node rke2-agent-1 annotation rke2.io/node-args: --cluster-cidr');
});

test('no kube-proxy configuration readable: every setting says unknown, and why; the model shows each as an assumption', () => {
  const s = snap({ version: VERSION, nodes: NODES }, ['configmap-kube-proxy', 'daemonsets-kube-system', 'pods-kube-system']);
  const p = profileOf(s);
  assert.match(p.sources?.['proxyMode'] ?? '', /^unknown, because no kube-proxy configuration could be read/);
  assert.match(p.sources?.['kube-proxy configuration'] ?? '', /^unknown, because none could be read: ConfigMap kube-system\/kube-proxy \(config\.conf\): ConfigMap kube-system\/kube-proxy: forbidden/);
  assert.deepEqual(s.unreadable, [
    'ConfigMap kube-system/kube-proxy: forbidden: cannot get ConfigMap kube-system/kube-proxy (403)',
    'DaemonSets in kube-system: forbidden: cannot get DaemonSets in kube-system (403)',
    'Pods in kube-system: forbidden: cannot get Pods in kube-system (403)',
  ]);
  assert.deepEqual(p.snapshot?.unreadable, s.unreadable);
  const model = buildClusterModel([], p);
  const proxyMode = model.assumptions.find(a => a.field === 'proxyMode');
  assert.equal(proxyMode?.subject, 'cluster prod-eu');
  assert.equal(proxyMode?.value, '"iptables"');
});

test('Cilium: cilium-config settings become the profile\'s cni, named by their ConfigMap', () => {
  const cm = { metadata: { name: 'cilium-config', namespace: 'kube-system' }, data: { 'enable-ipv4-masquerade': 'true', 'enable-bpf-masquerade': 'true', 'routing-mode': 'native', 'ipv4-native-routing-cidr': '10.0.0.0/8', 'cluster-pool-ipv4-cidr': '10.0.0.0/8' } };
  const p = profileOf(snap({ version: VERSION, nodes: NODES, 'configmap-cilium-config': cm }));
  assert.deepEqual(JSON.parse(JSON.stringify(p.cni)), { type: 'cilium', masquerade: true, bpfMasquerade: true, nativeRoutingCIDR: '10.0.0.0/8', routingMode: 'native' });
  assert.equal(p.sources?.['cni'], 'cilium, from ConfigMap/kube-system/cilium-config');
});

test('Calico: IPPools and FelixConfiguration, and no pod gateway address', () => {
  const pool = { apiVersion: 'crd.projectcalico.org/v1', kind: 'IPPool', metadata: { name: 'default-ipv4-ippool' }, spec: { cidr: '192.168.0.0/16', ipipMode: 'Always', natOutgoing: true, blockSize: 26, nodeSelector: 'all()' } };
  const felix = { metadata: { name: 'default' }, spec: { natOutgoingAddress: '10.10.0.1', bpfLogLevel: '', logSeverityScreen: 'Info' } };
  const p = profileOf(snap({ version: VERSION, nodes: NODES, 'calico-ippools': [pool], 'calico-felixconfigurations': [felix] }));
  assert.equal(p.cni.type, 'calico');
  assert.deepEqual(p.cni.ipPools, [{ name: 'default-ipv4-ippool', cidr: '192.168.0.0/16', natOutgoing: true, disabled: false, ipipMode: 'Always', vxlanMode: 'Never' }]);
  assert.equal(p.cni.natOutgoingAddress, '10.10.0.1');
  assert.deepEqual(p.nodes.map(n => n.podGateway), ['none', 'none']);
});

test('AWS VPC CNI: the aws-node DaemonSet\'s SNAT environment', () => {
  const ds = { metadata: { name: 'aws-node', namespace: 'kube-system' }, spec: { template: { spec: { hostNetwork: true, containers: [{ name: 'aws-node', image: '602401143452.dkr.ecr.eu-west-1.amazonaws.com/amazon-k8s-cni:v1.20.4',
    env: [{ name: 'AWS_VPC_K8S_CNI_EXTERNALSNAT', value: 'true' }, { name: 'AWS_VPC_K8S_CNI_EXCLUDE_SNAT_CIDRS', value: '10.1.0.0/16,10.2.0.0/16' }, { name: 'AWS_VPC_K8S_CNI_RANDOMIZESNAT', value: 'prng' }, { name: 'MY_NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } }] }] } } } };
  const p = profileOf(snap({ version: VERSION, nodes: NODES, 'daemonsets-kube-system': [ds] }));
  assert.deepEqual(JSON.parse(JSON.stringify(p.cni)), { type: 'aws-vpc-cni', externalSNAT: true, excludeSNATCIDRs: ['10.1.0.0/16', '10.2.0.0/16'], randomizeSNAT: 'prng' });
  assert.equal(p.sources?.['cni'], 'aws-vpc-cni, from DaemonSet/kube-system/aws-node');
});

test('flannel: kube-flannel-cfg net-conf.json', () => {
  const cm = { metadata: { name: 'kube-flannel-cfg', namespace: 'kube-flannel' }, data: { 'cni-conf.json': '{"name":"cbr0","cniVersion":"0.3.1","plugins":[{"type":"flannel"}]}', 'net-conf.json': '{\n  "Network": "10.244.0.0/16",\n  "EnableNFTables": false,\n  "Backend": {\n    "Type": "vxlan"\n  }\n}\n' } };
  const p = profileOf(snap({ version: VERSION, nodes: NODES, 'configmap-kube-flannel-cfg': cm }));
  assert.equal(p.cni.type, 'flannel');
  assert.equal(p.cni.network, '10.244.0.0/16');
  assert.match(p.sources?.['cni'] ?? '', /^flannel, from ConfigMap\/kube-flannel\/kube-flannel-cfg/);
});

test('ServiceCIDRs give the service ranges; live Services are manifests the model reads unchanged', () => {
  const svc = { metadata: { name: 'web', namespace: 'shop', uid: 'u1', annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}' } }, spec: { type: 'NodePort', clusterIP: '10.96.7.7', clusterIPs: ['10.96.7.7'], ports: [{ port: 80, targetPort: 8080, nodePort: 31080, protocol: 'TCP' }], selector: { app: 'web' } } };
  const s = snap({ version: VERSION, nodes: NODES, services: [svc], servicecidrs: [{ metadata: { name: 'kubernetes' }, spec: { cidrs: ['10.96.0.0/16', 'fd00:10:96::/112'] } }] });
  const p = profileOf(s);
  assert.deepEqual(p.serviceCIDRs, ['10.96.0.0/16']);
  const file = parseManifest(s.files.find(f => f.path === 'services.yaml')!.text, 'services.yaml');
  assert.deepEqual(file.problems.filter(x => x.severity !== 'info'), []);
  assert.doesNotMatch(file.text, /last-applied|uid/);
  const model = buildClusterModel(file.objects, p);
  assert.equal(model.services[0]?.service.spec?.clusterIP, '10.96.7.7');
  assert.equal(model.services[0]?.service.spec?.ports?.[0]?.nodePort, 31080);
});

test('flags: pflag forms; Go durations in seconds', () => {
  assert.deepEqual([...parseFlags(['--proxy-mode', 'ipvs', '--masquerade-all', '--v=2', '-cluster-cidr=10.0.0.0/8'])],
    [['proxy-mode', 'ipvs'], ['masquerade-all', 'true'], ['v', '2'], ['cluster-cidr', '10.0.0.0/8']]);
  assert.equal(goDurationSeconds('15m'), 900);
  assert.equal(goDurationSeconds('1h0m30s'), 3630);
  assert.equal(goDurationSeconds('0s'), 0);
  assert.equal(goDurationSeconds('soon'), undefined);
});

test('snapshotReads: only GETs of known paths, never a Secret; --namespace narrows Services and EndpointSlices', () => {
  const all = snapshotReads([]);
  assert.ok(all.every(r => !/secret/i.test(r.path)));
  const scoped = snapshotReads(['shop', 'pay']).filter(r => r.key === 'services' || r.key === 'endpointslices').map(r => r.path);
  assert.deepEqual(scoped, ['/api/v1/namespaces/shop/services', '/api/v1/namespaces/pay/services', '/apis/discovery.k8s.io/v1/namespaces/shop/endpointslices', '/apis/discovery.k8s.io/v1/namespaces/pay/endpointslices']);
});
