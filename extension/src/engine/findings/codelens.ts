// The few words above each Service: what kube-proxy does to its traffic, rendered from its facts.
import { ofKind, type ManifestFile } from '../manifest/manifest';
import type { SourceRange } from '../manifest/source';
import type { ClusterModel } from '../model/cluster';
import { defaultService } from '../model/service';
import { serviceFacts } from '../facts/service';
import { lensTitle } from '../facts/render';
import { serviceEntryOf } from './walks';

export interface ServiceLens {
  readonly range: SourceRange;
  readonly service: string;
  readonly title: string;
}

export function serviceLenses(file: ManifestFile, model: ClusterModel): ServiceLens[] {
  return ofKind(file.objects, 'Service').map(obj => {
    const entry = serviceEntryOf(model, obj);
    const service = `${obj.namespace}/${obj.name}`;
    const title = entry ? lensTitle(serviceFacts(entry, model))
      : defaultService(obj.object).headless ? 'headless: no kube-proxy NAT, clients reach pods directly' : 'no kube-proxy rules';
    return { range: obj.range, service, title };
  });
}
