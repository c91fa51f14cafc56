// What a walk hop did to the connection, as data: every back end (iptables rules, nftables rules,
// IPVS scheduling, the CNI's egress SNAT) records typed effects, and the hop's text is rendered
// from them here, in one place. Code that needs to know what happened reads the effects, never text.
import { english, type Messages } from '../i18n';
import type { OverlayDevice } from '../egress/podNetwork';
import type { MasqueradeSource } from './network';

/** nftables `numgen random mod N`: the branch this hop took. */
export interface NumgenBranch {
  readonly value: number;
  readonly of: number;
}

/** How IPVS (ip_vs_in) chose a real server: the facts kube-proxy's virtual server gives the kernel. */
export interface IpvsScheduling {
  readonly scheduler: string;
  /** The netfilter hook IPVS runs at: LOCAL_IN for traffic to the node, LOCAL_OUT for its own. */
  readonly at: 'LOCAL_IN' | 'LOCAL_OUT';
  readonly realServers: number;
  /** Session affinity: the persistence timeout in seconds, when the virtual server is persistent. */
  readonly persistentSeconds: number | null;
  /** This client's persistence template chose the real server (a returning client). */
  readonly fromTemplate: boolean;
  /** The Local traffic policy found no local endpoint and kube-proxy gave IPVS the cluster-wide ones. */
  readonly localFallback: 'internal' | 'external' | null;
}

/** Who wrote the source NAT: kube-proxy's rules, or the CNI's own masquerade for traffic leaving the cluster. */
export type SnatOwner = 'kube-proxy' | 'cni';

export type HopEffect =
  /** The rule matched and has no target (iptables) or no statement (nftables): it only counts. */
  | { readonly kind: 'match' }
  | { readonly kind: 'jump'; readonly chain: string; readonly goto: boolean; readonly branch?: NumgenBranch }
  | { readonly kind: 'return' }
  | { readonly kind: 'continue'; readonly branch?: NumgenBranch }
  | { readonly kind: 'verdict'; readonly verdict: 'ACCEPT' | 'DROP' | 'REJECT'; readonly branch?: NumgenBranch }
  /** IPVS has a virtual server without real servers: ip_vs_leave answers ICMP port unreachable. */
  | { readonly kind: 'ipvs-no-real-server'; readonly at: IpvsScheduling['at']; readonly virtualServer: string }
  | { readonly kind: 'mark'; readonly result: number }
  /** The client address is recorded in a session-affinity list (iptables recent, nftables set, IPVS template). */
  | { readonly kind: 'affinity-record'; readonly list: string; readonly address: string; readonly store: 'recent' | 'set' | 'ipvs-template' }
  /** An earlier connection's affinity entry matched: this one follows it. */
  | { readonly kind: 'affinity-hit'; readonly list: string }
  | { readonly kind: 'dnat'; readonly to: string; readonly ipvs?: IpvsScheduling }
  | { readonly kind: 'snat'; readonly how: 'MASQUERADE' | 'SNAT'; readonly to: string; readonly owner: SnatOwner; readonly overlay?: OverlayDevice }
  /** The CNI lets the packet leave with the pod's own address. */
  | { readonly kind: 'keep-source'; readonly owner: 'cni' }
  /** IPVS mode: a kube-ipvs0 address without a virtual server on the port is delivered to a local socket. */
  | { readonly kind: 'local-socket' };

/** kube-proxy's MASQUERADE (iptables target, nftables statement): the address and, over an overlay, its device. */
export function masqueradeEffect(masq: MasqueradeSource): HopEffect {
  return { kind: 'snat', how: 'MASQUERADE', to: masq.address, owner: 'kube-proxy', ...(masq.overlay ? { overlay: masq.overlay } : {}) };
}

type EffectOf<K extends HopEffect['kind']> = Extract<HopEffect, { kind: K }>;

export function effectOf<K extends HopEffect['kind']>(effects: readonly HopEffect[], kind: K): EffectOf<K> | undefined {
  return effects.find((e): e is EffectOf<K> => e.kind === kind);
}

export function hasEffect(effects: readonly HopEffect[], kind: HopEffect['kind']): boolean {
  return effects.some(e => e.kind === kind);
}

function branchText(b: NumgenBranch | undefined): string {
  return b ? ` (numgen ${b.value} of ${b.of})` : '';
}

function ipvsNotes(s: IpvsScheduling, m: Messages): string {
  const notes = [
    m.effectIpvsAt({ scheduler: s.scheduler, at: s.at }),
    s.fromTemplate ? m.effectIpvsTemplate({ seconds: s.persistentSeconds }) : s.realServers > 1 ? m.effectIpvsOneOf({ n: s.realServers }) : m.effectIpvsOnly(),
    m.effectIpvsForwarder(),
    ...(s.persistentSeconds !== null ? [m.effectIpvsPersistent({ seconds: s.persistentSeconds })] : []),
    ...(s.localFallback ? [m.effectIpvsFallback({ policy: s.localFallback })] : []),
    m.effectInferred(),
  ];
  return notes.join('; ');
}

function effectText(e: HopEffect, m: Messages): string | null {
  switch (e.kind) {
    case 'match': return m.effectMatched();
    case 'jump': return `${e.goto ? 'goto' : 'jump'} ${e.chain}${branchText(e.branch)}`;
    case 'return': return 'RETURN';
    case 'continue': return `CONTINUE${branchText(e.branch)}`;
    case 'verdict': return `${e.verdict}${branchText(e.branch)}`;
    case 'ipvs-no-real-server': return m.effectIpvsNoRealServer({ at: e.at, virtualServer: e.virtualServer, inferred: m.effectInferred() });
    case 'mark': return `MARK 0x${e.result.toString(16)}`;
    // the rule text beside the hop shows iptables' --set; an nftables update and an IPVS template do not show themselves
    case 'affinity-record': return e.store === 'set' ? `update @${e.list}` : null;
    case 'affinity-hit': return null;
    case 'dnat': return `DNAT to ${e.to}${e.ipvs ? ` (${ipvsNotes(e.ipvs, m)})` : ''}`;
    // over an overlay the device says where the address is from (and, unknown, that the address stands in)
    case 'snat': return `${e.how} to ${e.overlay ? `${e.overlay.address ?? '?'} (${e.overlay.device})` : e.to}`;
    case 'keep-source': return m.effectKeepSource();
    case 'local-socket': return m.effectLocalSocket();
  }
}

/** The hop's one-line description, rendered from its effects. */
export function describeEffects(effects: readonly HopEffect[], m: Messages = english): string {
  return effects.map(e => effectText(e, m)).filter((t): t is string => t !== null).join('; ');
}
