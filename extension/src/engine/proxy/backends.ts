// The proxy back ends kube-proxy can run (iptables, nftables, IPVS), behind one interface: their rule
// texts with per-line metadata, the program the packet walk executes, and the names and mechanisms
// a mode uses, which the renderers quote, and the checks `natlens debug` runs on a node. Callers pick
// a back end here instead of branching on the mode.
import type { ClusterModel } from '../model/cluster';
import type { ProxyMode } from '../model/profile';
import type { ServicePortInfo } from '../model/service';
import { NodeRules, type ProgramFactory } from '../walk/netfilter';
import { nftablesProgram } from '../walk/nftables';
import { ipvsProgram } from '../walk/ipvs';
import { generateIptables } from './iptables/generator';
import { serviceChains } from './iptables/names';
import { parseRule } from './iptables/ruleParser';
import { formatRule, toIptablesSave } from './iptables/save';
import { generateNftables } from './nftables/generator';
import { nftServiceChains } from './nftables/names';
import { generateIpvs } from './ipvs/generator';
import { CHAIN as IPVS_CHAINS, IPSET } from './ipvs/names';
import type { DebugChecks } from '../debug/types';
import { iptablesDebugChecks } from './iptables/debug';
import { nftablesDebugChecks } from './nftables/debug';
import { ipvsDebugChecks } from './ipvs/debug';

export interface RulesLine {
  readonly chain: string | null;
  readonly service?: string;
  readonly endpoint?: string;
}

/** One node's rules as one of the back end's text formats. */
export interface RulesText {
  readonly text: string;
  /** One entry per line of `text`. */
  readonly lines: readonly RulesLine[];
  /** The line declaring each chain. */
  readonly chains: Readonly<Record<string, number>>;
  /** Where a walk hop's rule (its line in the program the walk ran, and its text) is in `text`, if shown. */
  hopLine(line: number | null, ruleText: string): number | null;
}

/** Where a Service port's traffic is decided, named as this back end names it. */
export interface PortChains {
  /** Where an endpoint is chosen for the Service. */
  readonly service: string;
  /** Where NodePort, load-balancer and external-IP traffic enters and the masquerade mark is set. */
  readonly external: string;
  /** Where loadBalancerSourceRanges are checked, and what drops the sources they do not list. */
  readonly sourceRanges: string;
  readonly sourceRangesDrop: string;
}

/** How the mode behaves where the modes differ (pkg/proxy/{iptables,nftables,ipvs}/proxier.go). */
export interface ProxySemantics {
  chains(info: ServicePortInfo): PortChains;
  /** How a new connection picks among the endpoints. */
  readonly loadBalancing: 'probability-cascade' | 'numgen' | 'ipvs-scheduler';
  /** How ClientIP session affinity remembers a client. */
  readonly affinity: 'recent' | 'set' | 'ipvs-persistence';
  /**
   * A Local traffic policy on a node without a local endpoint: iptables and nftables write a drop;
   * IPVS gives the virtual server the cluster-wide endpoints (syncEndpoint's fallback, #97081).
   */
  readonly localWithoutEndpoint: 'drop' | 'fallback-to-cluster';
  /** Where a Service address lives: only in the rules, or bound on the kube-ipvs0 dummy device (so ARP can answer for it). */
  readonly addressBinding: 'rules-only' | 'kube-ipvs0';
  /** The filter chain that accepts the health check node port; null where the mode writes no rule for it. */
  readonly healthCheckChain: string | null;
}

export interface ProxyBackend {
  readonly mode: ProxyMode;
  /** The grammar its rules text is highlighted with (syntaxes/) and the file extension it is saved with. */
  readonly language: 'iptables' | 'nft';
  /** The text formats `natlens rules --format` offers; the first is the default. */
  readonly formats: readonly [string, ...string[]];
  rulesText(model: ClusterModel, nodeName: string, format?: string): RulesText;
  /** The node's packet filter for the walk. */
  readonly program: ProgramFactory;
  readonly semantics: ProxySemantics;
  /** What `natlens debug` reads on a node with this back end's own tools. */
  readonly debug: DebugChecks;
}

/** The first line of each `:CHAIN` declaration of iptables-restore text. */
function declarations(lines: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  lines.forEach((l, i) => { const m = /^:(\S+)/.exec(l); if (m && out[m[1]!] === undefined) out[m[1]!] = i; });
  return out;
}

function chainOfLine(line: string): string | null {
  const m = /^(?::(\S+)|-A (\S+))/.exec(line);
  return m ? m[1] ?? m[2]! : null;
}

const textLines = (text: string) => text.split('\n').slice(0, -1);
const owner = (l: { service?: string | undefined; endpoint?: string | undefined }) => ({ ...(l.service ? { service: l.service } : {}), ...(l.endpoint ? { endpoint: l.endpoint } : {}) });

const iptables: ProxyBackend = {
  mode: 'iptables',
  language: 'iptables',
  formats: ['restore', 'save'],
  rulesText(model, nodeName, format = 'restore') {
    const ruleset = generateIptables(model, { nodeName });
    if (format === 'save') {
      const text = toIptablesSave(ruleset, model.profile.ipFamily);
      const saved = textLines(text);
      return {
        text, lines: saved.map(l => ({ chain: chainOfLine(l) })), chains: declarations(saved),
        // the save form prints each rule in iptables' own option order: find the hop's rule by that text
        hopLine: (line, ruleText) => {
          if (line === null) return null;
          const i = saved.indexOf(formatRule(parseRule('nat', ruleText, 0), model.profile.ipFamily));
          return i >= 0 ? i : null;
        },
      };
    }
    return {
      text: ruleset.payload, chains: declarations(ruleset.lines.map(l => l.text)),
      lines: ruleset.lines.map(l => ({ chain: l.chain, ...owner(l) })),
      hopLine: line => line,
    };
  },
  program: (model, node, network) => new NodeRules(network, generateIptables(model, { nodeName: node.name })),
  semantics: {
    chains: info => { const c = serviceChains(info); return { service: c.svc, external: c.ext, sourceRanges: c.fw, sourceRangesDrop: 'KUBE-PROXY-FIREWALL' }; },
    loadBalancing: 'probability-cascade', affinity: 'recent', localWithoutEndpoint: 'drop',
    addressBinding: 'rules-only', healthCheckChain: 'KUBE-NODEPORTS',
  },
  debug: iptablesDebugChecks,
};

const nftables: ProxyBackend = {
  mode: 'nftables',
  language: 'nft',
  formats: ['dump', 'script'],
  rulesText(model, nodeName, format = 'dump') {
    const nft = generateNftables(model, { nodeName });
    if (format === 'script') {
      return { text: nft.script, lines: textLines(nft.script).map(() => ({ chain: null })), chains: {}, hopLine: () => null };
    }
    const chains: Record<string, number> = {};
    nft.lines.forEach((l, i) => { if (l.kind === 'chain' && l.object && chains[l.object] === undefined) chains[l.object] = i; });
    // the walk runs the dump itself: hop lines are dump lines
    return { text: nft.ruleset, lines: nft.lines.map(l => ({ chain: l.object, ...owner(l) })), chains, hopLine: line => line };
  },
  program: nftablesProgram,
  semantics: {
    chains: info => { const c = nftServiceChains(info); return { service: c.cluster, external: c.external, sourceRanges: c.firewall, sourceRangesDrop: c.firewall }; },
    loadBalancing: 'numgen', affinity: 'set', localWithoutEndpoint: 'drop',
    addressBinding: 'rules-only', healthCheckChain: null,
  },
  debug: nftablesDebugChecks,
};

const IPVS_PARTS = { ipvsadm: '# ipvsadm -Ln', ipset: '# ipset save', iptables: '# iptables-restore payload' } as const;

const ipvs: ProxyBackend = {
  mode: 'ipvs',
  language: 'iptables',
  formats: ['all', 'ipvsadm', 'ipset', 'iptables'],
  rulesText(model, nodeName, format = 'all') {
    const out = generateIpvs(model, { nodeName });
    const payloadLines = out.iptables.lines.map(l => ({ chain: l.chain }));
    const plain = (text: string) => textLines(text).map(() => ({ chain: null }));
    if (format === 'ipvsadm' || format === 'ipset') {
      const text = format === 'ipvsadm' ? out.ipvsadm : out.ipsetSave;
      return { text, lines: plain(text), chains: {}, hopLine: () => null };
    }
    if (format === 'iptables') {
      return { text: out.iptables.payload, lines: payloadLines, chains: declarations(out.iptables.lines.map(l => l.text)), hopLine: line => line };
    }
    const head = `${IPVS_PARTS.ipvsadm}\n${out.ipvsadm}\n${IPVS_PARTS.ipset}\n${out.ipsetSave}\n${IPVS_PARTS.iptables}\n`;
    const offset = textLines(head).length;
    const text = head + out.iptables.payload;
    const lines = [...textLines(head).map(() => ({ chain: null })), ...payloadLines];
    const chains = Object.fromEntries(Object.entries(declarations(out.iptables.lines.map(l => l.text))).map(([c, i]) => [c, i + offset]));
    // hops of the walk's iptables part point into the payload, which follows the ipvsadm and ipset parts
    return { text, lines, chains, hopLine: line => (line === null ? null : line + offset) };
  },
  program: ipvsProgram,
  semantics: {
    // no per-Service chains: the Service is an IPVS virtual server; ipsets select the shared chains
    chains: () => ({ service: 'IPVS virtual server', external: `${IPVS_CHAINS.nodePort} / ${IPVS_CHAINS.loadBalancer} (ipsets ${IPSET.nodePortTCP}, ${IPSET.loadBalancer})`, sourceRanges: `${IPVS_CHAINS.proxyFirewall} (ipset ${IPSET.loadBalancerFW})`, sourceRangesDrop: IPVS_CHAINS.sourceRangesFirewall }),
    loadBalancing: 'ipvs-scheduler', affinity: 'ipvs-persistence', localWithoutEndpoint: 'fallback-to-cluster',
    addressBinding: 'kube-ipvs0', healthCheckChain: IPVS_CHAINS.nodePort,
  },
  debug: ipvsDebugChecks,
};

export const BACKENDS: Readonly<Record<ProxyMode, ProxyBackend>> = { iptables, nftables, ipvs };

export function isProxyMode(mode: string): mode is ProxyMode {
  return Object.hasOwn(BACKENDS, mode);
}

export function backendFor(mode: ProxyMode): ProxyBackend {
  return BACKENDS[mode];
}
