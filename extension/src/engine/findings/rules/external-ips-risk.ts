// externalIPs are captured on every node (CVE-2020-8554).
import type { ServiceNatRule } from './types';

export const externalIpsRisk: ServiceNatRule<'external-ips-risk'> = {
  id: 'external-ips-risk',
  subject: 'Service', needsRules: true,
  meta: {
    title: 'externalIPs can intercept other traffic (CVE-2020-8554)',
    severity: 'warning',
    category: 'nat',
    docs: `kube-proxy captures \`externalIPs\` on every node, for traffic from pods and nodes too.
Anyone allowed to set the field can intercept traffic to any address (CVE-2020-8554); many clusters
block it with an admission policy, and newer API servers warn that it is deprecated.`,
  },
  check({ spec, at, m }) {
    if ((spec.externalIPs?.length ?? 0) === 0) return [];
    return [{
      range: at(['spec', 'externalIPs'], 'key'),
      message: m.ruleExternalIps({ addresses: spec.externalIPs! }),
      fixes: [],
    }];
  },
};
