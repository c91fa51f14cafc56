// Drives every engine entry point a shell uses (CLI, extension, preview) over one manifest text and
// one profile, and reports what a user must never see: an exception, a call over the time budget,
// `[object Object]` in any output, or rule text that does not parse back into the rule it came from.
import { availableParallelism, loadavg } from 'node:os';
import { parseAllDocuments } from 'yaml';
import { parseManifest, ofKind } from '../../extension/src/engine/manifest/manifest';
import { parseProfile, withProxyMode, DEFAULT_PROFILE, type ClusterProfile, type ProxyMode } from '../../extension/src/engine/model/profile';
import { buildClusterModel, type ClusterModel } from '../../extension/src/engine/model/cluster';
import { analyzeFile } from '../../extension/src/engine/findings/analyze';
import { hoverAt } from '../../extension/src/engine/findings/hover';
import { serviceLenses } from '../../extension/src/engine/findings/codelens';
import { generateIptables } from '../../extension/src/engine/proxy/iptables/generator';
import { toIptablesSave } from '../../extension/src/engine/proxy/iptables/save';
import { parseRule } from '../../extension/src/engine/proxy/iptables/ruleParser';
import { generateNftables } from '../../extension/src/engine/proxy/nftables/generator';
import { generateIpvs } from '../../extension/src/engine/proxy/ipvs';
import { debugCommands, formatDebugText } from '../../extension/src/engine/debug';
import { egressDeciderFor, egressHoverAt } from '../../extension/src/engine/egress';
import { Walker } from '../../extension/src/engine/walk/walk';
import { entryChoices, requestFor, sourceChoices } from '../../extension/src/engine/walk/choices';
import { formatReturning, formatWalk } from '../../extension/src/engine/walk/format';
import { buildPreviewState } from '../../extension/src/engine/preview/state';

export interface Failure {
  readonly call: string;
  readonly kind: 'exception' | 'slow' | 'object-object' | 'round-trip';
  readonly detail: string;
}

export interface PipelineOptions {
  /** Milliseconds one call may take. */
  readonly budgetMs?: number;
  /** Hover offsets to try (default: a spread over the text). */
  readonly hoverSamples?: number;
  /** Walks per Service port (sources × entries are sampled, not all run). */
  readonly walksPerPort?: number;
  /** Called with each call's name and duration (for profiling a slow input). */
  readonly onCall?: (name: string, ms: number) => void;
}

/**
 * The 2 s a call may take, stretched by how overloaded the machine is (CI and shared hosts run many
 * jobs per core): a slow call is a finding only when it is slow on an idle machine too.
 */
export function timeBudget(base = 2000): number {
  return base * Math.max(1, loadavg()[0]! / availableParallelism());
}

const MODES: readonly ProxyMode[] = ['iptables', 'nftables', 'ipvs'];

/**
 * The yaml package's own parse of the text, the slower of two: on a 1 MB text one parse varies by half
 * with where the garbage collector's pauses fall, and one lucky sample would fail NAT Lens's parse for
 * the pauses it happened to take.
 */
function timeBareParse(text: string): number {
  return Math.max(...[0, 1].map(() => {
    const start = performance.now();
    // the engine's options: with pretty errors the package is quadratic on a text of many broken tokens
    parseAllDocuments(text, { prettyErrors: false, strict: false, uniqueKeys: false, keepSourceTokens: false });
    return performance.now() - start;
  }));
}

export function runPipeline(text: string, profileText: string | null, options: PipelineOptions = {}): { failures: Failure[]; calls: number; outputs: string[] } {
  const budget = options.budgetMs ?? timeBudget();
  const failures: Failure[] = [];
  const outputs: string[] = [];
  let calls = 0;
  // the yaml library's own parse of the text, timed only once some call ran over the budget: a huge
  // input may take the library itself nearly 2 s, and NAT Lens is held to 1.5× that floor instead
  let floor: number | undefined;
  const allowed = () => Math.max(budget, 1.5 * (floor ??= timeBareParse(text)));
  const call = <T>(name: string, fn: () => T): T | undefined => {
    // after one slow call the input has failed; the rest would only take longer
    if (failures.some(f => f.kind === 'slow')) return undefined;
    calls++;
    const start = performance.now();
    try {
      const value = fn();
      const took = performance.now() - start;
      options.onCall?.(name, took);
      if (took > budget && took > allowed()) failures.push({ call: name, kind: 'slow', detail: `${took.toFixed(0)} ms` });
      const shown = typeof value === 'string' ? value : safeJson(value);
      if (shown.includes('[object Object]')) failures.push({ call: name, kind: 'object-object', detail: excerpt(shown, '[object Object]') });
      outputs.push(shown);
      return value;
    } catch (e) {
      failures.push({ call: name, kind: 'exception', detail: e instanceof Error ? `${e.name}: ${e.message}` : String(e) });
      return undefined;
    }
  };

  const profileResult = profileText === null ? { profile: DEFAULT_PROFILE, problems: [] } : call('parseProfile', () => parseProfile(profileText, 'profile.yaml'));
  const profile: ClusterProfile = profileResult?.profile ?? DEFAULT_PROFILE;
  const file = call('parseManifest', () => parseManifest(text, 'input.yaml'));
  if (!file) return { failures, calls, outputs };
  const files = [file];
  const egress = call('egressDeciderFor', () => egressDeciderFor(files, profile));
  for (const mode of MODES) {
    const modeProfile = withProxyMode(profile, mode);
    const model = call(`buildClusterModel:${mode}`, () => buildClusterModel(file.objects, modeProfile));
    if (!model) continue;
    call(`analyzeFile:${mode}`, () => analyzeFile(file, model, { workspace: files }));
    call(`serviceLenses:${mode}`, () => serviceLenses(file, model));
    const samples = options.hoverSamples ?? 24;
    for (let i = 0; i < samples; i++) {
      const offset = Math.floor((text.length * i) / samples);
      call(`hoverAt:${mode}@${offset}`, () => hoverAt(file, offset, model));
      if (mode === 'iptables') call(`egressHoverAt@${offset}`, () => egressHoverAt(file, offset, { profile: modeProfile, files }));
    }
    rules(model, mode, call, failures);
    walks(model, mode, egress, call, options.walksPerPort ?? 3);
    for (const s of model.services) {
      call(`debugCommands:${mode}`, () => formatDebugText(debugCommands(model, s, { nodeName: modeProfile.nodeName, proxyMode: mode })));
      const services = model.services.filter(x => x.obj.fileName === file.fileName);
      call(`buildPreviewState:${mode}`, () => {
        const base = { service: `${s.obj.namespace}/${s.obj.name}`, port: 0, node: modeProfile.nodeName, mode, format: 'restore' as const };
        const first = buildPreviewState({ fileName: file.fileName, services, model, profileSource: 'fuzz', problems: [] }, { ...base, trace: null });
        const source = first.sources[0], entry = first.entries[0];
        return source && entry ? buildPreviewState({ fileName: file.fileName, services, model, profileSource: 'fuzz', problems: [], ...(egress ? { egress } : {}) }, { ...base, trace: { source: source.id, entry: entry.id } }) : first;
      });
      break;
    }
  }
  return { failures, calls, outputs };
}

type Call = <T>(name: string, fn: () => T) => T | undefined;

function rules(model: ClusterModel, mode: ProxyMode, call: Call, failures: Failure[]): void {
  const nodeName = model.profile.nodeName;
  if (mode === 'iptables') {
    const ruleset = call('generateIptables', () => generateIptables(model, { nodeName }));
    if (!ruleset) return;
    call('toIptablesSave', () => toIptablesSave(ruleset, model.profile.ipFamily));
    // every rule parses back, and a rule written for a Service carries that Service's comment and no other
    call('iptables round trip', () => {
      ruleset.lines.forEach((line, i) => {
        if (!line.text.startsWith('-A ')) return;
        const rule = parseRule(line.table ?? 'nat', line.text, i);
        const comments = rule.matches.filter(m => m.module === 'comment').flatMap(m => m.options.map(o => o.values.join(' ')));
        if (line.service && (comments.length > 1 || (comments[0] !== undefined && !comments[0].includes(line.service)))) {
          failures.push({ call: 'iptables round trip', kind: 'round-trip', detail: line.text });
        }
      });
      return ruleset.lines.length;
    });
  } else if (mode === 'nftables') {
    const nft = call('generateNftables', () => generateNftables(model, { nodeName }));
    call('nftables text', () => nft && `${nft.ruleset}\n${nft.script}`);
  } else {
    call('generateIpvs', () => { const r = generateIpvs(model, { nodeName }); return `${r.ipvsadm}\n${r.ipsetSave}\n${r.iptables.payload}`; });
  }
}

function walks(model: ClusterModel, mode: ProxyMode, egress: ReturnType<typeof egressDeciderFor> | undefined, call: Call, perPort: number): void {
  const walker = call(`Walker:${mode}`, () => new Walker(model, new Map(), mode, egress));
  if (!walker) return;
  for (const s of model.services) {
    s.ports.forEach((p, portIndex) => {
      const sources = call('sourceChoices', () => sourceChoices(model, s, portIndex)) ?? [];
      const entries = call('entryChoices', () => entryChoices(model, s, portIndex)) ?? [];
      for (let i = 0; i < Math.min(perPort, sources.length * entries.length); i++) {
        const source = sources[i % sources.length]!, entry = entries[(i * 7) % entries.length]!;
        const request = requestFor(source, entry, p.info.protocol.toLowerCase() as 'tcp');
        call(`trace:${mode}`, () => formatWalk(walker.trace(request)));
        if (i === 0) call(`trace --again:${mode}`, () => formatReturning(walker.returning(request)));
      }
    });
  }
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value, (_k, v) => (v instanceof Map || v instanceof Set ? [...v] : typeof v === 'function' ? undefined : v)) ?? '';
  } catch {
    return '';
  }
}

function excerpt(text: string, needle: string): string {
  const i = text.indexOf(needle);
  return text.slice(Math.max(0, i - 80), i + needle.length + 40);
}

export { ofKind };
