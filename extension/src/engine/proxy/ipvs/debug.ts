// The IPVS back end's debug checks: `ipvsadm -Ln` for each of the Service's virtual servers on the node
// and `ipset list` for its set entries, as NAT Lens generated them. IPVS only picks the real server;
// the masquerade decision is in kube-proxy's iptables rules, which match those sets.
import type { DebugChecks, PortOnNode } from '../../debug/types';
import { cmd, hostPort } from '../../debug/shell';
import { generateIpvs } from './generator';
import { renderIpvsadmList } from './ipvsadm';

const VIRTUAL_SERVER_ROLE = { clusterIP: 'the ClusterIP', nodePort: 'the node port', loadBalancer: 'the load balancer IP', externalIP: 'the external IP' } as const;

function portRules({ model, port, nodeName, onNode, add }: PortOnNode): void {
  const sp = port.info;
  const rs = generateIpvs(model, { nodeName });
  const flag = sp.protocol === 'UDP' ? '-u' : sp.protocol === 'SCTP' ? '--sctp-service' : '-t';
  for (const vs of rs.virtualServers.filter(v => v.service === sp.nameString)) {
    // ipvsadm -Ln prints its three header lines, then the virtual server and its real servers
    const expected = renderIpvsadmList([vs]).split('\n').slice(3).filter(Boolean);
    const servers = vs.realServers.map(r => `${r.key}${r.nodeName ? ` (${r.nodeName})` : ''}`);
    add({
      title: `IPVS virtual server ${hostPort(vs.address, vs.port)} (${VIRTUAL_SERVER_ROLE[vs.kind]})`,
      command: cmd('ipvsadm', '-Ln', flag, hostPort(vs.address, vs.port)),
      runOn: onNode,
      lookFor: servers.length
        ? `Scheduler ${vs.scheduler}${vs.timeout ? `, persistent ${vs.timeout} s (session affinity)` : ''}; ${servers.length} real server${servers.length === 1 ? '' : 's'}, forward method Masq, weight 1: ${servers.join(', ')}. ActiveConn and InActConn count the connections IPVS sent to each.`
        : `No real servers on ${nodeName}: IPVS has nowhere to send connections to ${hostPort(vs.address, vs.port)}, and they are refused.`,
      expected,
    });
  }
  for (const set of rs.ipsets) {
    const entries = set.entries.filter(e => e.service === sp.nameString).map(e => e.text);
    if (!entries.length) continue;
    add({
      title: `ipset ${set.name}`,
      command: cmd('ipset', 'list', set.name),
      runOn: onNode,
      lookFor: `Among the members, ${sp.nameString}'s: ${entries.join(', ')}. kube-proxy's iptables rules match this set (${set.comment}).`,
      expected: entries,
    });
  }
}

export const ipvsDebugChecks: DebugChecks = {
  portRules,
  nothingProgrammed({ namespace, name, onNode, add }, why) {
    add({
      title: 'No IPVS virtual server for the Service',
      command: cmd('ipvsadm', '-Ln'),
      runOn: onNode,
      lookFor: `No virtual server for ${namespace}/${name}: ${why}`,
    });
  },
};
