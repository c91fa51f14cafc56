// Why kube-proxy writes no rules for a Service, in words every surface shares (the hover, the CodeLens,
// `natlens explain`, the walk's summary, `natlens rules`); the sentences are in the catalog (i18n/).
import type { SkipReason } from '../model/service';
import { english, type Messages } from '../i18n';

/** Why kube-proxy writes no rules for a Service, as one sentence (the summary of every surface). */
export function skippedSentence(reason: SkipReason, m: Messages = english): string {
  switch (reason.kind) {
    case 'service-proxy-name': return m.skippedServiceProxyName({ proxy: reason.proxy });
    case 'headless-label': return m.skippedHeadlessLabel();
    case 'headless': return m.skippedHeadless();
    case 'external-name': return m.skippedExternalName();
    case 'no-cluster-ip': return m.skippedNoClusterIP();
  }
}

/** EndpointSlices kube-proxy's label filter hides: their endpoints get no rules (the Service may have none left). */
export function hiddenSlicesSentence(slices: readonly string[], m: Messages = english): string {
  return m.hiddenSlices({ slices });
}
