// duplicate-object: objects of the same kind, namespace and name in several files (variants of one
// install, a base and its copy). The model keeps the first, as an apply keeps one object; each file
// with copies says so once per file it repeats.
import type { ManifestFile } from '../../manifest/manifest';
import type { ClusterModel, DuplicateObject } from '../../model/cluster';
import type { Draft } from '../analyze';

export function duplicateObjectFindings(file: ManifestFile, model: ClusterModel): (Draft & { subject: string })[] {
  const byFirstFile = new Map<string, DuplicateObject[]>();
  for (const d of model.duplicates) {
    if (d.obj.fileName !== file.fileName) continue;
    (byFirstFile.get(d.first.fileName) ?? byFirstFile.set(d.first.fileName, []).get(d.first.fileName)!).push(d);
  }
  return [...byFirstFile].map(([firstFile, copies]) => {
    const { obj, first } = copies[0]!;
    const names = copies.map(c => `${c.obj.kind} ${c.obj.namespace}/${c.obj.name}`);
    const listed = names.length <= 4 ? names.join(', ') : `${names.slice(0, 3).join(', ')} and ${names.length - 3} more`;
    const where = firstFile === file.fileName ? `earlier in this file (line ${first.range.start.line + 1})` : `in ${firstFile}`;
    return {
      rule: 'duplicate-object' as const,
      subject: `${obj.namespace}/${obj.name}`,
      range: obj.rangeOf(['metadata', 'name']) ?? obj.range,
      message: `${copies.length === 1 ? `${listed} is` : `${copies.length} objects (${listed}) are`} also defined ${where}: ` +
        'NAT Lens models each once, from that first definition, and reports its findings there; the copies here are not analysed for NAT.',
      fixes: [],
    };
  });
}
