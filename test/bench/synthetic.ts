// Synthetic manifests for benchmarks: realistic shapes, many documents.

/** n Services, each with an EndpointSlice of `endpoints` ready endpoints spread over two nodes. */
export function syntheticManifest(services: number, endpoints: number): string {
  const docs: string[] = [];
  for (let i = 0; i < services; i++) {
    const ip = `10.${96 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}`;
    docs.push(`apiVersion: v1
kind: Service
metadata:
  name: svc-${i}
  namespace: bench
spec:
  type: ${i % 3 === 0 ? 'NodePort' : 'ClusterIP'}
  clusterIP: ${ip}
  selector: {app: svc-${i}}
  ports:
    - name: http
      port: 80
      targetPort: 8080${i % 3 === 0 ? `\n      nodePort: ${30000 + (i % 2700)}` : ''}`);
    const eps: string[] = [];
    for (let e = 0; e < endpoints; e++) {
      eps.push(`  - addresses: [10.${200 + (e % 2)}.${(i >> 8) & 255}.${(i * endpoints + e) % 250 + 1}]
    nodeName: node-${e % 2 === 0 ? 'a' : 'b'}
    conditions: {ready: true}`);
    }
    docs.push(`apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: svc-${i}-x
  namespace: bench
  labels: {kubernetes.io/service-name: svc-${i}}
addressType: IPv4
ports:
  - {name: http, port: 8080, protocol: TCP}
endpoints:
${eps.join('\n')}`);
  }
  return docs.join('\n---\n') + '\n';
}

/** A profile of n nodes in three zones (one address each, a /24 pod CIDR each), its own node first. */
export function syntheticProfile(nodes: number): string {
  const lines = ['nodeName: node-0', 'clusterCIDR: 10.0.0.0/9', 'nodes:'];
  for (let i = 0; i < nodes; i++) {
    lines.push(`  - {name: node-${i}, ips: [10.${128 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}], podCIDR: 10.${(i >> 8) & 127}.${i & 255}.0/24, zone: zone-${i % 3}}`);
  }
  return lines.join('\n') + '\n';
}
