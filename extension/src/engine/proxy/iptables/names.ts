// Chain names exactly as pkg/proxy/iptables/proxier.go builds them (portProtoHash,
// servicePortEndpointChainName): base32std(sha256(servicePortName + protocol [+ endpoint]))[:16].
import { sha256Base32Prefix } from '../../util/sha256';
import type { ServicePortInfo } from '../../model/service';

export interface ServiceChains {
  readonly svc: string;
  readonly svl: string;
  readonly ext: string;
  readonly fw: string;
}

function hash16(text: string): string {
  return sha256Base32Prefix(text, 16);
}

export function serviceChains(sp: ServicePortInfo): ServiceChains {
  const h = hash16(sp.nameString + sp.protocol.toLowerCase());
  return { svc: `KUBE-SVC-${h}`, svl: `KUBE-SVL-${h}`, ext: `KUBE-EXT-${h}`, fw: `KUBE-FW-${h}` };
}

export function endpointChain(sp: ServicePortInfo, endpointKey: string): string {
  return `KUBE-SEP-${hash16(sp.nameString + sp.protocol.toLowerCase() + endpointKey)}`;
}

/**
 * Go's fmt.Sprintf("%0.10f", 1/n) (proxier.go computeProbability). JavaScript's toFixed rounds exact
 * ties up where Go rounds them to even; 1/n is an exact tie at ten decimals only for n = 2048.
 */
export function probability(n: number): string {
  return n === 2048 ? '0.0004882812' : (1 / n).toFixed(10);
}
