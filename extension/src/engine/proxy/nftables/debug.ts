// The nftables back end's debug checks: `nft list chain` for the Service's chains and `nft list map`
// for its map elements, with the rules NAT Lens generated for the node.
import type { DebugChecks, PortOnNode } from '../../debug/types';
import { cmd } from '../../debug/shell';
import { dedupEndpoints } from '../../model/endpoints';
import { localTrafficDetector } from '../common';
import { generateNftables } from './generator';
import { nftEndpointNames, nftServiceChains } from './names';
import type { NftChainRole } from '../../i18n/debug.en';

function portRules({ model, port, nodeName, onNode, m, add }: PortOnNode): void {
  const sp = port.info;
  const rs = generateNftables(model, { nodeName });
  const fam = rs.family;
  const chains = nftServiceChains(sp);
  const chainCmd = (chain: string, title: string, what: NftChainRole) => {
    const c = rs.table.chains.get(chain);
    if (!c) return;
    const rules = c.rules.map(r => `${r.rule}${r.comment ? ` comment "${r.comment}"` : ''}`);
    add({
      title, command: cmd('nft', 'list', 'chain', fam, 'kube-proxy', chain), ...onNode,
      lookFor: m.debugNftChain({ what }),
      expected: rules,
    });
  };
  const internal = sp.internalPolicyLocal ? chains.local : chains.cluster;
  chainCmd(internal, m.debugNftChainTitle({ chain: internal }), { kind: rs.table.chains.get(internal)?.rules.some(r => r.rule.includes('numgen')) ? 'numgen' : 'dispatch' });
  chainCmd(chains.external, m.debugNftChainTitle({ chain: chains.external }), sp.externalPolicyLocal
    ? { kind: 'external-local', pods: !!localTrafficDetector(model.profile, model.profile.nodes[0]) } : { kind: 'external-cluster' });
  chainCmd(chains.firewall, m.debugNftChainTitle({ chain: chains.firewall }), { kind: 'firewall', ranges: sp.loadBalancerSourceRanges });
  const ready = dedupEndpoints(port.endpoints, nodeName).filter(e => e.ready);
  const first = ready.find(e => e.nodeName === nodeName) ?? ready[0];
  if (first) chainCmd(nftEndpointNames(sp, first.key).chain, m.debugNftEndpointTitle({ endpoint: first.key }), { kind: 'endpoint', endpoint: first.key });
  for (const map of ['service-ips', 'service-nodeports', 'no-endpoint-services', 'no-endpoint-nodeports', 'firewall-ips']) {
    const elements = (rs.table.maps.get(map)?.elements ?? []).filter(e => e.service === sp.nameString);
    if (!elements.length) continue;
    const listed = elements.map(e => `${e.key.join(' . ')} : ${(e.value ?? []).join(' ')}`);
    add({
      title: m.debugNftMapTitle({ map }),
      command: cmd('nft', 'list', 'map', fam, 'kube-proxy', map),
      ...onNode,
      lookFor: m.debugAmongElements({ service: sp.nameString, elements: listed }),
      expected: listed,
    });
  }
}


export const nftablesDebugChecks: DebugChecks = {
  portRules,
  nothingProgrammed({ namespace, name, onNode, v6, m, add }, why) {
    add({
      title: m.debugNftNothingTitle(),
      command: `${cmd('nft', 'list', 'table', v6 ? 'ip6' : 'ip', 'kube-proxy')} | ${cmd('grep', '-F', '-e', `-${namespace}/${name}/`)}`,
      ...onNode,
      lookFor: m.debugNoOutput({ why }),
    });
  },
};
