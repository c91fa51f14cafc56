// kube-proxy's view of a Service: one ServicePortInfo per spec.ports entry, after API-server
// defaulting (pkg/apis/core/v1/defaults.go SetDefaults_Service) and with the inputs kube-proxy reads
// (pkg/proxy/serviceport.go newBaseServiceInfo, pkg/api/v1/service/util.go).
import type { Service, ServicePort } from 'kubernetes-types/core/v1';
import type { ManifestObject } from '../manifest/manifest';
import { canonicalIP, formatCIDR, ipFamilyOf, parseCIDR, type IPFamily } from '../util/ip';

export type Protocol = 'TCP' | 'UDP' | 'SCTP';
export type ServiceType = 'ClusterIP' | 'NodePort' | 'LoadBalancer' | 'ExternalName';

export const DEFAULT_STICKY_SECONDS = 10800;

export interface ServicePortInfo {
  readonly namespace: string;
  readonly serviceName: string;
  /** spec.ports[i].name ('' when unnamed). */
  readonly portName: string;
  /** Index in spec.ports, to point back at the manifest. */
  readonly portIndex: number;
  readonly protocol: Protocol;
  /** "ns/name:port" or "ns/name": kube-proxy's ServicePortName.String(). */
  readonly nameString: string;
  readonly clusterIP: string;
  readonly port: number;
  readonly targetPort: number | string;
  readonly nodePort: number;
  readonly externalIPs: readonly string[];
  readonly loadBalancerVIPs: readonly string[];
  readonly loadBalancerSourceRanges: readonly string[];
  readonly sessionAffinityClientIP: boolean;
  readonly stickyMaxAgeSeconds: number;
  readonly healthCheckNodePort: number;
  readonly externalPolicyLocal: boolean;
  readonly internalPolicyLocal: boolean;
}

/** The Service after the API server's defaulting; the raw object is kept alongside for ranges. */
export interface DefaultedService {
  readonly type: ServiceType;
  readonly clusterIPs: readonly string[];
  readonly headless: boolean;
  readonly externalTrafficPolicy: string | undefined;
  readonly internalTrafficPolicy: string | undefined;
  readonly sessionAffinity: string;
  readonly sessionAffinityTimeout: number | undefined;
  readonly ports: readonly DefaultedPort[];
  readonly selector: Readonly<Record<string, string>> | undefined;
}

export interface DefaultedPort {
  readonly name: string;
  readonly protocol: string;
  readonly port: number;
  readonly targetPort: number | string;
  readonly nodePort: number;
}

export function serviceType(svc: Service): ServiceType {
  const t = svc.spec?.type;
  return t === 'NodePort' || t === 'LoadBalancer' || t === 'ExternalName' ? t : 'ClusterIP';
}

/** pkg/api/v1/service/util.go ExternallyAccessible: LoadBalancer, NodePort, or ClusterIP with externalIPs. */
export function externallyAccessible(svc: Service): boolean {
  const t = serviceType(svc);
  return t === 'LoadBalancer' || t === 'NodePort' || (t === 'ClusterIP' && (svc.spec?.externalIPs?.length ?? 0) > 0);
}

export function defaultService(svc: Service): DefaultedService {
  const spec = svc.spec ?? {};
  const type = serviceType(svc);
  const clusterIPs = spec.clusterIPs?.length ? spec.clusterIPs : spec.clusterIP ? [spec.clusterIP] : [];
  const ports = (Array.isArray(spec.ports) ? spec.ports : []).map((p: ServicePort): DefaultedPort => ({
    name: typeof p?.name === 'string' ? p.name : '',
    protocol: typeof p?.protocol === 'string' && p.protocol ? p.protocol : 'TCP',
    port: typeof p?.port === 'number' ? p.port : 0,
    targetPort: p?.targetPort === undefined || p.targetPort === 0 || p.targetPort === '' ? (typeof p?.port === 'number' ? p.port : 0) : p.targetPort,
    nodePort: typeof p?.nodePort === 'number' ? p.nodePort : 0,
  }));
  const sessionAffinity = spec.sessionAffinity || 'None';
  return {
    type,
    clusterIPs,
    headless: clusterIPs[0] === 'None',
    externalTrafficPolicy: spec.externalTrafficPolicy || (externallyAccessible(svc) ? 'Cluster' : undefined),
    internalTrafficPolicy: spec.internalTrafficPolicy || (type !== 'ExternalName' ? 'Cluster' : undefined),
    sessionAffinity,
    sessionAffinityTimeout: sessionAffinity === 'ClientIP' ? spec.sessionAffinityConfig?.clientIP?.timeoutSeconds ?? DEFAULT_STICKY_SECONDS : undefined,
    ports,
    selector: spec.selector && typeof spec.selector === 'object' ? spec.selector : undefined,
  };
}

/** pkg/proxy/util GetClusterIPByFamily. */
export function clusterIPForFamily(svc: Service, family: IPFamily): string {
  const spec = svc.spec ?? {};
  if (!spec.clusterIPs?.length) return spec.clusterIP && ipFamilyOf(spec.clusterIP) === family ? spec.clusterIP : '';
  return spec.clusterIPs.find(ip => ipFamilyOf(ip) === family) ?? '';
}

/** The label naming another Service proxy; kube-proxy's informers select only objects without it. */
export const LABEL_SERVICE_PROXY_NAME = 'service.kubernetes.io/service-proxy-name';
/** The label the EndpointSlice controller puts on a headless Service's slices; kube-proxy's informers skip it too. */
export const LABEL_HEADLESS = 'service.kubernetes.io/headless';

/** Why kube-proxy writes no rules for a Service. */
export type SkipReason =
  | { readonly kind: 'service-proxy-name'; readonly proxy: string }
  | { readonly kind: 'headless-label' }
  | { readonly kind: 'headless' }
  | { readonly kind: 'external-name' }
  | { readonly kind: 'no-cluster-ip' };

/**
 * Why kube-proxy never sees an object with these labels: cmd/kube-proxy/app/server.go (ProxyServer.Run)
 * lists Services and EndpointSlices with the selector
 * `!service.kubernetes.io/service-proxy-name,!service.kubernetes.io/headless` (DoesNotExist: any value, even empty).
 */
export function hiddenFromKubeProxy(labels: Readonly<Record<string, unknown>> | undefined): SkipReason | null {
  if (!labels || typeof labels !== 'object') return null;
  if (Object.hasOwn(labels, LABEL_SERVICE_PROXY_NAME)) return { kind: 'service-proxy-name', proxy: String(labels[LABEL_SERVICE_PROXY_NAME] ?? '') };
  if (Object.hasOwn(labels, LABEL_HEADLESS)) return { kind: 'headless-label' };
  return null;
}

/** The informers' label filter, then pkg/proxy ShouldSkipService: headless, no cluster IP, or ExternalName. */
export function kubeProxySkips(svc: Service): SkipReason | null {
  const hidden = hiddenFromKubeProxy(svc.metadata?.labels);
  if (hidden) return hidden;
  if (serviceType(svc) === 'ExternalName') return { kind: 'external-name' };
  const ip = svc.spec?.clusterIP;
  if (ip === 'None') return { kind: 'headless' };
  return ip ? null : { kind: 'no-cluster-ip' };
}

export function proxiedByKubeProxy(svc: Service): boolean {
  return kubeProxySkips(svc) === null;
}

/** The ServicePortInfos kube-proxy of one IP family builds from a Service (none when it skips it). */
export function servicePortInfos(obj: ManifestObject<'Service'>, family: IPFamily): ServicePortInfo[] {
  const svc = obj.object;
  if (!proxiedByKubeProxy(svc)) return [];
  const rawClusterIP = clusterIPForFamily(svc, family);
  const clusterIP = rawClusterIP ? canonicalIP(rawClusterIP) : null;
  if (!clusterIP) return [];
  const d = defaultService(svc);
  const spec = svc.spec ?? {};
  const accessible = externallyAccessible(svc);
  const externalPolicyLocal = accessible && d.externalTrafficPolicy === 'Local';
  const internalPolicyLocal = spec.internalTrafficPolicy === 'Local';
  const externalIPs = (spec.externalIPs ?? []).filter(ip => ipFamilyOf(ip) === family).map(ip => canonicalIP(ip)!);
  const sourceRanges = (spec.loadBalancerSourceRanges ?? [])
    .map(r => parseCIDR(String(r).trim()))
    .filter(c => c !== null && c.ip.family === family)
    .map(c => formatCIDR(c!));
  const vips = (svc.status?.loadBalancer?.ingress ?? [])
    .filter(ing => ing?.ip && (ing.ipMode === undefined || ing.ipMode === '' || ing.ipMode === 'VIP'))
    .map(ing => canonicalIP(ing.ip!))
    .filter((ip): ip is string => ip !== null && ipFamilyOf(ip) === family);
  const needsHealthCheck = d.type === 'LoadBalancer' && externalPolicyLocal;
  // a port the validation layer left out (null) is not modelled; the others keep their index
  return d.ports.flatMap((p, portIndex) => (spec.ports?.[portIndex] == null ? [] : [{
    namespace: obj.namespace,
    serviceName: obj.name,
    portName: p.name,
    portIndex,
    protocol: (p.protocol === 'UDP' || p.protocol === 'SCTP' ? p.protocol : 'TCP') as Protocol,
    nameString: p.name ? `${obj.namespace}/${obj.name}:${p.name}` : `${obj.namespace}/${obj.name}`,
    clusterIP,
    port: p.port,
    targetPort: p.targetPort,
    nodePort: p.nodePort,
    externalIPs,
    loadBalancerVIPs: vips,
    loadBalancerSourceRanges: sourceRanges,
    sessionAffinityClientIP: d.sessionAffinity === 'ClientIP',
    stickyMaxAgeSeconds: d.sessionAffinityTimeout ?? 0,
    healthCheckNodePort: needsHealthCheck ? spec.healthCheckNodePort ?? 0 : 0,
    externalPolicyLocal,
    internalPolicyLocal,
  }]));
}

/** pkg/proxy/serviceport.go: the per-port flags that decide which chains exist. */
export function portFlags(sp: ServicePortInfo) {
  const externallyAccessible = sp.nodePort !== 0 || sp.loadBalancerVIPs.length > 0 || sp.externalIPs.length > 0;
  return {
    externallyAccessible,
    usesClusterEndpoints: !sp.internalPolicyLocal || externallyAccessible,
    usesLocalEndpoints: sp.internalPolicyLocal || (sp.externalPolicyLocal && externallyAccessible),
  };
}
