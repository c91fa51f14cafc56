// The nftables back end's debug checks: `nft list chain` for the Service's chains and `nft list map`
// for its map elements, with the rules NAT Lens generated for the node.
import type { DebugChecks, PortOnNode } from '../../debug/types';
import { cmd } from '../../debug/shell';
import { dedupEndpoints } from '../../model/endpoints';
import { localTrafficDetector } from '../common';
import { generateNftables } from './generator';
import { nftEndpointNames, nftServiceChains } from './names';

function portRules({ model, port, nodeName, onNode, add }: PortOnNode): void {
  const sp = port.info;
  const rs = generateNftables(model, { nodeName });
  const fam = rs.family;
  const chains = nftServiceChains(sp);
  const chainCmd = (chain: string, title: string, what: string) => {
    const c = rs.table.chains.get(chain);
    if (!c) return;
    const rules = c.rules.map(r => `${r.rule}${r.comment ? ` comment "${r.comment}"` : ''}`);
    add({
      title, command: cmd('nft', 'list', 'chain', fam, 'kube-proxy', chain), runOn: onNode,
      lookFor: `${what} kube-proxy's nftables rules carry no counters: use conntrack below to see which endpoint a connection took.`,
      expected: rules,
    });
  };
  const internal = sp.internalPolicyLocal ? chains.local : chains.cluster;
  chainCmd(internal, `nft chain ${internal}`, rs.table.chains.get(internal)?.rules.some(r => r.rule.includes('numgen'))
    ? `The masquerade rule for non-pod sources, then "numgen random mod N vmap" over the endpoint chains (each 1/N).`
    : 'The endpoint dispatch.');
  chainCmd(chains.external, `nft chain ${chains.external}`, sp.externalPolicyLocal ? `${localTrafficDetector(model.profile, model.profile.nodes[0]) ? 'Pods and node-local' : 'Node-local'} sources short-circuit to the cluster chain; the rest goes to the local chain without masquerade.` : '"jump mark-for-masquerade" first: every external connection is SNATed, then the cluster chain.');
  chainCmd(chains.firewall, `nft chain ${chains.firewall}`, `Drops sources outside ${sp.loadBalancerSourceRanges.join(', ')}.`);
  const ready = dedupEndpoints(port.endpoints, nodeName).filter(e => e.ready);
  const first = ready.find(e => e.nodeName === nodeName) ?? ready[0];
  if (first) chainCmd(nftEndpointNames(sp, first.key).chain, `nft endpoint chain for ${first.key}`, `Masquerade when the source is the endpoint itself (hairpin), then "dnat to ${first.key}".`);
  for (const map of ['service-ips', 'service-nodeports', 'no-endpoint-services', 'no-endpoint-nodeports', 'firewall-ips']) {
    const elements = (rs.table.maps.get(map)?.elements ?? []).filter(e => e.service === sp.nameString);
    if (!elements.length) continue;
    add({
      title: `nft map ${map}`,
      command: cmd('nft', 'list', 'map', fam, 'kube-proxy', map),
      runOn: onNode,
      lookFor: `Among the elements, ${sp.nameString}'s: ${elements.map(e => `${e.key.join(' . ')} : ${(e.value ?? []).join(' ')}`).join('; ')}.`,
      expected: elements.map(e => `${e.key.join(' . ')} : ${(e.value ?? []).join(' ')}`),
    });
  }
}


export const nftablesDebugChecks: DebugChecks = {
  portRules,
  nothingProgrammed({ namespace, name, onNode, v6, add }, why) {
    add({
      title: 'Nothing in kube-proxy\'s table',
      command: `${cmd('nft', 'list', 'table', v6 ? 'ip6' : 'ip', 'kube-proxy')} | ${cmd('grep', '-F', '-e', `-${namespace}/${name}/`)}`,
      runOn: onNode,
      lookFor: `No output: ${why}`,
    });
  },
};
