// ip-family-not-served: a Service that asks only for IP families the profile does not have. kube-proxy
// of the profile's family skips it (pkg/proxy/util GetClusterIPByFamily finds no address), so NAT Lens
// shows no rules for it rather than rules of the other family.
import type { ManifestObject } from '../../manifest/manifest';
import type { ClusterModel, ServiceEntry } from '../../model/cluster';
import type { Draft } from '../analyze';

export function ipFamilyNotServedFindings(obj: ManifestObject<'Service'>, entry: ServiceEntry, model: ClusterModel): Draft[] {
  const families = entry.unservedFamilies;
  if (!families) return [];
  const asked = families.join(' and ');
  return [{
    rule: 'ip-family-not-served',
    range: obj.rangeOf(['spec', 'ipFamilies'], 'key') ?? obj.rangeOf(['spec', 'clusterIP']) ?? obj.rangeOf(['spec', 'clusterIPs']) ?? obj.range,
    message: `The Service is ${asked} only; the cluster profile is ${model.profile.ipFamily}, whose kube-proxy skips it: NAT Lens shows no rules or walks for it. ` +
      `To see them, check it with a profile that says ipFamily: ${families[0]}.`,
    fixes: [],
  }];
}
