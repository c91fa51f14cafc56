// Objects of the same kind, namespace and name in several files (variants of one install, a base and
// its copy). The model keeps the first, as an apply keeps one object; each file with copies says so
// once per file it repeats.
import type { DuplicateObject } from '../../model/cluster';
import type { FileRule } from './types';

export const duplicateObject: FileRule<'duplicate-object'> = {
  id: 'duplicate-object',
  subject: 'File',
  meta: {
    title: 'The same object in several files: modelled once',
    severity: 'information',
    category: 'nat',
    docs: `Objects of the same kind, namespace and name are defined in several of the files given
(variants of one install, a base and its copy). An apply keeps one of them, and NAT Lens models each
once, from its first definition, where its findings are reported; the copies are not analysed for NAT,
so a repository checked at once does not count endpoints or findings twice.`,
  },
  check({ file, model }) {
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
        subject: `${obj.namespace}/${obj.name}`,
        range: obj.rangeOf(['metadata', 'name']) ?? obj.range,
        message: `${copies.length === 1 ? `${listed} is` : `${copies.length} objects (${listed}) are`} also defined ${where}: ` +
          'NAT Lens models each once, from that first definition, and reports its findings there; the copies here are not analysed for NAT.',
        fixes: [],
      };
    });
  },
};
