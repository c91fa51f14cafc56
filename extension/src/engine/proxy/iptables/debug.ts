// The iptables back end's debug checks: the Service's nat chains with the rules NAT Lens generated for
// the node, one iptables-save listing of all of them, and the filter rules that reject or drop.
import type { DebugChecks, PortOnNode } from '../../debug/types';
import type { ChainRulePart, FilterRuleKind } from '../../i18n/debug.en';
import { cmd, iptablesPrintedProbability } from '../../debug/shell';
import { generateIptables, type PayloadLine } from './generator';
import { serviceChains } from './names';

/** Endpoint chains named in the one-listing grep (a long pattern list makes the command unreadable). */
const MAX_GREP_ENDPOINTS = 8;

function portRules({ model, port, nodeName, onNode, v6, m, add, has }: PortOnNode): void {
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
      title: m.debugIptablesChainTitle({ ipt, chain, role: chainRole(chain, chains) }),
      command: cmd(ipt, '-t', 'nat', '-L', chain, '-n', '-v'),
      ...onNode,
      lookFor: m.debugIptablesChain({ parts: rules.map(l => chainRulePart(l, chain === chains.fw)) }),
      expected: rules.map(l => l.text),
    });
  }
  if (!declared.has(internal)) {
    add({
      title: m.debugIptablesNoChainTitle({ chain: internal, node: nodeName }),
      command: cmd(ipt, '-t', 'nat', '-L', internal, '-n'),
      ...onNode,
      lookFor: m.debugIptablesNoChain({ chain: internal, node: nodeName, local: sp.internalPolicyLocal }),
    });
  }
  const hash = chains.svc.slice('KUBE-SVC-'.length);
  const seps = [...new Set(mine.filter(l => l.chain?.startsWith('KUBE-SEP-') && l.text.startsWith(':')).map(l => l.chain!))];
  const patterns = [hash, ...seps.slice(0, MAX_GREP_ENDPOINTS)];
  const natExpected = ruleset.lines.filter(l => l.table === 'nat' && patterns.some(p => l.text.includes(p))).map(l => l.text);
  add({
    title: m.debugIptablesNatTitle({ service: sp.nameString }),
    command: `${cmd(`${ipt}-save`, '-t', 'nat')} | ${cmd('grep', ...patterns.flatMap(p => ['-e', p]))}`,
    ...onNode,
    lookFor: natExpected.length === 0
      ? m.debugIptablesNatNone({ node: nodeName, service: sp.nameString })
      : m.debugIptablesNat({
        n: natExpected.length, node: nodeName, cut: seps.length > MAX_GREP_ENDPOINTS ? MAX_GREP_ENDPOINTS : null,
        probabilities: [...new Set(natExpected.flatMap(t => [...t.matchAll(/--probability ([0-9.]+)/g)].map(p => p[1]!)))].map(written => ({ written, printed: iptablesPrintedProbability(written) })),
      }),
    expected: natExpected,
  });
  const filterLines = ruleset.lines.filter(l => l.table === 'filter' && l.service === sp.nameString);
  if (filterLines.length) {
    add({
      title: m.debugIptablesFilterTitle({ service: sp.nameString }),
      command: `${cmd(`${ipt}-save`, '-t', 'filter')} | ${cmd('grep', '-F', `"${sp.nameString} `)}`,
      ...onNode,
      // each rule said by its chain and target, with the comment kube-proxy wrote on it
      lookFor: filterLines.map(l => {
        const target = / -j (\S+)/.exec(l.text)?.[1] ?? '';
        return m.debugIptablesFilterRule({ kind: filterRuleKind(l.chain, target), target, comment: /--comment "([^"]*)"/.exec(l.text)?.[1] ?? '', node: nodeName, port: sp.healthCheckNodePort });
      }).join(' '),
      expected: filterLines.map(l => l.text),
    });
  }
}

/** What a Service's filter rule is for, by where kube-proxy writes it (proxier.go syncProxyRules, writeServiceToEndpointRules' filter side). */
function filterRuleKind(chain: string | null, target: string): FilterRuleKind {
  if (target === 'REJECT') return 'no-endpoints';
  if (chain === 'KUBE-EXTERNAL-SERVICES' && target === 'DROP') return 'no-local-endpoints';
  if (chain === 'KUBE-NODEPORTS' && target === 'ACCEPT') return 'health-check';
  if (chain === 'KUBE-PROXY-FIREWALL' && target === 'DROP') return 'firewall';
  return 'other';
}

function chainRole(chain: string, chains: ReturnType<typeof serviceChains>): 'svc' | 'svl' | 'ext' | 'fw' {
  return chain === chains.svc ? 'svc' : chain === chains.svl ? 'svl' : chain === chains.ext ? 'ext' : 'fw';
}

/** One rule of a Service chain, read from its text: its target and the matches that decide it. */
function chainRulePart(l: PayloadLine, firewall: boolean): ChainRulePart {
  const t = l.text;
  const target = / -j (\S+)/.exec(t)?.[1];
  if (!target) return { kind: 'fall-through' };
  if (firewall) return { kind: 'firewall-source', source: / -s (\S+)/.exec(t)?.[1] ?? '?', target };
  if (target === 'KUBE-MARK-MASQ') {
    const src = / (! )?-s (\S+)/.exec(t);
    return { kind: 'mark-masq', sources: t.includes('--src-type LOCAL') ? 'node-local' : src ? { cidr: src[2]!, outside: !!src[1] } : 'all' };
  }
  if (target.startsWith('KUBE-SEP-')) {
    const prob = /--probability ([0-9.]+)/.exec(t)?.[1];
    return { kind: 'endpoint', target, endpoint: l.endpoint ?? '?', affinity: t.includes('--rcheck'), probability: prob ? { written: prob, printed: iptablesPrintedProbability(prob) } : null };
  }
  const source = / -s (\S+)/.exec(t)?.[1];
  if (source) return { kind: 'pods-skip', source, target };
  if (t.includes('--src-type LOCAL')) return { kind: 'node-local', target };
  return { kind: 'jump', target };
}

export const iptablesDebugChecks: DebugChecks = {
  portRules,
  nothingProgrammed({ namespace, name, onNode, v6, m, add }, why) {
    const key = `${namespace}/${name}`;
    add({
      title: m.debugIptablesNothingTitle(),
      command: `${cmd(v6 ? 'ip6tables-save' : 'iptables-save')} | ${cmd('grep', '-F', '-e', `"${key}:`, '-e', `"${key} `, '-e', `"${key}"`)}`,
      ...onNode,
      lookFor: m.debugNoOutput({ why }),
    });
  },
};
