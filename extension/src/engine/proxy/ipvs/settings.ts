// kube-proxy's IPVS settings (KubeProxyConfiguration.ipvs, pkg/proxy/apis/config) that change what
// the IPVS proxier writes or sets. The cluster profile does not have these fields yet; until it
// does, they are read from the profile when present (under the names proposed below) and otherwise
// take kube-proxy's defaults, and GenerateIpvsOptions can override them.
import type { ClusterProfile } from '../../model/profile';

export interface IpvsSettings {
  /**
   * ipvs.scheduler; kube-proxy uses "rr" when it is empty (proxier.go defaultScheduler). With "mh"
   * every virtual server also gets the source-hash flag (FlagSourceHash 0x10, shown as mh-port).
   */
  readonly scheduler: string;
  /** ipvs.strictARP (default false): sets net/ipv4/conf/all/arp_ignore=1 and arp_announce=2. */
  readonly strictARP: boolean;
  /** ipvs.excludeCIDRs (default none): virtual servers in these ranges are never cleaned up. */
  readonly excludeCIDRs: readonly string[];
  /** ipvs.tcpTimeout / tcpFinTimeout / udpTimeout in seconds; 0 (default) keeps the kernel's. */
  readonly tcpTimeout: number;
  readonly tcpFinTimeout: number;
  readonly udpTimeout: number;
}

export const DEFAULT_IPVS_SETTINGS: IpvsSettings = {
  scheduler: 'rr',
  strictARP: false,
  excludeCIDRs: [],
  tcpTimeout: 0,
  tcpFinTimeout: 0,
  udpTimeout: 0,
};

/** Profile field names proposed for these settings (flat, like iptablesRandomFully). */
const PROFILE_FIELDS: Record<keyof IpvsSettings, string> = {
  scheduler: 'ipvsScheduler',
  strictARP: 'ipvsStrictARP',
  excludeCIDRs: 'ipvsExcludeCIDRs',
  tcpTimeout: 'ipvsTCPTimeout',
  tcpFinTimeout: 'ipvsTCPFinTimeout',
  udpTimeout: 'ipvsUDPTimeout',
};

export function ipvsSettings(profile: ClusterProfile, override: Partial<IpvsSettings> = {}): IpvsSettings {
  const raw = profile as unknown as Record<string, unknown>;
  const str = (k: keyof IpvsSettings, d: string) => (typeof raw[PROFILE_FIELDS[k]] === 'string' && raw[PROFILE_FIELDS[k]] !== '' ? (raw[PROFILE_FIELDS[k]] as string) : d);
  const bool = (k: keyof IpvsSettings, d: boolean) => (typeof raw[PROFILE_FIELDS[k]] === 'boolean' ? (raw[PROFILE_FIELDS[k]] as boolean) : d);
  const num = (k: keyof IpvsSettings, d: number) => (typeof raw[PROFILE_FIELDS[k]] === 'number' ? (raw[PROFILE_FIELDS[k]] as number) : d);
  const list = (k: keyof IpvsSettings, d: readonly string[]) => {
    const v = raw[PROFILE_FIELDS[k]];
    return Array.isArray(v) && v.every(x => typeof x === 'string') ? (v as string[]) : d;
  };
  const d = DEFAULT_IPVS_SETTINGS;
  const merged: IpvsSettings = {
    scheduler: str('scheduler', d.scheduler),
    strictARP: bool('strictARP', d.strictARP),
    excludeCIDRs: list('excludeCIDRs', d.excludeCIDRs),
    tcpTimeout: num('tcpTimeout', d.tcpTimeout),
    tcpFinTimeout: num('tcpFinTimeout', d.tcpFinTimeout),
    udpTimeout: num('udpTimeout', d.udpTimeout),
    ...override,
  };
  return { ...merged, scheduler: merged.scheduler || 'rr' };
}

/** One sysctl kube-proxy's IPVS proxier ensures on start (proxier.go NewProxier). */
export interface IpvsSysctl {
  readonly name: string;
  readonly value: number;
  readonly note?: string;
}

/**
 * The sysctls NewProxier ensures. conn_reuse_mode is set to 0 only on kernels older than 5.9
 * (IPVSConnReuseModeFixedKernelVersion) and left alone from 5.9 on; we report it as conditional.
 */
export function ipvsSysctls(settings: IpvsSettings): IpvsSysctl[] {
  return [
    { name: 'net/ipv4/vs/conntrack', value: 1 },
    { name: 'net/ipv4/vs/conn_reuse_mode', value: 0, note: 'only on kernels 4.1 to 5.8; left as is from 5.9 on' },
    { name: 'net/ipv4/vs/expire_nodest_conn', value: 1 },
    { name: 'net/ipv4/vs/expire_quiescent_template', value: 1 },
    { name: 'net/ipv4/ip_forward', value: 1 },
    ...(settings.strictARP ? [{ name: 'net/ipv4/conf/all/arp_ignore', value: 1 }, { name: 'net/ipv4/conf/all/arp_announce', value: 2 }] : []),
  ];
}
