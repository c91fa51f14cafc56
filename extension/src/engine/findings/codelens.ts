// The few words above each Service: what kube-proxy does to its traffic, from walks.
import { ofKind, type ManifestFile, type ManifestObject } from '../manifest/manifest';
import type { SourceRange } from '../manifest/source';
import type { ClusterModel } from '../model/cluster';
import { defaultService, externallyAccessible } from '../model/service';
import { walkerFor, type Walker } from '../walk/walk';
import type { FindingsCache } from './analyze';
import { externalWalks, serviceEntryOf } from './walks';

export interface ServiceLens {
  readonly range: SourceRange;
  readonly service: string;
  readonly title: string;
}

/** With `cache` (one per document, kept by the CodeLens provider), a title is computed again only when its Service or what it depends on changed. */
export function serviceLenses(file: ManifestFile, model: ClusterModel, cache?: FindingsCache): ServiceLens[] {
  let walker: Walker | undefined;
  cache?.begin(model);
  return ofKind(file.objects, 'Service').map(obj => {
    const title = () => lensTitle(obj, model, walker ??= walkerFor(model));
    return { range: obj.range, service: `${obj.namespace}/${obj.name}`, title: cache ? cache.memo(file, obj, model, 'lens', title) : title() };
  });
}

function lensTitle(obj: ManifestObject<'Service'>, model: ClusterModel, walker: Walker): string {
  const entry = serviceEntryOf(model, obj);
  const d = defaultService(obj.object);
  if (d.headless) return 'headless: no kube-proxy NAT, clients reach pods directly';
  if (!entry || entry.ports.length === 0) return 'no kube-proxy rules';
  const endpoints = new Set(entry.ports.flatMap(p => p.endpoints.filter(e => e.ready).map(e => e.key))).size;
  const parts = [`${endpoints} ready endpoint${endpoints === 1 ? '' : 's'}`];
  if (endpoints === 0) parts.push('connections refused (REJECT)');
  if (externallyAccessible(entry.service)) {
    const walks = externalWalks(entry, model, walker.forServices([entry]));
    const dropping = walks.filter(w => w.result.verdict === 'DROP').map(w => w.node);
    const snat = walks.some(w => w.result.verdict === 'DNAT' && w.result.masquerade);
    parts.push(snat ? 'external: SNAT, client IP lost' : d.externalTrafficPolicy === 'Local' ? 'external: client IP kept' : 'external: no SNAT');
    if (dropping.length) parts.push(`drops on ${dropping.join(', ')}`);
  } else {
    parts.push('cluster-internal only');
  }
  return `NAT: ${parts.join(' · ')}`;
}
