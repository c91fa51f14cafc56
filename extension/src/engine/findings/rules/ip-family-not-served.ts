// A Service that asks only for IP families the profile does not have. kube-proxy of the profile's
// family skips it (pkg/proxy/util GetClusterIPByFamily finds no address of its family), so NAT Lens
// says so instead of showing rules of the other family.
import type { ServiceNatRule } from './types';

export const ipFamilyNotServed: ServiceNatRule<'ip-family-not-served'> = {
  id: 'ip-family-not-served',
  subject: 'Service', needsRules: true,
  meta: {
    title: 'A Service of an IP family the profile does not have',
    severity: 'information',
    category: 'nat',
    docs: `The Service asks only for IP families (\`spec.ipFamilies\`, or its cluster IPs) that the
cluster profile does not have. kube-proxy of the profile's family skips it, so NAT Lens shows no rules
or walks for it instead of rules of the other family. Check it with a profile of its family
(\`ipFamily: IPv6\`).`,
  },
  check({ obj, entry, model, m }) {
    const families = entry.unservedFamilies;
    if (!families) return [];
    return [{
      range: obj.rangeOf(['spec', 'ipFamilies'], 'key') ?? obj.rangeOf(['spec', 'clusterIP']) ?? obj.rangeOf(['spec', 'clusterIPs']) ?? obj.range,
      message: m.ruleIpFamilyNotServed({ families, profile: model.profile.ipFamily }),
      fixes: [],
    }];
  },
};
