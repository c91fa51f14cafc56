// The objects IPVS mode programs: virtual servers with their real servers, and ipsets. Their own module,
// so that the renderers (ipvsadm.ts, ipset.ts) and the generator that builds them import it, not each other.
import type { Protocol } from '../../model/service';
import type { IpsetKey, IpsetType } from './names';
import type { Attribution } from '../common';

export type VirtualServerKind = 'clusterIP' | 'externalIP' | 'loadBalancer' | 'nodePort';

export interface IpvsRealServer {
  readonly address: string;
  readonly port: number;
  /** Always 1: kube-proxy gives every real server weight 1. */
  readonly weight: number;
  /** RealServer.String(): "ip:port", IPv6 bracketed. */
  readonly key: string;
  readonly nodeName: string | null;
  readonly local: boolean;
  readonly ready: boolean;
  readonly serving: boolean;
  readonly terminating: boolean;
}

/**
 * Which endpoints became real servers: the cluster-wide set, the node-local set (a Local traffic
 * policy with local endpoints), or the cluster-wide set although the policy is Local (no local
 * endpoint: IPVS falls back, kubernetes/kubernetes#97081, where iptables and nftables drop).
 */
export type EndpointSelection = 'cluster' | 'local' | 'local-fallback-to-cluster';

export interface IpvsVirtualServer {
  readonly kind: VirtualServerKind;
  /** kube-proxy's service port name ("ns/name:port"). */
  readonly service: string;
  readonly portIndex: number;
  readonly address: string;
  readonly port: number;
  readonly protocol: Protocol;
  readonly scheduler: string;
  /** kube-proxy's VirtualServer.Flags: FLAG_PERSISTENT for ClientIP affinity, FLAG_SOURCE_HASH with "mh". */
  readonly flags: number;
  /** Persistence timeout in seconds (ClientIP affinity timeout); 0 when not persistent. */
  readonly timeout: number;
  /** VirtualServer.String(): "ip:port/PROTO". */
  readonly key: string;
  /** Whether kube-proxy binds the address to kube-ipvs0 (cluster IPs; external and LB IPs not already local). */
  readonly boundToDummy: boolean;
  readonly selection: EndpointSelection;
  /** Sorted by "ip:port" (byte order), as upstream's fake IPVS keeps them. */
  readonly realServers: readonly IpvsRealServer[];
  /** Other service ports that asked for the same virtual server earlier in the walk (the last one wins). */
  readonly alsoClaimedBy: readonly string[];
}

export interface IpsetEntry extends Attribution {
  /** kube-proxy's Entry.String(), the text it passes to `ipset add`. */
  readonly text: string;
  /** Set when the kernel refuses the entry (`ipset add` fails, kube-proxy logs and goes on). */
  readonly kernelRejects?: string | undefined;
}

export interface Ipset {
  readonly key: IpsetKey;
  readonly name: string;
  readonly type: IpsetType;
  /** "inet"/"inet6" for hash sets; null for bitmap:port (no family). */
  readonly family: 'inet' | 'inet6' | null;
  readonly hashsize: number;
  readonly maxelem: number;
  /** bitmap:port range. */
  readonly range: string;
  /** Comment on the iptables rules that match the set (ipset itself is created without a comment). */
  readonly comment: string;
  readonly entries: readonly IpsetEntry[];
}
