// A NetworkPolicy egress ipBlock towards a range the CNI reaches with the node address.
import { egressBlockBehindSnat } from '../policy';
import type { NetworkPolicyRule } from './types';

export const policyEgressIpBlockSnat: NetworkPolicyRule<'policy-egress-ip-block-snat'> = {
  id: 'policy-egress-ip-block-snat',
  subject: 'NetworkPolicy',
  meta: {
    title: 'NetworkPolicy egress ipBlock towards a range the CNI reaches with the node address',
    severity: 'information',
    category: 'nat',
    docs: `A NetworkPolicy's egress \`ipBlock\` towards a range that the CNI reaches with the
node's address (Calico \`natOutgoing\`, flannel \`--ip-masq\`, ip-masq-agent outside its
\`nonMasqueradeCIDRs\`, ...). The policy checks the pod's own packet before the CNI's POSTROUTING
masquerade, so the rule does let the pods out; but the destination sees a node address, never the pod.
A firewall or allowlist at that range has to admit the node addresses, and then it admits every pod on
those nodes. The message names the address each node's pods arrive from and the CNI setting that
decided, from a walk of a selected pod to an address in the block. A block of \`0.0.0.0/0\` or \`::/0\`
names no particular destination and is not reported. Fix, where the CNI's own object is in the
workspace: exempt the range from masquerade (a disabled Calico \`IPPool\` with that CIDR, or one more
\`nonMasqueradeCIDRs\` entry for ip-masq-agent). The cost: the destination then sees pod addresses, and
its network must route the pod CIDR back to the nodes.`,
  },
  check: ({ obj, model, cni, workspace, m }) => egressBlockBehindSnat(obj, model, cni(), workspace, m),
};
