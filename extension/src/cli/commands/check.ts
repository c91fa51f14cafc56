// natlens check: the editor's diagnostics for CI, as text, JSON or SARIF.
import { analyzeFile } from '../../engine/findings/analyze';
import { formatText, toReported, toSarif } from '../../engine/findings/report';
import { UsageError } from '../args';
import { CLUSTER, MODE, VERBOSE, loadModel, type Command } from '../command';
import { VERSION } from '../version';

export const check: Command = {
  name: 'check',
  summary: "The editor's diagnostics for CI",
  description: `The editor's diagnostics for CI: API-invalid Services (the API server's wording) and NAT
consequences (client IP lost, Local-policy drops, selectors that match nothing, ...).
Exit 1 when a finding has severity error, 0 otherwise.`,
  options: [CLUSTER, MODE, { name: 'format', value: 'text|json|sarif', help: 'the report form (default text)' }, VERBOSE],
  run(args, io) {
    const format = args.flags.get('format') ?? 'text';
    if (format !== 'text' && format !== 'json' && format !== 'sarif') throw new UsageError('--format is text, json or sarif');
    const loaded = loadModel(args, 'check', io);
    if (!loaded) return 2;
    const findings = loaded.files.flatMap(file => analyzeFile(file, loaded.model, { workspace: loaded.files }).map(f => toReported(file.fileName, f)));
    if (format === 'json') io.out(JSON.stringify(findings, null, 2) + '\n');
    else if (format === 'sarif') io.out(JSON.stringify(toSarif(findings, VERSION), null, 2) + '\n');
    else io.out(formatText(findings));
    return findings.some(f => f.severity === 'error') ? 1 : 0;
  },
};
