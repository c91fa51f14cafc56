// External traffic masqueraded with externalTrafficPolicy Cluster, quoted from the walks.
import { externallyAccessible } from '../../model/service';
import { EXTERNAL_CLIENT_IP } from '../../walk/choices';
import type { WalkResult } from '../../walk/walk';
import { externalPolicyRange } from './context';
import type { ServiceNatRule } from './types';

function seenText(r: WalkResult): string {
  if (r.sourceSeenByPod === null) return 'nothing (no endpoint is reached)';
  if (typeof r.sourceSeenByPod === 'string') return r.sourceSeenByPod;
  return Object.entries(r.sourceSeenByPod).map(([ep, ip]) => `${ip} (at ${ep})`).join(', ');
}

export const clientIpLost: ServiceNatRule<'client-ip-lost'> = {
  id: 'client-ip-lost',
  subject: 'Service', needsRules: true,
  meta: {
    title: 'External traffic is masqueraded: the pod does not see the client IP',
    severity: 'information',
    category: 'nat',
    docs: `With \`externalTrafficPolicy: Cluster\`, kube-proxy marks every NodePort,
load-balancer and external-IP connection for masquerade in \`KUBE-EXT\` *before* it picks an endpoint,
so the connection is SNATed even when the pod runs on the node it entered. The pod sees an address
of the node (the address of the interface the packet leaves by: the node IP towards another node, the
pod gateway of a bridge CNI towards a local pod), never the client. The message lists what each
entry node gives. Fix (not preferred: it has a cost): \`externalTrafficPolicy: Local\`, which keeps the
client IP but only lets nodes with a ready local endpoint answer.`,
  },
  check({ obj, entry, defaulted, externalWalks, setPolicy }) {
    if (entry.ports.length === 0 || !externallyAccessible(obj.object) || defaulted.externalTrafficPolicy === 'Local') return [];
    const masqueraded = externalWalks().filter(w => w.result.verdict === 'DNAT' && w.result.masquerade);
    if (masqueraded.length === 0) return [];
    return [{
      range: externalPolicyRange(obj),
      message: `Client IP lost: with externalTrafficPolicy Cluster, external connections are masqueraded on the node they enter, before an endpoint is chosen, even when that endpoint is on the same node: ` +
        masqueraded.map(w => `entering ${w.node}, the pod sees ${seenText(w.result)}`).join('; ') + `; never ${EXTERNAL_CLIENT_IP}, the client.`,
      fixes: setPolicy('Local', 'Preserve client IP: set externalTrafficPolicy: Local (only nodes with a ready local endpoint answer)', false),
    }];
  },
};
