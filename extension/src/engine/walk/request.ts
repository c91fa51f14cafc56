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
  for (const [name, value] of [['source', q.src], ['destination', q.dst]] as const) {
    if (!parseIP(value)) throw new WalkError(`${name} "${value}" is not an IP address`);
  }
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
