// Edits from the preview's Assumptions pane, applied to a profile, and the profile written back as YAML.
import type { ClusterProfile, NodeProfile } from './profile';
import { stringifyYaml } from '../manifest/yamlAdapter';
import { parseCIDR, parseIP } from '../util/ip';
import type { ProfilePatch } from '../../../../protocol/preview';

/** Applies a patch; invalid values are reported and left out. */
export function applyProfilePatch(profile: ClusterProfile, patch: ProfilePatch): { profile: ClusterProfile; errors: string[] } {
  const errors: string[] = [];
  let next: ClusterProfile = { ...profile };
  if (patch.clusterCIDR !== undefined) {
    if (patch.clusterCIDR === null || parseCIDR(patch.clusterCIDR)) next = { ...next, clusterCIDR: patch.clusterCIDR };
    else errors.push(`clusterCIDR: "${patch.clusterCIDR}" is not a CIDR`);
  }
  for (const k of ['masqueradeAll', 'localhostNodePorts', 'iptablesRandomFully'] as const) if (patch[k] !== undefined) next = { ...next, [k]: patch[k] };
  if (patch.nodeName !== undefined) {
    if (next.nodes.some(n => n.name === patch.nodeName)) next = { ...next, nodeName: patch.nodeName, nodeIPs: next.nodes.find(n => n.name === patch.nodeName)!.ips };
    else errors.push(`nodeName: no node "${patch.nodeName}"`);
  }
  if (patch.node) {
    const p = patch.node;
    const current = next.nodes.find(n => n.name === p.name);
    if (!current) errors.push(`no node "${p.name}"`);
    else {
      const updated: NodeProfile = {
        ...current,
        ...(p.ips !== undefined ? (p.ips.every(ip => parseIP(ip)) && p.ips.length > 0 ? { ips: p.ips } : (errors.push(`${p.name}: IPs must be addresses`), {})) : {}),
        ...(p.podCIDR !== undefined ? (p.podCIDR === null || parseCIDR(p.podCIDR) ? { podCIDR: p.podCIDR } : (errors.push(`${p.name}: "${p.podCIDR}" is not a CIDR`), {})) : {}),
        ...(p.podGateway !== undefined ? (p.podGateway === null || p.podGateway === 'none' || parseIP(p.podGateway) ? { podGateway: p.podGateway } : (errors.push(`${p.name}: pod gateway must be an address or "none"`), {})) : {}),
      };
      next = { ...next, nodes: next.nodes.map(n => (n.name === p.name ? updated : n)), ...(p.name === next.nodeName && updated.ips !== current.ips ? { nodeIPs: updated.ips } : {}) };
    }
  }
  return { profile: next, errors };
}

/** The profile as a file, with only the fields NAT Lens reads. */
export function profileToYaml(profile: ClusterProfile): string {
  const { nodePortRange, nodes, ...rest } = profile;
  return '# NAT Lens cluster profile (see the README, "Cluster profile")\n' + stringifyYaml({
    ...rest,
    nodePortRange: `${nodePortRange.min}-${nodePortRange.max}`,
    nodes: nodes.map(n => ({ name: n.name, ips: [...n.ips], podCIDR: n.podCIDR, podGateway: n.podGateway, ...(n.zone ? { zone: n.zone } : {}) })),
  });
}
