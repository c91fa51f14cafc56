// The IPVS back end's debug checks: `ipvsadm -Ln` for each of the Service's virtual servers on the node
// and `ipset list` for its set entries, as NAT Lens generated them. IPVS only picks the real server;
// the masquerade decision is in kube-proxy's iptables rules, which match those sets.
import type { DebugChecks, PortOnNode } from '../../debug/types';
import { cmd, hostPort } from '../../debug/shell';
import { generateIpvs } from './generator';
import { renderIpvsadmList } from './ipvsadm';

function portRules({ model, port, nodeName, onNode, m, add }: PortOnNode): void {
  const sp = port.info;
  const rs = generateIpvs(model, { nodeName });
  const flag = sp.protocol === 'UDP' ? '-u' : sp.protocol === 'SCTP' ? '--sctp-service' : '-t';
  for (const vs of rs.virtualServers.filter(v => v.service === sp.nameString)) {
    // ipvsadm -Ln prints its three header lines, then the virtual server and its real servers
    const expected = renderIpvsadmList([vs]).split('\n').slice(3).filter(Boolean);
    const servers = vs.realServers.map(r => `${r.key}${r.nodeName ? ` (${r.nodeName})` : ''}`);
    add({
      title: m.debugIpvsTitle({ address: hostPort(vs.address, vs.port), kind: vs.kind }),
      command: cmd('ipvsadm', '-Ln', flag, hostPort(vs.address, vs.port)),
      ...onNode,
      lookFor: servers.length
        ? m.debugIpvs({ scheduler: vs.scheduler, timeout: vs.timeout || null, servers })
        : m.debugIpvsNoServer({ node: nodeName, address: hostPort(vs.address, vs.port) }),
      expected,
    });
  }
  for (const set of rs.ipsets) {
    const entries = set.entries.filter(e => e.service === sp.nameString).map(e => e.text);
    if (!entries.length) continue;
    add({
      title: m.debugIpsetTitle({ set: set.name }),
      command: cmd('ipset', 'list', set.name),
      ...onNode,
      lookFor: m.debugIpset({ service: sp.nameString, entries, comment: set.comment }),
      expected: entries,
    });
  }
}

export const ipvsDebugChecks: DebugChecks = {
  portRules,
  nothingProgrammed({ namespace, name, onNode, m, add }, why) {
    add({
      title: m.debugIpvsNothingTitle(),
      command: cmd('ipvsadm', '-Ln'),
      ...onNode,
      lookFor: m.debugIpvsNothing({ service: `${namespace}/${name}`, why }),
    });
  },
};
