// natlens check: the editor's diagnostics for CI, as text, JSON or SARIF.
import { analyzeFile } from '../../engine/findings/analyze';
import { formatText, internalErrorReported, problemToReported, toReported, toSarif, type ReportedFinding } from '../../engine/findings/report';
import { modelNote } from '../../engine/model/assumptions';
import { notModelledProblem, type ExcludedObject } from '../../engine/model/isolate';
import { UsageError } from '../args';
import { CLUSTER, LANG, MODE, VERBOSE, buildModel, messagesOf, readInput, type Command } from '../command';
import { formatProblem } from '../load';
import { renderKustomization } from '../kustomize';
import { sourceOf } from '../../engine/manifest/kustomize';
import type { ManifestFile } from '../../engine/manifest/manifest';
import type { ParsedArgs } from '../args';
import type { CliIO } from '../command';
import { VERSION } from '../version';

export const check: Command = {
  name: 'check',
  summary: "The editor's diagnostics for CI",
  description: `The editor's diagnostics for CI: API-invalid Services (the API server's wording) and NAT
consequences (client IP lost, Local-policy drops, selectors that match nothing, ...).
A file that cannot be read or parsed is a finding of its own (in every format) and the
other files are still analysed; a kustomization.yaml applies its namespace and namePrefix
to the resources it lists. Exit 1 when a finding has severity error, 0 otherwise; 3 when
natlens failed on a file (its finding says so, the others are reported).`,
  options: [
    CLUSTER, MODE, { name: 'format', value: 'text|json|sarif', help: 'the report form (default text)' },
    { name: 'kustomize', help: 'FILE... are kustomization directories: render each with kubectl kustomize, report at the source files' },
    LANG, VERBOSE,
  ],
  run(args, io) {
    const messages = messagesOf(args, io);
    const format = args.flags.get('format') ?? 'text';
    if (format !== 'text' && format !== 'json' && format !== 'sarif') throw new UsageError('--format is text, json or sarif');
    // check never gives up on the files: only an unusable profile stops it
    const input = args.flags.has('kustomize') ? renderedInput(args, io) : { ...readInput(args, 'check', io), sourcesOf: () => null };
    const verbose = args.flags.has('verbose');
    const profileProblems = input.problems.filter(p => p.file === args.flags.get('cluster'));
    for (const { file, problem } of profileProblems) if (problem.severity !== 'info' || verbose) io.err(formatProblem(file, problem, messages) + '\n');
    if (profileProblems.some(p => p.problem.severity === 'error')) return 2;
    // an object the model had to leave out is natlens failing on it: reported at the object, exit 3
    const excluded: ExcludedObject[] = [];
    const model = buildModel(input, args, io, e => excluded.push(e));
    const note = modelNote(model, messages);
    if (note) io.err(`natlens: note: ${note}\n`);
    let failed = excluded.length > 0;
    const findings = input.files.flatMap((file): ReportedFinding[] => {
      const problems = [...file.problems.filter(p => p.severity !== 'info' || verbose), ...excluded.filter(e => e.obj.fileName === file.fileName).map(notModelledProblem)]
        .map(p => problemToReported(file.fileName, p, messages));
      try {
        const sources = input.sourcesOf(file);
        return [...problems, ...analyzeFile(file, model, { workspace: input.files, messages }).map(f => {
          const at = sources ? sourceOf(file, f.range.start.offset, sources) : null;
          return at ? toReported(at.fileName, { ...f, range: at.range }) : toReported(file.fileName, f);
        })];
      } catch (e) {
        failed = true;
        return [...problems, internalErrorReported(file.fileName, e)];
      }
    });
    if (format === 'json') io.out(JSON.stringify(findings, null, 2) + '\n');
    else if (format === 'sarif') io.out(JSON.stringify(toSarif(findings, VERSION), null, 2) + '\n');
    else io.out(formatText(findings));
    return failed ? 3 : findings.some(f => f.severity === 'error') ? 1 : 0;
  },
};

/** The renderings of the kustomization directories given, each with the source files its findings map back to. */
function renderedInput(args: ParsedArgs, io: CliIO) {
  const input = readInput({ ...args, positional: [] as string[] }, 'check', io, { allowNoFiles: true });
  if (args.positional.length === 0) throw new UsageError('check --kustomize: give at least one kustomization DIR');
  const renderings = args.positional.map(renderKustomization);
  return {
    ...input,
    files: renderings.map(r => r.rendered),
    sourcesOf: (file: ManifestFile) => renderings.find(r => r.rendered === file)?.sources ?? null,
  };
}
