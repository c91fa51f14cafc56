// The few words above each Service: what kube-proxy does to its traffic, from walks.
import { ofKind, type ManifestFile } from '../manifest/manifest';
import type { SourceRange } from '../manifest/source';
import type { ClusterModel } from '../model/cluster';
import { defaultService, externallyAccessible } from '../model/service';
import { walkerFor } from '../walk/walk';
import { externalWalks, serviceEntryOf } from './walks';

export interface ServiceLens {
  readonly range: SourceRange;
  readonly service: string;
  readonly title: string;
}

export function serviceLenses(file: ManifestFile, model: ClusterModel): ServiceLens[] {
  const walker = walkerFor(model);
  return ofKind(file.objects, 'Service').map(obj => {
    const entry = serviceEntryOf(model, obj);
    const range = obj.range;
    const service = `${obj.namespace}/${obj.name}`;
    const d = defaultService(obj.object);
    if (d.headless) return { range, service, title: 'headless: no kube-proxy NAT, clients reach pods directly' };
    if (!entry || entry.ports.length === 0) return { range, service, title: 'no kube-proxy rules' };
    const endpoints = new Set(entry.ports.flatMap(p => p.endpoints.filter(e => e.ready).map(e => e.key))).size;
    const parts = [`${endpoints} ready endpoint${endpoints === 1 ? '' : 's'}`];
    if (endpoints === 0) parts.push('connections refused (REJECT)');
    if (externallyAccessible(entry.service)) {
      const walks = externalWalks(entry, model, walker);
      const dropping = walks.filter(w => w.result.verdict === 'DROP').map(w => w.node);
      const snat = walks.some(w => w.result.verdict === 'DNAT' && w.result.masquerade);
      parts.push(snat ? 'external: SNAT, client IP lost' : d.externalTrafficPolicy === 'Local' ? 'external: client IP kept' : 'external: no SNAT');
      if (dropping.length) parts.push(`drops on ${dropping.join(', ')}`);
    } else {
      parts.push('cluster-internal only');
    }
    return { range, service, title: `NAT: ${parts.join(' · ')}` };
  });
}
