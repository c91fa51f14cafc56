// What a snapshot reads from the API server, as plain GET requests: lists of the objects kube-proxy
// itself watches (Services, EndpointSlices, Nodes, ServiceCIDRs) and the few objects that carry
// kube-proxy's and the CNI's configuration. The shells (CLI, VS Code) carry the requests out; nothing
// else is ever sent. Secrets are never among them.

export type ReadKey =
  | 'version' | 'services' | 'endpointslices' | 'nodes' | 'servicecidrs'
  | 'configmap-kube-proxy' | 'configmap-kube-proxy-config' | 'configmap-cilium-config' | 'configmap-ip-masq-agent'
  | 'configmap-kube-flannel-cfg' | 'configmap-kube-flannel-cfg-kube-system'
  | 'daemonsets-kube-system' | 'daemonsets-kube-flannel' | 'pods-kube-system'
  | 'calico-ippools' | 'calico-felixconfigurations';

export interface Read {
  readonly key: ReadKey;
  readonly path: string;
  /** What it is, for "could not read …" ("Services in all namespaces"). */
  readonly what: string;
  /** A 404 means "not in this cluster" (a ConfigMap or CRD a distribution does not have), not an error. */
  readonly mayBeAbsent: boolean;
  /** Lists one result per namespace (the --namespace option). */
  readonly perNamespace?: boolean;
}

const configMap = (key: ReadKey, namespace: string, name: string): Read =>
  ({ key, path: `/api/v1/namespaces/${namespace}/configmaps/${name}`, what: `ConfigMap ${namespace}/${name}`, mayBeAbsent: true });

/** The requests of one snapshot; `namespaces` limits Services and EndpointSlices (empty: all). */
export function snapshotReads(namespaces: readonly string[]): Read[] {
  const namespaced = (resource: string, group: string, what: string): Read[] => namespaces.length === 0
    ? [{ key: resource as ReadKey, path: `${group}/${resource}`, what: `${what} in all namespaces`, mayBeAbsent: false }]
    : namespaces.map(ns => ({ key: resource as ReadKey, path: `${group}/namespaces/${encodeURIComponent(ns)}/${resource}`, what: `${what} in namespace ${ns}`, mayBeAbsent: false, perNamespace: true }));
  return [
    { key: 'version', path: '/version', what: 'the server version', mayBeAbsent: false },
    ...namespaced('services', '/api/v1', 'Services'),
    ...namespaced('endpointslices', '/apis/discovery.k8s.io/v1', 'EndpointSlices'),
    { key: 'nodes', path: '/api/v1/nodes', what: 'Nodes', mayBeAbsent: false },
    // GA in 1.33; an older server answers 404
    { key: 'servicecidrs', path: '/apis/networking.k8s.io/v1/servicecidrs', what: 'ServiceCIDRs', mayBeAbsent: true },
    configMap('configmap-kube-proxy', 'kube-system', 'kube-proxy'),
    configMap('configmap-kube-proxy-config', 'kube-system', 'kube-proxy-config'),
    configMap('configmap-cilium-config', 'kube-system', 'cilium-config'),
    configMap('configmap-ip-masq-agent', 'kube-system', 'ip-masq-agent'),
    configMap('configmap-kube-flannel-cfg', 'kube-flannel', 'kube-flannel-cfg'),
    configMap('configmap-kube-flannel-cfg-kube-system', 'kube-system', 'kube-flannel-cfg'),
    { key: 'daemonsets-kube-system', path: '/apis/apps/v1/namespaces/kube-system/daemonsets', what: 'DaemonSets in kube-system', mayBeAbsent: false },
    { key: 'daemonsets-kube-flannel', path: '/apis/apps/v1/namespaces/kube-flannel/daemonsets', what: 'DaemonSets in kube-flannel', mayBeAbsent: true },
    // kube-proxy's static-pod mirror (GKE) is a Pod in kube-system; no other Pod is read
    { key: 'pods-kube-system', path: '/api/v1/namespaces/kube-system/pods', what: 'Pods in kube-system', mayBeAbsent: false },
    { key: 'calico-ippools', path: '/apis/crd.projectcalico.org/v1/ippools', what: 'Calico IPPools', mayBeAbsent: true },
    { key: 'calico-felixconfigurations', path: '/apis/crd.projectcalico.org/v1/felixconfigurations', what: 'Calico FelixConfigurations', mayBeAbsent: true },
  ];
}

/** One request's outcome: the JSON, absent (404 where allowed), or why it failed (403 …). */
export type ReadResult =
  | { readonly kind: 'ok'; readonly body: unknown }
  | { readonly kind: 'absent' }
  | { readonly kind: 'failed'; readonly status: number | null; readonly message: string };
