// Builds the contexts rule checks run in: field ranges and the quick fixes several rules offer.
import type { ManifestFile, ManifestObject } from '../../manifest/manifest';
import type { SourceRange } from '../../manifest/source';
import type { ClusterModel, ServiceEntry } from '../../model/cluster';
import { defaultService } from '../../model/service';
import type { Walker } from '../../walk/walk';
import { removeField, setField } from '../edits';
import { serviceFacts } from '../../facts/service';
import type { Fix, ServiceContext, ServiceNatContext } from './types';
import { english, type Messages } from '../../i18n';

/** Go field.Invalid value formatting, as the API server's messages show values: strings quoted, numbers bare. */
export function goValue(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

export function serviceContext(obj: ManifestObject<'Service'>, file: ManifestFile, model: ClusterModel, workspace: readonly ManifestFile[] = [file], m: Messages = english): ServiceContext {
  return {
    obj, file, model, workspace, m,
    spec: obj.object.spec ?? {},
    defaulted: defaultService(obj.object),
    at: (path, part = 'value') => obj.rangeOf([...path], part) ?? obj.rangeOf(['spec'], 'key') ?? obj.range,
    remove: (title, path, preferred = true) => {
      const e = removeField(obj, file.lines, [...path]);
      return e ? [{ title, edits: [e], preferred, kind: 'quickfix' }] : [];
    },
    setType: type => {
      const e = setField(obj, ['spec'], 'type', type);
      return e ? [{ title: m.fixChangeType({ type }), edits: [e], preferred: false, kind: 'quickfix' }] : [];
    },
    portRange: i => obj.rangeOf(['spec', 'ports', i, 'port'], 'key') ?? obj.rangeOf(['spec', 'ports', i]) ?? obj.range,
  };
}

export function serviceNatContext(base: ServiceContext, entry: ServiceEntry, walker: Walker): ServiceNatContext {
  return {
    ...base, entry, walker,
    facts: () => serviceFacts(entry, base.model),
    setPolicy: (value, title, preferred): Fix[] => {
      const e = setField(base.obj, ['spec'], 'externalTrafficPolicy', value);
      return e ? [{ title, edits: [e], preferred, kind: 'quickfix' }] : [];
    },
  };
}

/** Where findings about external traffic point: externalTrafficPolicy, else the type, else externalIPs. */
export function externalPolicyRange(obj: ManifestObject<'Service'>): SourceRange {
  return obj.rangeOf(['spec', 'externalTrafficPolicy']) ?? obj.rangeOf(['spec', 'type']) ?? obj.rangeOf(['spec', 'externalIPs'], 'key') ?? obj.rangeOf(['spec'], 'key') ?? obj.range;
}
