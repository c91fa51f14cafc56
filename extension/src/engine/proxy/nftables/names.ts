// Object names exactly as pkg/proxy/nftables/proxier.go builds them (read at commit 531be812):
// hashAndTruncate, servicePortChainNameBase and servicePortEndpointChainNameBase. Unlike iptables
// mode, the hash is only a prefix: the readable "ns/name/proto/port" part stays in the name.
import { sha256Base32Prefix } from '../../util/sha256';
import type { ServicePortInfo } from '../../model/service';

/** knftables.NameLengthMax (256) minus the longest prefix kube-proxy uses (16). */
export const CHAIN_NAME_BASE_LENGTH_MAX = 256 - 16;

/** base32std(sha256(name))[:8] + "-" + name, cut to 237 characters + "..." when longer than 240. */
export function hashAndTruncate(name: string): string {
  const full = `${sha256Base32Prefix(name, 8)}-${name}`;
  return full.length > CHAIN_NAME_BASE_LENGTH_MAX ? `${full.slice(0, CHAIN_NAME_BASE_LENGTH_MAX - 3)}...` : full;
}

/** "HASH-namespace/name/protocol/portName", protocol lower case. */
export function servicePortChainNameBase(namespace: string, name: string, protocol: string, portName: string): string {
  return hashAndTruncate(`${namespace}/${name}/${protocol.toLowerCase()}/${portName}`);
}

/** Go net.SplitHostPort for the "ip:port" / "[ip]:port" strings kube-proxy's endpoints print. */
function splitHostPort(endpoint: string): [string, string] {
  if (endpoint.startsWith('[')) {
    const close = endpoint.indexOf(']');
    return [endpoint.slice(1, close), endpoint.slice(close + 2)];
  }
  const colon = endpoint.lastIndexOf(':');
  return [endpoint.slice(0, colon), endpoint.slice(colon + 1)];
}

/** "HASH-namespace/name/protocol/portName__endpointIP/endpointPort", with ":" in the IP replaced by ".". */
export function servicePortEndpointChainNameBase(namespace: string, name: string, protocol: string, portName: string, endpoint: string): string {
  const [ip, port] = splitHostPort(endpoint);
  return hashAndTruncate(`${namespace}/${name}/${protocol.toLowerCase()}/${portName}__${ip.replaceAll(':', '.')}/${port}`);
}

export interface NftServiceChains {
  /** "service-…": Cluster traffic policy endpoints. */
  readonly cluster: string;
  /** "local-…": Local traffic policy endpoints. */
  readonly local: string;
  /** "external-…": NodePort, externalIP and load-balancer traffic. */
  readonly external: string;
  /** "firewall-…": loadBalancerSourceRanges. */
  readonly firewall: string;
}

export function nftServiceChains(sp: ServicePortInfo): NftServiceChains {
  const base = servicePortChainNameBase(sp.namespace, sp.serviceName, sp.protocol, sp.portName);
  return { cluster: `service-${base}`, local: `local-${base}`, external: `external-${base}`, firewall: `firewall-${base}` };
}

export interface NftEndpointNames {
  readonly chain: string;
  readonly affinitySet: string;
}

export function nftEndpointNames(sp: ServicePortInfo, endpointKey: string): NftEndpointNames {
  const base = servicePortEndpointChainNameBase(sp.namespace, sp.serviceName, sp.protocol, sp.portName, endpointKey);
  return { chain: `endpoint-${base}`, affinitySet: `affinity-${base}` };
}

/** Service and endpoint chains are the only ones with a "/" in their name (isServiceChainName). */
export function isServiceChainName(chain: string): boolean {
  return chain.includes('/');
}
