// The iptables back end's debug checks: the Service's nat chains with the rules NAT Lens generated for
// the node, one iptables-save listing of all of them, and the filter rules that reject or drop.
import type { DebugChecks, PortOnNode } from '../../debug/types';
import { cmd, iptablesPrintedProbability } from '../../debug/shell';
import { generateIptables, type PayloadLine } from './generator';
import { serviceChains } from './names';

/** Endpoint chains named in the one-listing grep (a long pattern list makes the command unreadable). */
const MAX_GREP_ENDPOINTS = 8;

function portRules({ model, port, nodeName, onNode, v6, add, has }: PortOnNode): void {
  const sp = port.info;
  const ruleset = generateIptables(model, { nodeName });
  const ipt = v6 ? 'ip6tables' : 'iptables';
  const mine = ruleset.lines.filter(l => l.service === sp.nameString);
  const chains = serviceChains(sp);
  const declared = new Set(mine.filter(l => l.text.startsWith(':')).map(l => l.chain));
  const rulesOf = (chain: string) => mine.filter(l => l.chain === chain && l.text.startsWith('-A '));
  const internal = sp.internalPolicyLocal ? chains.svl : chains.svc;
  for (const chain of [internal, chains.ext, chains.fw, ...(internal === chains.svc ? [chains.svl] : [chains.svc])]) {
    if (!declared.has(chain) || has(cmd(ipt, '-t', 'nat', '-L', chain, '-n', '-v'))) continue;
    const rules = rulesOf(chain);
    add({
      title: `${ipt} chain ${chain} (${chainRole(chain, chains)})`,
      command: cmd(ipt, '-t', 'nat', '-L', chain, '-n', '-v'),
      runOn: onNode,
      lookFor: `${describeChain(rules, chain === chains.fw)} The pkts column counts new connections only: nat rules see the first packet of each connection, conntrack translates the rest.`,
      expected: rules.map(l => l.text),
    });
  }
  if (!declared.has(internal)) {
    add({
      title: `No ${internal} on ${nodeName}`,
      command: cmd(ipt, '-t', 'nat', '-L', internal, '-n'),
      runOn: onNode,
      lookFor: `"No chain/target/match by that name": kube-proxy writes ${internal} only when ${nodeName} has endpoints to send the ClusterIP to${sp.internalPolicyLocal ? ' (internalTrafficPolicy Local: endpoints on this node)' : ''}.`,
    });
  }
  const hash = chains.svc.slice('KUBE-SVC-'.length);
  const seps = [...new Set(mine.filter(l => l.chain?.startsWith('KUBE-SEP-') && l.text.startsWith(':')).map(l => l.chain!))];
  const patterns = [hash, ...seps.slice(0, MAX_GREP_ENDPOINTS)];
  const natExpected = ruleset.lines.filter(l => l.table === 'nat' && patterns.some(p => l.text.includes(p))).map(l => l.text);
  add({
    title: `Every nat rule of ${sp.nameString} in one listing`,
    command: `${cmd(`${ipt}-save`, '-t', 'nat')} | ${cmd('grep', ...patterns.flatMap(p => ['-e', p]))}`,
    runOn: onNode,
    lookFor: natExpected.length === 0
      ? `No output: ${nodeName} has no endpoint it could send ${sp.nameString} to, so kube-proxy writes no nat rule for it there; the filter rules below reject or drop its connections.`
      : `${natExpected.length} lines, as NAT Lens generated them for ${nodeName}${seps.length > MAX_GREP_ENDPOINTS ? ` (endpoint chains after the first ${MAX_GREP_ENDPOINTS} left out of the pattern)` : ''}. ` +
      `iptables-save prints them normalised: single addresses get /32, -p moves first, and probabilities come back as the kernel stored them (${[...new Set(natExpected.flatMap(t => [...t.matchAll(/--probability ([0-9.]+)/g)].map(m => `${m[1]} → ${iptablesPrintedProbability(m[1]!)}`)))].join(', ') || 'none here'}).`,
    expected: natExpected,
  });
  const filterLines = ruleset.lines.filter(l => l.table === 'filter' && l.service === sp.nameString).map(l => l.text);
  if (filterLines.length) {
    add({
      title: `filter rules for ${sp.nameString}`,
      command: `${cmd(`${ipt}-save`, '-t', 'filter')} | ${cmd('grep', '-F', `"${sp.nameString} `)}`,
      runOn: onNode,
      lookFor: [
        filterLines.some(t => t.includes('-j REJECT')) ? 'REJECT "has no endpoints": there is no endpoint anywhere, clients get "connection refused".' : '',
        filterLines.some(t => t.includes('has no local endpoints')) ? `DROP "has no local endpoints": ${nodeName} has no endpoint for the Local policy, so those connections time out here.` : '',
        filterLines.some(t => t.includes('health check node port')) ? `ACCEPT for the health check node port ${sp.healthCheckNodePort}, whether or not ${nodeName} has a local endpoint.` : '',
        filterLines.some(t => t.includes('traffic not accepted by')) ? 'DROP in KUBE-PROXY-FIREWALL for load balancer traffic from sources outside loadBalancerSourceRanges.' : '',
      ].filter(Boolean).join(' '),
      expected: filterLines,
    });
  }
}

function chainRole(chain: string, chains: ReturnType<typeof serviceChains>): string {
  return chain === chains.svc ? 'all endpoints, Cluster policy' : chain === chains.svl ? 'endpoints on this node, Local policy'
    : chain === chains.ext ? 'NodePort, load balancer and external IP traffic' : 'loadBalancerSourceRanges';
}

function describeChain(rules: readonly PayloadLine[], firewall: boolean): string {
  const parts: string[] = [];
  for (const l of rules) {
    const t = l.text;
    const target = / -j (\S+)/.exec(t)?.[1];
    if (!target) {
      parts.push('anything else falls through (no target), and filter KUBE-PROXY-FIREWALL drops it');
    } else if (firewall) {
      parts.push(`sources in ${/ -s (\S+)/.exec(t)?.[1] ?? '?'} → ${target}`);
    } else if (target === 'KUBE-MARK-MASQ') {
      const src = / (! )?-s (\S+)/.exec(t);
      parts.push(t.includes('--src-type LOCAL') ? 'KUBE-MARK-MASQ for node-local sources' : src ? `KUBE-MARK-MASQ for sources ${src[1] ? 'outside' : 'in'} ${src[2]}` : 'KUBE-MARK-MASQ for every connection (all of them are SNATed)');
    } else if (target.startsWith('KUBE-SEP-')) {
      const prob = /--probability ([0-9.]+)/.exec(t)?.[1];
      const affinity = t.includes('--rcheck') ? 'recent --rcheck (session affinity) → ' : '';
      parts.push(`${affinity}${target} → ${l.endpoint ?? '?'}${prob ? ` with probability ${iptablesPrintedProbability(prob)} (written as ${prob})` : affinity ? '' : ' for the rest'}`);
    } else if (/-s \S+/.test(t) && !t.includes('KUBE-MARK-MASQ')) {
      parts.push(`${/ -s (\S+)/.exec(t)![1]} → ${target} (pods skip the Local policy)`);
    } else if (t.includes('--src-type LOCAL')) {
      parts.push(`node-local sources → ${target}`);
    } else {
      parts.push(`→ ${target}`);
    }
  }
  return parts.length ? `In order: ${parts.join('; ')}.` : 'An empty chain.';
}

export const iptablesDebugChecks: DebugChecks = {
  portRules,
  nothingProgrammed({ namespace, name, onNode, v6, add }, why) {
    const key = `${namespace}/${name}`;
    add({
      title: 'Nothing in kube-proxy\'s rules',
      command: `${cmd(v6 ? 'ip6tables-save' : 'iptables-save')} | ${cmd('grep', '-F', '-e', `"${key}:`, '-e', `"${key} `, '-e', `"${key}"`)}`,
      runOn: onNode,
      lookFor: `No output: ${why}`,
    });
  },
};
