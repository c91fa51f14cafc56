// Who wrote a chain or a rule on a node: kube-proxy, the kubelet, a CNI, Docker, a host firewall.
// Recognised by the names and comments each project writes (kube-proxy pkg/proxy/iptables/proxier.go
// and pkg/kubelet/kubelet_network_linux.go; Calico's "cali-" chains and "cali:" comments; flannel's
// FLANNEL-POSTRTG/FLANNEL-FWD; Cilium's CILIUM_* chains and "cilium:" comments; the AWS VPC CNI's
// AWS-SNAT-CHAIN-*/AWS-CONNMARK-CHAIN-*; Docker's DOCKER* chains; kube-router's KUBE-ROUTER-*,
// KUBE-POD-FW-*, KUBE-NWPLCY-*; firewalld's zone chains; ufw's ufw-*/ufw6-*).

export type Owner = 'kernel' | 'kube-proxy' | 'kubelet' | 'calico' | 'flannel' | 'cilium' | 'aws-vpc-cni' | 'docker' | 'kube-router' | 'firewalld' | 'ufw' | 'weave' | 'cni-plugins' | 'unknown';

const BUILTIN = new Set(['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING']);

/** kubelet's chains (KUBE-FIREWALL, KUBE-KUBELET-CANARY, the canaries) share kube-proxy's prefix. */
const KUBELET_CHAINS = new Set(['KUBE-FIREWALL', 'KUBE-KUBELET-CANARY', 'KUBE-MARK-DROP', 'KUBE-IPTABLES-HINT']);

const PATTERNS: readonly [RegExp, Owner][] = [
  [/^KUBE-(ROUTER-|POD-FW-|NWPLCY-|SRC-|DST-)/, 'kube-router'],
  [/^KUBE-/, 'kube-proxy'],
  [/^cali-/, 'calico'],
  [/^FLANNEL-/, 'flannel'],
  [/^(OLD_)?CILIUM_/, 'cilium'],
  [/^AWS-(SNAT|CONNMARK)-CHAIN-/, 'aws-vpc-cni'],
  [/^DOCKER(-|$)/, 'docker'],
  [/^(ufw6?-)/, 'ufw'],
  [/^WEAVE(-|$)/, 'weave'],
  [/^CNI-/, 'cni-plugins'],
  [/^((PRE|POST)ROUTING|INPUT|FORWARD|OUTPUT)_(direct|ZONES(_SOURCE)?)$|^(IN|FWDI|FWDO|FWD|POST|PRE|OUT)_\S+?(_(allow|deny|log|pre|post))?$|^FORWARD_(IN|OUT)_ZONES(_SOURCE)?$/, 'firewalld'],
];

export function chainOwner(chain: string): Owner {
  if (BUILTIN.has(chain)) return 'kernel';
  if (KUBELET_CHAINS.has(chain)) return 'kubelet';
  for (const [re, owner] of PATTERNS) if (re.test(chain)) return owner;
  return 'unknown';
}

/** A rule's owner: its comment when that names a project, else the owner of its target chain or its chain. */
export function ruleOwner(chain: string, target: string | undefined, comment: string | undefined): Owner {
  if (comment !== undefined) {
    if (/^cali:/.test(comment)) return 'calico';
    if (/^flanneld /.test(comment)) return 'flannel';
    if (/^cilium/i.test(comment)) return 'cilium';
    if (/^AWS, /.test(comment)) return 'aws-vpc-cni';
    if (/^kubernetes |^kube-proxy /.test(comment)) return 'kube-proxy';
    if (/^kube-router /.test(comment)) return 'kube-router';
  }
  const own = chainOwner(chain);
  if (own !== 'kernel') return own;
  return target !== undefined ? chainOwner(target) === 'kernel' ? 'unknown' : chainOwner(target) : 'unknown';
}

/**
 * The Service port a kube-proxy comment names: "ns/name:port cluster IP", "ns/name:port -> ip:port",
 * "pod traffic for ns/name:port external destinations".
 */
export function serviceOfComment(comment: string | undefined): string | null {
  const m = comment === undefined ? null : /(?:^|\s)([a-z0-9]([-a-z0-9]*[a-z0-9])?\/[a-z0-9]([-a-z0-9.]*[a-z0-9])?:[-a-z0-9]*)(\s|$)/.exec(comment);
  return m ? m[1]! : null;
}
