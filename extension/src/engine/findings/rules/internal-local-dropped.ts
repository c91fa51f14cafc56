// internalTrafficPolicy Local: clients on nodes without an endpoint, from walks of node clients.
import type { ServiceNatRule } from './types';

export const internalLocalDropped: ServiceNatRule<'internal-local-dropped'> = {
  id: 'internal-local-dropped',
  subject: 'Service', needsRules: true,
  meta: {
    title: 'internalTrafficPolicy Local with nodes that have no endpoint',
    severity: 'warning',
    category: 'nat',
    docs: `With \`internalTrafficPolicy: Local\`, a client reaches the ClusterIP only when its own
node runs an endpoint; on other nodes kube-proxy DROPs the connection (no fallback to other nodes). In
IPVS mode the virtual server has no real server there and the connection is refused (REJECT).`,
  },
  check({ spec, entry, model, walker, at }) {
    if (spec.internalTrafficPolicy !== 'Local' || entry.ports.length === 0) return [];
    const sp = entry.ports[0]!.info;
    const walks = model.profile.nodes.map(node => ({
      node: node.name,
      result: walker.trace({ source: { kind: 'node', node: node.name }, dst: sp.clusterIP, dport: sp.port, proto: sp.protocol.toLowerCase() as 'tcp' }),
    }));
    // iptables and nftables mode DROP; IPVS mode has a virtual server without real servers, which REJECTs
    const dropping = walks.filter(w => w.result.verdict === 'DROP' || w.result.verdict === 'REJECT');
    if (dropping.length === 0) return [];
    const last = dropping[0]!.result.outcomes[0]?.hops.at(-1);
    return [{
      range: at(['spec', 'internalTrafficPolicy']),
      message: `internalTrafficPolicy Local: clients on ${dropping.map(w => w.node).join(', ')} have no local endpoint, and their connections to ${sp.clusterIP}:${sp.port} are ${dropping[0]!.result.verdict === 'REJECT' ? 'refused' : 'dropped'} (${dropping[0]!.result.verdict} in ${last?.table} ${last?.chain}), not sent to another node.`,
      fixes: [],
    }];
  },
};
