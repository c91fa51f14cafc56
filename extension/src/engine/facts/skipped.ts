// Why kube-proxy writes no rules for a Service, in words every surface shares (the hover, the CodeLens,
// `natlens explain`, the walk's summary, `natlens rules`).
import type { SkipReason } from '../model/service';

/** Why kube-proxy writes no rules for a Service, as one sentence (the summary of every surface). */
export function skippedSentence(reason: SkipReason): string {
  switch (reason.kind) {
    case 'service-proxy-name':
      return `kube-proxy programs no rules for this Service: its label service.kubernetes.io/service-proxy-name${reason.proxy ? `=${reason.proxy}` : ''} hands it to another Service proxy, and kube-proxy's informers skip every Service and EndpointSlice with that label. What happens to its traffic is that proxy's business; NAT Lens does not model it.`;
    case 'headless-label':
      return 'kube-proxy programs no rules for this Service: it carries the label service.kubernetes.io/headless, and kube-proxy\'s informers skip every Service and EndpointSlice with that label.';
    case 'headless':
      return 'Headless Service: kube-proxy programs no rules for it, so there is no DNAT and no SNAT.';
    case 'external-name':
      return 'ExternalName Service: a DNS alias; kube-proxy programs nothing.';
    case 'no-cluster-ip':
      return 'kube-proxy programs no rules for this Service (no ClusterIP or no ports).';
  }
}

/** EndpointSlices kube-proxy's label filter hides: their endpoints get no rules (the Service may have none left). */
export function hiddenSlicesSentence(slices: readonly string[]): string {
  return `kube-proxy does not see the EndpointSlice${slices.length === 1 ? '' : 's'} ${slices.join(', ')}: ${slices.length === 1 ? 'it carries' : 'they carry'} service.kubernetes.io/service-proxy-name or service.kubernetes.io/headless, which its informers filter out, so ${slices.length === 1 ? 'its' : 'their'} endpoints get no rules.`;
}
