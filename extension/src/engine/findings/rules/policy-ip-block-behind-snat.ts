// A NetworkPolicy ingress ipBlock for clients whose address kube-proxy masquerades.
import { ingressBehindSnat } from '../policy';
import type { NetworkPolicyRule } from './types';

export const policyIpBlockBehindSnat: NetworkPolicyRule<'policy-ip-block-behind-snat'> = {
  id: 'policy-ip-block-behind-snat',
  subject: 'NetworkPolicy',
  meta: {
    title: 'NetworkPolicy ipBlock for clients whose address kube-proxy masquerades',
    severity: 'warning',
    category: 'nat',
    docs: `A NetworkPolicy's ingress \`ipBlock\` is matched against the source address the pod
sees. When the selected pods receive external clients through a Service whose external traffic is
masqueraded (\`externalTrafficPolicy: Cluster\`), they see node addresses, not the clients: an
\`ipBlock\` for the clients' range never matches (the policy blocks them), and one that contains the
node addresses lets every client through. The message lists the addresses the pods see, from walks
through the rules. Fix (with its cost): \`externalTrafficPolicy: Local\` on that Service, so the pods
see the client address; nodes without a ready local endpoint then drop external traffic.`,
  },
  check: ({ obj, model, m }) => ingressBehindSnat(obj, model, m),
};
