// Objects of the same kind, namespace and name in several files (variants of one install, a base and
// its copy). The model keeps the first, as an apply keeps one object; a file with copies says so once.
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
  check({ file, model, m }) {
    const copies = model.duplicates.filter(d => d.obj.fileName === file.fileName);
    if (copies.length === 0) return [];
    const { obj, first } = copies[0]!;
    const objects = copies.map(c => `${c.obj.kind} ${c.obj.namespace}/${c.obj.name}`);
    const firstFiles = [...new Set(copies.map(c => c.first.fileName))];
    const where = firstFiles.length === 1 && firstFiles[0] === file.fileName ? { kind: 'same-file' as const, line: first.range.start.line + 1 }
      : firstFiles.length === 1 ? { kind: 'file' as const, file: firstFiles[0]! }
      : { kind: 'files' as const, n: firstFiles.length, first: firstFiles[0]! };
    return [{
      subject: `${obj.namespace}/${obj.name}`,
      range: obj.rangeOf(['metadata', 'name']) ?? obj.range,
      message: m.ruleDuplicateObject({ objects, where }),
      fixes: [],
    }];
  },
};
