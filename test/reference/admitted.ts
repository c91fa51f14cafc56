// Upstream's proxier tests feed kube-proxy Service objects no API server would store (their fake
// proxier never validates). Before such a golden input runs on the real cluster, the fields the API
// server refuses are changed the least way that lets it store the Service: taken out where kube-proxy
// ignores them for that Service anyway, or given the value upstream's Go zero value stands for. Both
// sides then read the same admitted text, and every change is reported.
import { parseAllDocuments, stringify } from 'yaml';

type Port = { port?: number; targetPort?: number | string; nodePort?: number };
type Spec = {
  type?: string; externalTrafficPolicy?: string; healthCheckNodePort?: number; externalIPs?: string[];
  ports?: (Port | null)[];
};
type Doc = { kind?: string; metadata?: { name?: string; namespace?: string }; spec?: Spec };

export interface Admitted {
  /** The manifests as the API server admits them; the input text itself when nothing changed. */
  readonly text: string;
  /** "ns/name: what was changed (why)", one per change. */
  readonly changes: string[];
}

const isLoopback = (ip: string) => /^127\./.test(ip) || ip === '::1';
const isPortNumber = (n: unknown): n is number => typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= 65535;

function admittedSpec(spec: Spec, key: string, changes: string[]): Spec {
  const type = spec.type ?? 'ClusterIP';
  const external = type === 'NodePort' || type === 'LoadBalancer';
  const next: Spec = { ...spec };
  // kube-proxy reads it only for a LoadBalancer with externalTrafficPolicy Local
  // (pkg/proxy/serviceport.go newBaseServiceInfo, apiservice.NeedsHealthCheck)
  if (next.healthCheckNodePort !== undefined && !(type === 'LoadBalancer' && next.externalTrafficPolicy === 'Local')) {
    delete next.healthCheckNodePort;
    changes.push(`${key}: spec.healthCheckNodePort taken out (allowed only on a LoadBalancer with externalTrafficPolicy Local; kube-proxy ignores it elsewhere)`);
  }
  // kube-proxy treats the policy as Cluster unless the Service is externally accessible (apiservice.ExternalPolicyLocal)
  if (next.externalTrafficPolicy !== undefined && !external) {
    delete next.externalTrafficPolicy;
    changes.push(`${key}: spec.externalTrafficPolicy taken out (allowed only on NodePort and LoadBalancer Services; kube-proxy ignores it elsewhere)`);
  }
  next.ports = (next.ports ?? []).map((p, i) => {
    if (!p || typeof p !== 'object') return p;
    let port: Port = p;
    // upstream's fake ClusterIP Services sometimes carry node ports; a real one cannot
    if (!external && port.nodePort) {
      const { nodePort: _nodePort, ...rest } = port;
      port = rest;
      changes.push(`${key}: spec.ports[${i}].nodePort taken out (a ${type} Service has no node ports in a real cluster)`);
    }
    // Go's zero Port: the API server requires 1-65535 (validation ValidateService); the port number
    // that keeps the test's endpoints matching is the targetPort's
    if (!isPortNumber(port.port) && isPortNumber(port.targetPort)) {
      changes.push(`${key}: spec.ports[${i}].port set to ${port.targetPort}, its targetPort (upstream leaves Go's zero ${port.port === undefined ? 'unset' : `as ${port.port}`}; the API server requires 1-65535)`);
      port = { ...port, port: port.targetPort };
    }
    return port;
  });
  if ((next.externalIPs ?? []).some(isLoopback)) {
    next.externalIPs = next.externalIPs!.filter(ip => !isLoopback(ip));
    changes.push(`${key}: loopback spec.externalIPs taken out (the API server refuses them)`);
  }
  return next;
}

export function admittedText(text: string): Admitted {
  const changes: string[] = [];
  const docs = parseAllDocuments(text).map(d => d.toJS() as Doc | null);
  const out = docs.map(doc => {
    if (!doc || doc.kind !== 'Service' || !doc.spec || typeof doc.spec !== 'object') return doc;
    return { ...doc, spec: admittedSpec(doc.spec, `${doc.metadata?.namespace ?? 'default'}/${doc.metadata?.name ?? ''}`, changes) };
  });
  if (changes.length === 0) return { text, changes };
  return { text: out.filter(d => d !== null).map(d => stringify(d)).join('---\n'), changes };
}
