// natlens explain: what the editor says about a Service (the hover, the CodeLens, the findings),
// rendered from the same facts, on the terminal.
import { ofKind, type ManifestObject } from '../../engine/manifest/manifest';
import { analyzeFile } from '../../engine/findings/analyze';
import { hoverAt, hoverMarkdown, serviceHover } from '../../engine/findings/hover';
import { toReported } from '../../engine/findings/report';
import { serviceEntryOf } from '../../engine/findings/walks';
import { serviceFacts, type EntryFact } from '../../engine/facts/service';
import { lensTitle, serviceSummary } from '../../engine/facts/render';
import { UsageError } from '../args';
import { CLUSTER, LANG, MODE, NODE, loadModel, messagesOf, type Command } from '../command';

export const explain: Command = {
  name: 'explain',
  summary: 'What the editor shows for a Service: its hover, CodeLens and findings',
  description: `What the editor shows for a Service, from the same facts: with --at LINE:COL the hover of the
field there, without it the Service's summary (the hover on \`kind: Service\`).
--format json prints the facts: the CodeLens text, the summary, every way in (client, node,
address) with its verdict and endpoints (probability, masquerade, the source each endpoint sees,
whether the reply is lost), the same walks \`natlens trace --json\` gives, and the findings as
\`natlens check --format json\` reports them. --node keeps the ways in through that node.`,
  options: [
    CLUSTER, MODE, NODE, LANG,
    { name: 'service', value: 'NS/NAME', help: 'the Service (default: the one at --at, or the only one in the files)' },
    { name: 'at', value: 'LINE:COL', help: 'a position in the first FILE (1-based), as an editor shows it' },
    { name: 'format', value: 'markdown|json', help: 'the output form (default markdown)' },
  ],
  run(args, io) {
    const m = messagesOf(args, io);
    const format = args.flags.get('format') ?? 'markdown';
    if (format !== 'markdown' && format !== 'json') throw new UsageError('--format is markdown or json');
    const at = args.flags.get('at') as string | undefined;
    const position = at === undefined ? null : /^(\d+):(\d+)$/.exec(at);
    if (at !== undefined && (!position || Number(position[1]) < 1 || Number(position[2]) < 1)) throw new UsageError(`--at ${at}: expected LINE:COL, both from 1`);
    const loaded = loadModel(args, 'explain', io);
    if (!loaded) return 2;
    const { model, files } = loaded;
    const first = files[0]!;
    const offset = position ? first.lines.offsetAt(Number(position[1]) - 1, Number(position[2]) - 1) : null;
    const wanted = args.flags.get('service') as string | undefined;
    const services = files.flatMap(f => ofKind(f.objects, 'Service').map(obj => ({ file: f, obj })));
    const named = (o: ManifestObject<'Service'>) => `${o.namespace}/${o.name}`;
    const candidates = services.filter(s => (wanted ? named(s.obj) === wanted : offset === null || (s.file === first && s.obj.range.start.offset <= offset && offset <= s.obj.range.end.offset)));
    if (candidates.length === 0) throw new UsageError(wanted ? `explain: no Service ${wanted} in the files` : offset !== null ? `explain: no Service at ${at}` : 'explain: no Service in the files');
    if (candidates.length > 1) throw new UsageError(`explain: several Services (${candidates.map(s => named(s.obj)).join(', ')}): choose one with --service`);
    const { file, obj } = candidates[0]!;
    const entry = serviceEntryOf(model, obj);
    if (!entry) throw new UsageError(`explain: ${named(obj)} has no kube-proxy model`);
    const node = loaded.nodeName;

    if (format === 'markdown') {
      const hover = offset !== null && file === first ? hoverAt(file, offset, model, m) : serviceHover(obj, entry, model, m);
      if (!hover) throw new UsageError(`explain: nothing to explain at ${at} (hovers cover kind and the Service's NAT-related spec fields)`);
      io.out(hoverMarkdown(hover));
      return 0;
    }
    const facts = serviceFacts(entry, model);
    const entries = facts.entries.filter(e => node === undefined || e.node === node).map(entryJson);
    const findings = analyzeFile(file, model, { workspace: files }).filter(f => f.service === named(obj)).map(f => toReported(file.fileName, f));
    io.out(JSON.stringify({ service: facts.service, mode: facts.mode, lens: lensTitle(facts, m), summary: serviceSummary(facts, m), entries, findings }, null, 2) + '\n');
    return 0;
  },
};

function entryJson(e: EntryFact) {
  return {
    client: e.client, source: e.source, node: e.node, via: e.via, address: e.address, verdict: e.verdict,
    endpoints: e.endpoints.map(p => ({ endpoint: p.endpoint, node: p.node, probability: p.probability, masquerade: p.masquerade, sourceSeen: p.sourceSeen, replyBroken: p.replyBroken })),
  };
}
