// Upstream's proxier tests feed kube-proxy Service objects no API server would store (their fake
// proxier never validates). Before such a golden input runs on the real cluster, the fields the API
// server refuses are taken out, where kube-proxy ignores them for that Service anyway or where the
// object could not exist otherwise; both sides then see the same admitted object, and every change
// is reported. Fields whose removal would leave nothing to compare (a port without a number) stay,
// so the API server refuses that Service and says why.
import type { AnyManifestObject } from '../../extension/src/engine/manifest/manifest';

type Spec = {
  type?: string; externalTrafficPolicy?: string; healthCheckNodePort?: number; externalIPs?: string[];
  ports?: ({ nodePort?: number } | null)[];
};

export interface Admitted {
  readonly objects: AnyManifestObject[];
  /** "ns/name: what was taken out (why)", one per change. */
  readonly changes: string[];
}

const isLoopback = (ip: string) => /^127\./.test(ip) || ip === '::1';

export function admittedForm(objects: readonly AnyManifestObject[]): Admitted {
  const changes: string[] = [];
  const out = objects.map(o => {
    if (o.kind !== 'Service') return o;
    const spec = (o.object as { spec?: Spec }).spec;
    if (!spec) return o;
    const key = `${o.namespace}/${o.name}`;
    const type = spec.type ?? 'ClusterIP';
    const external = type === 'NodePort' || type === 'LoadBalancer';
    const next: Spec = { ...spec };
    // kube-proxy reads it only for a LoadBalancer with externalTrafficPolicy Local
    // (pkg/proxy/serviceport.go newBaseServiceInfo, apiservice.NeedsHealthCheck)
    if (next.healthCheckNodePort !== undefined && !(type === 'LoadBalancer' && next.externalTrafficPolicy === 'Local')) {
      delete next.healthCheckNodePort;
      changes.push(`${key}: spec.healthCheckNodePort (allowed only on a LoadBalancer with externalTrafficPolicy Local; kube-proxy ignores it elsewhere)`);
    }
    // kube-proxy treats the policy as Cluster unless the Service is externally accessible (apiservice.ExternalPolicyLocal)
    if (next.externalTrafficPolicy !== undefined && !external) {
      delete next.externalTrafficPolicy;
      changes.push(`${key}: spec.externalTrafficPolicy (allowed only on NodePort and LoadBalancer Services; kube-proxy ignores it elsewhere)`);
    }
    // upstream's fake ClusterIP Services sometimes carry node ports; a real one cannot
    if (!external && (next.ports ?? []).some(p => p?.nodePort)) {
      next.ports = (next.ports ?? []).map(p => {
        if (!p?.nodePort) return p;
        const { nodePort: _nodePort, ...rest } = p;
        return rest;
      });
      changes.push(`${key}: spec.ports[].nodePort (a ${type} Service has no node ports in a real cluster)`);
    }
    if ((next.externalIPs ?? []).some(isLoopback)) {
      next.externalIPs = next.externalIPs!.filter(ip => !isLoopback(ip));
      changes.push(`${key}: loopback spec.externalIPs (the API server refuses them)`);
    }
    if (JSON.stringify(next) === JSON.stringify(spec)) return o;
    return { ...o, object: { ...o.object, spec: next } } as AnyManifestObject;
  });
  return { objects: out, changes };
}
