// External traffic masqueraded with externalTrafficPolicy Cluster, stated from the Service's facts.
import { clientIpLostMessage } from '../../facts/diagnostics';
import { externallyAccessible } from '../../model/service';
import { externalPolicyRange } from './context';
import type { ServiceNatRule } from './types';

export const clientIpLost: ServiceNatRule<'client-ip-lost'> = {
  id: 'client-ip-lost',
  subject: 'Service', needsRules: true,
  meta: {
    title: 'External traffic is masqueraded: the pod does not see the client IP',
    severity: 'information',
    category: 'nat',
    docs: `With \`externalTrafficPolicy: Cluster\`, kube-proxy marks every NodePort,
load-balancer and external-IP connection for masquerade (iptables \`KUBE-EXT\`, nftables \`external-…\`,
IPVS \`KUBE-NODE-PORT\`/\`KUBE-LOAD-BALANCER\`) *before* it picks an endpoint, so the connection is
SNATed even when the pod runs on the node it entered. The pod sees an address of the node (the address
of the interface the packet leaves by: the node IP towards another node, the pod gateway of a bridge
CNI towards a local pod), never the client. The message lists what each entry node gives, from the
walks. Fix (not preferred: it has a cost): \`externalTrafficPolicy: Local\`, which keeps the client IP
but only lets nodes with a ready local endpoint answer.`,
  },
  check({ obj, entry, defaulted, facts, setPolicy, m }) {
    if (entry.ports.length === 0 || !externallyAccessible(obj.object) || defaulted.externalTrafficPolicy === 'Local') return [];
    const message = clientIpLostMessage(facts(), m);
    return message ? [{
      range: externalPolicyRange(obj),
      message,
      fixes: setPolicy('Local', m.fixPreserveClientIp(), false),
    }] : [];
  },
};
