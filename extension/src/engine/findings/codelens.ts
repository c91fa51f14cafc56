// The few words above each Service: what kube-proxy does to its traffic, rendered from its facts.
import { ofKind, type ManifestFile } from '../manifest/manifest';
import type { SourceRange } from '../manifest/source';
import type { ClusterModel } from '../model/cluster';
import { defaultService } from '../model/service';
import { serviceFacts } from '../facts/service';
import { lensTitle } from '../facts/render';
import { english, type Messages } from '../i18n';
import type { FindingsCache } from './analyze';
import { serviceEntryOf } from './walks';

export interface ServiceLens {
  readonly range: SourceRange;
  readonly service: string;
  readonly title: string;
}

/** With `cache` (one per document, kept by the CodeLens provider), a title is computed again only when its Service or what it depends on changed. */
export function serviceLenses(file: ManifestFile, model: ClusterModel, cache?: FindingsCache, m: Messages = english): ServiceLens[] {
  cache?.begin(model);
  return ofKind(file.objects, 'Service').map(obj => {
    const title = () => {
      const entry = serviceEntryOf(model, obj);
      return entry ? lensTitle(serviceFacts(entry, model), m)
        : defaultService(obj.object).headless ? m.lensHeadless() : m.lensNoRules();
    };
    return { range: obj.range, service: `${obj.namespace}/${obj.name}`, title: cache ? cache.memo(file, obj, model, 'lens', title) : title() };
  });
}
