// Turns "from this address to that address" into a walk request: who the source is (an external
// client, a pod on some node, a node itself) follows from the profile and the model.
import { parseIP } from '../util/ip';
import type { ClusterNetwork } from './network';
import { WalkError } from './netfilter';
import type { TraceRequest } from './walk';

export interface AddressQuery {
  readonly src: string;
  readonly dst: string;
  readonly dport: number;
  readonly proto: 'tcp' | 'udp' | 'sctp';
  /** The node an external packet enters, or the node of a pod the model does not place. */
  readonly node?: string;
}

export function requestFromAddresses(net: ClusterNetwork, q: AddressQuery): TraceRequest {
  if (!parseIP(q.src)) {
    // a pod by name ("web-0" or "namespace/web-0"), as the model places it
    const pod = podNamed(net, q.src);
    return requestFromAddresses(net, { ...q, src: pod.ip, node: pod.nodeName });
  }
  if (!parseIP(q.dst)) throw new WalkError(`destination "${q.dst}" is not an IP address`);
  if (!Number.isInteger(q.dport) || q.dport < 1 || q.dport > 65535) throw new WalkError(`port ${q.dport} is not between 1 and 65535`);
  if (q.node !== undefined && !net.node(q.node)) throw new WalkError(`node ${q.node} is not in the profile (nodes: ${net.nodes.map(n => n.name).join(', ')})`);
  const base = { dst: q.dst, dport: q.dport, proto: q.proto };
  const hostNode = net.nodes.find(n => n.ips.includes(q.src));
  if (hostNode) return { ...base, source: { kind: 'node', node: hostNode.name, ip: q.src } };
  if (net.isPodAddress(q.src)) {
    const node = net.podNode(q.src) ?? q.node ?? net.model.profile.nodeName;
    return { ...base, source: { kind: 'pod', ip: q.src, node } };
  }
  const entryNode = q.node ?? net.nodeOwning(q.dst)?.name ?? net.model.profile.nodeName;
  return { ...base, source: { kind: 'external', ip: q.src }, entryNode };
}

function podNamed(net: ClusterNetwork, name: string): { ip: string; nodeName: string } {
  const [namespace, podName] = name.includes('/') ? name.split('/', 2) as [string, string] : [null, name];
  const pods = net.model.workloads.filter(w => namespace === null || w.obj.namespace === namespace)
    .flatMap(w => w.pods.map(p => ({ ...p, key: `${w.obj.namespace}/${p.name}` })));
  const found = pods.filter(p => p.name === podName);
  if (found.length === 1) return found[0]!;
  if (found.length > 1) throw new WalkError(`source "${name}" names pods in several namespaces (${found.map(p => p.key).join(', ')}): give namespace/name`);
  const known = pods.slice(0, 8).map(p => p.key).join(', ');
  throw new WalkError(`source "${name}" is neither an IP address nor a pod of the input${known ? ` (pods: ${known}${pods.length > 8 ? ', ...' : ''})` : ''}`);
}
