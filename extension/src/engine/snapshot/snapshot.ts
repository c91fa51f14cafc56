// A live cluster's objects as ordinary manifests plus a cluster profile, each setting with the place it
// was read, or "unknown, because …" where the cluster does not say. Every other feature then works on
// the snapshot offline, exactly as on files.
import { isRecord, parseManifest } from '../manifest/manifest';
import { stringifyYaml } from '../manifest/yamlAdapter';
import { CNI_PROFILE_KEYS, DEFAULT_CNI_PROFILE, resolveCni } from '../egress/profile';
import { readCniConfig } from '../egress/workspace';
import type { CniType } from '../egress/types';
import { parseCIDR, parseIP, type IPFamily } from '../util/ip';
import { MODELLED_KUBERNETES_VERSION } from '../model/profile';
import { dig, fromConfigFile, fromFlags, fromNodeArgs, kubeProxyCommand, NODE_ARGS_ANNOTATIONS, type KubeProxyField, type KubeProxySettings } from './kubeProxy';
import type { Read, ReadKey, ReadResult } from './reads';

type Obj = Record<string, unknown>;

export interface SnapshotMeta {
  /** The name the surfaces say ("in cluster prod-eu"): the kubeconfig context. */
  readonly cluster: string;
  readonly server?: string;
  readonly takenAt: string;
  readonly tookMs: number;
}

export interface SnapshotFile {
  /** Relative path inside the snapshot directory. */
  readonly path: string;
  readonly text: string;
}

export interface Snapshot {
  /** The profile as its file holds it (ClusterProfile fields, plus sources and snapshot). */
  readonly profile: Obj;
  /** The profile first (cluster.yaml), then the manifests; configuration objects under .sources/. */
  readonly files: readonly SnapshotFile[];
  /** What could not be read, one line each ("Pods in kube-system: forbidden (403) …"). */
  readonly unreadable: readonly string[];
}

export const PROFILE_FILE = 'cluster.yaml';

const SERVER_OWNED = ['managedFields', 'resourceVersion', 'uid', 'creationTimestamp', 'generation', 'selfLink'];
const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/** An object as a manifest: kind and apiVersion set (list items lack them), server bookkeeping dropped. */
function asManifest(item: Obj, apiVersion: string, kind: string): Obj {
  const meta = { ...(isRecord(item['metadata']) ? item['metadata'] : {}) };
  for (const k of SERVER_OWNED) delete meta[k];
  if (isRecord(meta['annotations'])) {
    const { [LAST_APPLIED]: _dropped, ...rest } = meta['annotations'];
    if (Object.keys(rest).length) meta['annotations'] = rest; else delete meta['annotations'];
  }
  return { apiVersion, kind, metadata: meta, ...Object.fromEntries(Object.entries(item).filter(([k]) => k !== 'apiVersion' && k !== 'kind' && k !== 'metadata')) };
}

const nameOf = (o: Obj) => String((o['metadata'] as Obj | undefined)?.['name'] ?? '');
const namespaceOf = (o: Obj) => String((o['metadata'] as Obj | undefined)?.['namespace'] ?? '');
const byName = (a: Obj, b: Obj) => {
  const ka = `${namespaceOf(a)}/${nameOf(a)}`, kb = `${namespaceOf(b)}/${nameOf(b)}`;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
};

/** The results of snapshotReads, by key: list items merged, single objects as a one-item list. */
class Results {
  private readonly items = new Map<ReadKey, Obj[]>();
  private readonly readable = new Set<ReadKey>();
  readonly unreadable: string[] = [];
  private readonly failedKeys = new Map<ReadKey, string>();
  private version: Obj | null = null;

  constructor(results: readonly { read: Read; result: ReadResult }[]) {
    for (const { read, result } of results) {
      if (result.kind === 'failed') {
        const line = `${read.what}: ${result.message}${result.status ? ` (${result.status})` : ''}`;
        this.unreadable.push(line);
        if (!this.failedKeys.has(read.key)) this.failedKeys.set(read.key, line);
        continue;
      }
      this.readable.add(read.key);
      if (result.kind === 'absent' || !isRecord(result.body)) continue;
      if (read.key === 'version') { this.version = result.body; continue; }
      const body = result.body;
      const list = Array.isArray(body['items']) ? body['items'].filter(isRecord) : [body];
      this.items.set(read.key, [...(this.items.get(read.key) ?? []), ...list]);
    }
  }

  get(key: ReadKey): Obj[] { return this.items.get(key) ?? []; }
  /** Why `key` could not be read, or null when it was (or is absent from the cluster). */
  failed(key: ReadKey): string | null { return this.failedKeys.get(key) ?? null; }
  get serverVersion(): string | null { return typeof this.version?.['gitVersion'] === 'string' ? this.version['gitVersion'] : null; }
}

/** "v1.30.5-gke.1014001" → "1.30.5": the release whose kube-proxy the profile models; null for an unstamped build (v0.0.0-master). */
function releaseOf(gitVersion: string): string | null {
  const m = /^v?(\d+)\.(\d+)(?:\.(\d+))?/.exec(gitVersion);
  return m && m[1] !== '0' ? `${m[1]}.${m[2]}${m[3] !== undefined ? `.${m[3]}` : ''}` : null;
}

interface NodeAddresses { name: string; ips: string[]; podCIDR: string | null }

/** kube-proxy's node IPs: InternalIP, else ExternalIP, per family (pkg/util/node GetNodeHostIPs). */
function nodeAddresses(node: Obj, family: IPFamily | null): NodeAddresses {
  const status = isRecord(node['status']) ? node['status'] : {};
  const addresses = Array.isArray(status['addresses']) ? status['addresses'].filter(isRecord) : [];
  const of = (type: string) => addresses.filter(a => a['type'] === type).map(a => String(a['address'])).filter(ip => parseIP(ip));
  const ips = [...of('InternalIP'), ...of('ExternalIP')];
  const spec = isRecord(node['spec']) ? node['spec'] : {};
  const podCIDRs = (Array.isArray(spec['podCIDRs']) ? spec['podCIDRs'].map(String) : typeof spec['podCIDR'] === 'string' ? [spec['podCIDR']] : []).filter(c => parseCIDR(c));
  const ownFamily = (ip: string) => family === null || parseIP(ip)!.family === family;
  return {
    name: nameOf(node),
    ips: [...ips.filter(ownFamily), ...ips.filter(ip => !ownFamily(ip))],
    podCIDR: podCIDRs.find(c => family === null || parseCIDR(c)!.ip.family === family) ?? null,
  };
}

/** kube-proxy's configuration, each source tried in turn: the first that says anything is used. */
function kubeProxySettings(r: Results, nodes: readonly Obj[], family: IPFamily): { used: KubeProxySettings | null; tried: string[] } {
  const tried: string[] = [];
  const daemonSet = r.get('daemonsets-kube-system').find(d => nameOf(d) === 'kube-proxy' || kubeProxyCommand(dig(d, ['spec', 'template', 'spec'])) !== null);
  const dsCommand = daemonSet ? kubeProxyCommand(dig(daemonSet, ['spec', 'template', 'spec'])) : null;
  const dsFlags = dsCommand ? fromFlags(dsCommand, `DaemonSet kube-system/${nameOf(daemonSet!)} container kube-proxy`, family) : null;
  // the ConfigMap is kube-proxy's configuration when the DaemonSet runs it with --config (kubeadm, kind) or cannot be seen
  const configMaps: [ReadKey, string][] = [['configmap-kube-proxy', 'config.conf'], ['configmap-kube-proxy-config', 'config']];
  for (const [key, dataKey] of configMaps) {
    const cm = r.get(key)[0];
    const origin = `ConfigMap kube-system/${key === 'configmap-kube-proxy' ? 'kube-proxy' : 'kube-proxy-config'} (${dataKey})`;
    if (!cm) { tried.push(r.failed(key) ? `${origin}: ${r.failed(key)}` : `${origin}: not in the cluster`); continue; }
    const data = isRecord(cm['data']) ? cm['data'] : {};
    const text = data[dataKey] ?? Object.values(data).find(v => typeof v === 'string' && /KubeProxyConfiguration/.test(v));
    if (typeof text !== 'string') { tried.push(`${origin}: no ${dataKey} key`); continue; }
    if (dsFlags && dsFlags.configFile === null) { tried.push(`${origin}: present, but the DaemonSet's kube-proxy runs without --config`); continue; }
    return { used: fromConfigFile(text, origin, family), tried };
  }
  if (dsFlags && dsFlags.configFile === null) return { used: dsFlags, tried };
  tried.push(daemonSet ? `DaemonSet kube-system/${nameOf(daemonSet)}: runs kube-proxy --config ${dsFlags?.configFile ?? ''} from a file not in the API` : r.failed('daemonsets-kube-system') ?? 'no kube-proxy DaemonSet in kube-system');
  const mirror = r.get('pods-kube-system').find(p => kubeProxyCommand(p['spec']) !== null);
  if (mirror) {
    const flags = fromFlags(kubeProxyCommand(mirror['spec'])!, `Pod kube-system/${nameOf(mirror)} (static pod) container kube-proxy`, family);
    if (flags.configFile === null) return { used: flags, tried };
    tried.push(`Pod kube-system/${nameOf(mirror)}: runs kube-proxy --config ${flags.configFile} from a file not in the API`);
  } else tried.push(r.failed('pods-kube-system') ?? 'no kube-proxy Pod in kube-system');
  for (const node of nodes) {
    const annotations = dig(node, ['metadata', 'annotations']);
    for (const a of NODE_ARGS_ANNOTATIONS) {
      const v = isRecord(annotations) ? annotations[a] : undefined;
      if (typeof v === 'string') { const s = fromNodeArgs(a, v, nameOf(node), family); if (s) return { used: s, tried }; }
    }
  }
  tried.push(`no Node has a ${NODE_ARGS_ANNOTATIONS.join(' or ')} annotation`);
  return { used: null, tried };
}

/** The CNI objects of the cluster, read with the same code that reads them from workspace files. */
function cniObjects(r: Results): Obj[] {
  const cms = (['configmap-cilium-config', 'configmap-ip-masq-agent', 'configmap-kube-flannel-cfg', 'configmap-kube-flannel-cfg-kube-system'] as const)
    .flatMap(k => r.get(k)).map(o => asManifest(o, 'v1', 'ConfigMap'));
  const ds = [...r.get('daemonsets-kube-system'), ...r.get('daemonsets-kube-flannel')]
    .filter(d => ['aws-node', 'kube-flannel-ds', 'ip-masq-agent'].includes(nameOf(d)) || /flannel/.test(nameOf(d))).map(o => asManifest(o, 'apps/v1', 'DaemonSet'));
  const calico = [...r.get('calico-ippools').map(o => asManifest(o, 'crd.projectcalico.org/v1', 'IPPool')),
    ...r.get('calico-felixconfigurations').map(o => asManifest(o, 'crd.projectcalico.org/v1', 'FelixConfiguration'))];
  return [...calico, ...cms, ...ds];
}

/** The profile's `cni` from the cluster's CNI objects: the values they set, with the object that set them. */
function cniProfile(objects: readonly Obj[], clusterCIDR: string | null, family: IPFamily): { cni: Obj | null; source: string } {
  if (objects.length === 0) return { cni: null, source: 'unknown, because no CNI configuration NAT Lens reads (Calico IPPool, cilium-config, aws-node, kube-flannel-cfg, ip-masq-agent) is in the cluster or readable' };
  const file = parseManifest(objects.map(o => stringifyYaml(o)).join('---\n'), '.sources/cni.yaml');
  const workspace = readCniConfig([file]);
  const type: CniType | undefined = workspace.detected[0];
  if (!type) return { cni: null, source: 'unknown, because the CNI objects found set nothing NAT Lens models' };
  const resolved = resolveCni({ ...DEFAULT_CNI_PROFILE, type }, workspace, { clusterCIDR, ipFamily: family }).config as unknown as Obj;
  const cni: Obj = { type };
  const objectsUsed = new Set<string>();
  for (const key of CNI_PROFILE_KEYS[type]) {
    const setting = resolved[key === 'ipPools' ? 'pools' : key];
    if (key === 'ipPools' && Array.isArray(setting)) {
      cni['ipPools'] = (setting as { name: string; cidr: { value: string }; natOutgoing: { value: boolean }; disabled: { value: boolean }; ipipMode: { value: string }; vxlanMode: { value: string } }[])
        .map(p => ({ name: p.name, cidr: p.cidr.value, natOutgoing: p.natOutgoing.value, disabled: p.disabled.value, ipipMode: p.ipipMode.value, vxlanMode: p.vxlanMode.value }));
      objectsUsed.add('IPPool');
      continue;
    }
    if (isRecord(setting) && setting['origin'] === 'workspace' && setting['value'] !== null) {
      cni[key] = setting['value'];
      const src = setting['source'];
      if (isRecord(src)) objectsUsed.add(String(src['object']));
    }
  }
  return { cni, source: `${type}, from ${[...objectsUsed].join(', ') || objects.map(o => `${o['kind']}/${nameOf(o)}`).join(', ')}` };
}

const PROFILE_KUBE_PROXY_FIELDS: readonly KubeProxyField[] = [
  'proxyMode', 'clusterCIDR', 'detectLocalMode', 'masqueradeAll', 'masqueradeBit', 'localhostNodePorts', 'nodePortAddresses', 'conntrackTCPLiberal',
  'ipvsScheduler', 'ipvsStrictARP', 'ipvsExcludeCIDRs', 'ipvsTCPTimeout', 'ipvsTCPFinTimeout', 'ipvsUDPTimeout',
];

export function buildSnapshot(results: readonly { read: Read; result: ReadResult }[], meta: SnapshotMeta): Snapshot {
  const r = new Results(results);
  const sources: Record<string, string> = {};
  const profile: Obj = {};
  const unknown = (field: string, because: string) => { sources[field] = `unknown, because ${because}`; };

  const serverVersion = r.serverVersion;
  const release = serverVersion ? releaseOf(serverVersion) : null;
  if (release) { profile['kubernetesVersion'] = release; sources['kubernetesVersion'] = `/version gitVersion ${serverVersion}`; }
  else if (serverVersion) unknown('kubernetesVersion', `the server reports ${serverVersion}, a build without a release version; assuming ${MODELLED_KUBERNETES_VERSION}`);
  else unknown('kubernetesVersion', `/version could not be read (${r.failed('version') ?? 'no gitVersion'}); assuming ${MODELLED_KUBERNETES_VERSION}`);

  const nodeObjs = r.get('nodes').slice().sort(byName);
  const firstIP = nodeObjs.map(n => nodeAddresses(n, null).ips[0]).find(ip => ip !== undefined);
  const family: IPFamily = firstIP ? parseIP(firstIP)!.family : 'IPv4';
  profile['ipFamily'] = family;
  sources['ipFamily'] = firstIP ? `the first Node address ${firstIP}` : 'unknown, because no Node address could be read; assuming IPv4';
  const nodes = nodeObjs.map(n => nodeAddresses(n, family)).filter(n => n.ips.length > 0);
  if (nodes.length > 0) {
    profile['nodeName'] = nodes[0]!.name;
    profile['nodeIPs'] = [...nodes[0]!.ips]; // a copy: a shared array would print as a YAML alias
    sources['nodeName'] = 'the first Node by name (choose another with --node)';
    sources['nodes'] = `${nodes.length} Nodes: status.addresses (InternalIP, then ExternalIP) and spec.podCIDRs`;
  } else unknown('nodes', r.failed('nodes') ?? 'the cluster has no Node with an address');

  const { used, tried } = kubeProxySettings(r, nodeObjs, family);
  const read = used?.settings ?? {};
  for (const field of PROFILE_KUBE_PROXY_FIELDS) {
    const s = read[field];
    if (s) { profile[field] = s.value; sources[field] = s.source; }
    else if (used) sources[field] = `${used.origin}: not set, kube-proxy's default`;
  }
  if (!used) {
    unknown('kube-proxy configuration', `none could be read: ${tried.join('; ')}`);
    for (const field of PROFILE_KUBE_PROXY_FIELDS) unknown(field, 'no kube-proxy configuration could be read (see "kube-proxy configuration"); kube-proxy\'s default is assumed');
  } else if (!read.clusterCIDR) {
    // kube-proxy without a cluster CIDR has no local-traffic detector: the profile says so, rather than assuming one
    profile['clusterCIDR'] = null;
    sources['clusterCIDR'] = `${used.origin}: no cluster CIDR, so kube-proxy detects no local traffic`;
  }
  if (used) {
    sources['kube-proxy configuration'] = [used.origin + (tried.length ? ` (before it: ${tried.join('; ')})` : ''), ...used.problems].join('; ');
  }

  const cidrs = r.get('servicecidrs').flatMap(s => (Array.isArray(dig(s, ['spec', 'cidrs'])) ? dig(s, ['spec', 'cidrs']) as unknown[] : []).map(String))
    .filter(c => parseCIDR(c)?.ip.family === family);
  if (cidrs.length > 0) { profile['serviceCIDRs'] = [...new Set(cidrs)]; sources['serviceCIDRs'] = `ServiceCIDRs ${r.get('servicecidrs').map(nameOf).join(', ')}`; }
  else unknown('serviceCIDRs', r.failed('servicecidrs') ?? 'the cluster has no ServiceCIDR objects (before Kubernetes 1.33 the range is only a kube-apiserver flag); the default is kept, and the live Services carry their addresses');
  unknown('nodePortRange', 'it is a kube-apiserver flag, not in the API; the live Services carry their node ports');
  // the live Services carry what the API server allocated
  profile['allocate'] = false;
  sources['allocate'] = 'false: the live Services already carry their allocations';
  unknown('iptablesRandomFully', 'it depends on the iptables binary of each node; assuming a current one (--random-fully)');
  unknown('nfacctCounters', 'they depend on each node\'s kernel');

  const cniObjs = cniObjects(r);
  const clusterCIDR = (profile['clusterCIDR'] as string | null | undefined) ?? null;
  const { cni, source: cniSource } = cniProfile(cniObjs, clusterCIDR, family);
  if (cni) profile['cni'] = cni;
  sources['cni'] = cniSource;
  // Calico gives the host side of a pod's link no address (felix: the veth is unnumbered)
  const podGateway = cni?.['type'] === 'calico' ? { podGateway: 'none' } : {};
  if (nodes.length > 0) profile['nodes'] = nodes.map(n => ({ name: n.name, ips: n.ips, ...(n.podCIDR ? { podCIDR: n.podCIDR } : {}), ...podGateway }));

  profile['sources'] = sources;
  profile['snapshot'] = {
    cluster: meta.cluster, ...(meta.server ? { server: meta.server } : {}), serverVersion: serverVersion ?? 'unknown',
    takenAt: meta.takenAt, tookMs: meta.tookMs, ...(r.unreadable.length ? { unreadable: r.unreadable } : {}),
  };

  const manifests = (key: ReadKey, apiVersion: string, kind: string) => r.get(key).map(o => asManifest(o, apiVersion, kind)).sort(byName);
  const yaml = (objs: readonly Obj[]) => objs.map(o => stringifyYaml(o)).join('---\n');
  const files: SnapshotFile[] = [
    { path: PROFILE_FILE, text: `# natlens snapshot of ${meta.cluster}, ${meta.takenAt}; "sources" says where each setting was read\n${stringifyYaml(profile)}` },
    { path: 'services.yaml', text: yaml(manifests('services', 'v1', 'Service')) },
    { path: 'endpointslices.yaml', text: yaml(manifests('endpointslices', 'discovery.k8s.io/v1', 'EndpointSlice')) },
    { path: 'nodes.yaml', text: yaml(nodeObjs.map(o => asManifest(o, 'v1', 'Node'))) },
  ];
  // configuration objects are evidence, not input: a dot-directory, which directory arguments skip
  const configObjs = [
    ...(['configmap-kube-proxy', 'configmap-kube-proxy-config'] as const).flatMap(k => r.get(k)).map(o => asManifest(o, 'v1', 'ConfigMap')),
    ...r.get('daemonsets-kube-system').filter(d => kubeProxyCommand(dig(d, ['spec', 'template', 'spec'])) !== null).map(o => asManifest(o, 'apps/v1', 'DaemonSet')),
    ...r.get('pods-kube-system').filter(p => kubeProxyCommand(p['spec']) !== null).map(o => asManifest(o, 'v1', 'Pod')),
  ];
  if (configObjs.length) files.push({ path: '.sources/kube-proxy.yaml', text: yaml(configObjs) });
  if (cniObjs.length) files.push({ path: '.sources/cni.yaml', text: yaml(cniObjs) });
  return { profile, files, unreadable: r.unreadable };
}
