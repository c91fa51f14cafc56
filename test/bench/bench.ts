// npm run bench: prints figures for the speed and memory targets; it asserts nothing, so a noisy
// machine cannot make the test suite flaky.
import { performance } from 'node:perf_hooks';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseManifest, type ManifestFile } from '../../extension/src/engine/manifest/manifest';
import { bareParseAllDocuments } from '../../extension/src/engine/manifest/yamlAdapter';
import { buildClusterModel, MAX_TOTAL_PODS } from '../../extension/src/engine/model/cluster';
import { buildIsolatedModel } from '../../extension/src/engine/model/isolate';
import { parseProfile, withProxyMode } from '../../extension/src/engine/model/profile';
import { buildPreviewState } from '../../extension/src/engine/preview/state';
import { entryFacts, serviceFacts, serviceWalker } from '../../extension/src/engine/facts/service';
import { singletonClasses } from '../../extension/src/engine/facts/nodeClasses';
import { generateIptables } from '../../extension/src/engine/proxy/iptables/generator';
import { generateNftables } from '../../extension/src/engine/proxy/nftables/generator';
import { generateIpvs } from '../../extension/src/engine/proxy/ipvs';
import { serviceLenses } from '../../extension/src/engine/findings/codelens';
import { hoverAt } from '../../extension/src/engine/findings/hover';
import { syntheticManifest, syntheticProfile } from './synthetic';
import { parseNodeDump } from '../../extension/src/engine/node/dump';
import { NodeInterpreter, type NodePacket } from '../../extension/src/engine/node/interpreter';
import { Walker } from '../../extension/src/engine/walk/walk';
import { analyzeFile, FindingsCache } from '../../extension/src/engine/findings/analyze';
import { main as cliMain } from '../../extension/src/cli/main';
import { sharedDir } from '../support/shared';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function time<T>(runs: number, fn: () => T): { ms: number; result: T } {
  let result!: T;
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    result = fn();
    samples.push(performance.now() - t0);
  }
  return { ms: median(samples), result };
}

const profile = parseProfile('nodeName: node-a\nnodeIPs: [192.168.0.2]\nallocate: false\nnodes: [{name: node-b, ips: [192.168.0.3]}]\n').profile;

const bigModel = () => buildClusterModel(parseManifest(syntheticManifest(10_000, 10), 'bench.yaml').objects, profile);

/**
 * Peak heaps, measured in a fresh process: a timer cannot sample the heap while synchronous work
 * runs, but V8's --trace-gc line for each collection says how much was in use before it. The child
 * prints "phase NAME starts HEAP" / "phase NAME ends HEAP CPU-MS"; peak = the largest heap seen
 * between the two (collections and the end) minus the start.
 */
function phasesInChild(env: Record<string, string>): { phases: { name: string; cpuMs: number; peak: number }[]; cut: string | undefined } {
  const r = spawnSync(process.execPath, ['--trace-gc', '--max-old-space-size=8192', ...process.execArgv, fileURLToPath(import.meta.url)],
    { env: { ...process.env, ...env }, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  const out = r.stdout ?? '';
  const phases: { name: string; cpuMs: number; peak: number }[] = [];
  for (const start of out.matchAll(/^phase (\S+) starts (\d+)$/gm)) {
    const end = new RegExp(`^phase ${start[1]} ends (\\d+) (\\d+)$`, 'm').exec(out.slice(start.index));
    if (!end) continue;
    const during = out.slice(start.index, start.index + end.index);
    const beforeCollections = [...during.matchAll(/ (\d+(?:\.\d+)?) \(\d+(?:\.\d+)?\) -> /g)].map(m => Number(m[1]) * 1048576);
    phases.push({ name: start[1]!, cpuMs: Number(end[2]), peak: Math.max(Number(end[1]), ...beforeCollections) - Number(start[2]) });
  }
  return { phases, cut: /^only \d+ Services modelled$/m.exec(out)?.[0] };
}

function phase<T>(name: string, fn: () => T): T {
  global.gc?.();
  console.log(`phase ${name} starts ${process.memoryUsage().heapUsed}`);
  const c0 = process.cpuUsage();
  const result = fn();
  const c = process.cpuUsage(c0);
  console.log(`phase ${name} ends ${process.memoryUsage().heapUsed} ${Math.round((c.user + c.system) / 1000)}`);
  return result;
}

if (process.env.NATLENS_BENCH_SCALE) {
  // one size: the parse floor, our parse + model, and each mode's generation, as the CLI runs them
  const text = syntheticManifest(Number(process.env.NATLENS_BENCH_SCALE), 10);
  phase('floor', () => bareParseAllDocuments(text));
  const model = phase('model', () => buildClusterModel(parseManifest(text, 'bench.yaml').objects, profile));
  // a limit that cut the input would make every figure below one of a smaller cluster
  if (model.services.length !== Number(process.env.NATLENS_BENCH_SCALE)) console.log(`only ${model.services.length} Services modelled`);
  phase('iptables', () => generateIptables(model).payload.length);
  phase('nftables', () => generateNftables(model).ruleset.length);
  phase('ipvs', () => generateIpvs(model).ipvsadm.length);
  process.exit(0);
}

if (process.env.NATLENS_BENCH_NODES) {
  // a profile of that many nodes: its parse next to the yaml floor, the facts of the example Services
  // (every way in through every node) in each mode, and, where it is affordable, walking every node
  const nodes = Number(process.env.NATLENS_BENCH_NODES);
  const text = syntheticProfile(nodes);
  phase('floor', () => bareParseAllDocuments(text));
  const nodesProfile = phase('profile', () => parseProfile(text).profile);
  const examples = new URL('../../examples/', import.meta.url).pathname;
  // (not clusterip-dns.yaml: its DaemonSet puts an endpoint on every node, and no two nodes are alike)
  const file = parseManifest(['loadbalancer.yaml', 'nodeport-local.yaml'].map(f => readFileSync(join(examples, f), 'utf8')).join('\n---\n'), 'examples.yaml');
  for (const mode of ['iptables', 'nftables', 'ipvs'] as const) {
    const model = buildClusterModel(file.objects, withProxyMode(nodesProfile, mode));
    phase(mode, () => model.services.reduce((n, s) => n + s.ports.reduce((k, _p, i) => k + serviceFacts(s, model, i).entries.length, 0), 0));
  }
  if (nodes <= 1000) {
    const model = buildClusterModel(file.objects, nodesProfile);
    phase('every-node', () => model.services.reduce((n, s) => n + s.ports.reduce((k, p) => k + entryFacts(p.info, model, serviceWalker(s, model), singletonClasses(model)).length, 0), 0));
  }
  process.exit(0);
}

/** NATLENS_BENCH_ONLY=editor,scale (comma-separated) runs only those parts. */
const only = process.env.NATLENS_BENCH_ONLY?.split(',');
const wanted = (part: string) => !only || only.includes(part);

// 1. Rules for 10,000 Services x 10 endpoints (generation only: the model is built beforehand).
if (wanted('rules')) {
  const model = bigModel();
  const { ms } = time(5, () => generateIptables(model).lines.length);
  global.gc?.();
  const before = process.memoryUsage().heapUsed;
  const result = generateIptables(model);
  global.gc?.();
  const retained = process.memoryUsage().heapUsed - before;
  // 3. One trace on that ruleset, once it is generated and parsed.
  const walker = new Walker(model, new Map([[profile.nodeName, result]]));
  const prepare = time(1, () => walker.rulesFor(profile.nodes[0]!));
  const request = { source: { kind: 'pod' as const, ip: '10.244.0.99', node: profile.nodeName }, dst: '10.96.39.15', dport: 80, proto: 'tcp' as const };
  walker.trace(request);
  const trace = time(51, () => walker.trace(request));
  console.log(`trace on the 10,000-Service ruleset: ${trace.ms.toFixed(2)} ms (median of 51; target < 5 ms), ` +
    `verdict ${trace.result.verdict}, ${trace.result.endpoints.length} endpoints; parsing the ruleset for walking: ${prepare.ms.toFixed(0)} ms once`);
  console.log(`iptables rules, 10,000 Services x 10 endpoints: ${ms.toFixed(0)} ms (median of 5; target < 1000 ms), ` +
    `${result.lines.length} lines, ${(result.payload.length / 1048576).toFixed(1)} MiB payload; ` +
    `retained by the result ${(retained / 1048576).toFixed(0)} MB (target < 300 MB)` +
    (global.gc ? '' : ' [run with --expose-gc for exact memory figures]'));
}

// 5. A node dump of that size: kube-proxy's restore input for the 10,000-Service ruleset read back
//    as a paste, and one `natlens node trace` through it from KUBE-SERVICES.
if (wanted('node')) {
  const saved = generateIptables(bigModel()).payload;
  const parse = time(3, () => parseNodeDump(saved));
  const interpreter = new NodeInterpreter(parse.result.iptables[0]!, parse.result.ipsets);
  const packet: NodePacket = { family: 'ip', src: '10.244.0.99', dst: '10.96.39.15', proto: 'tcp', sport: 40000, dport: 80, inIface: null, outIface: null, mark: 0, ctstate: ['NEW'], ctstatus: null, local: [], physdevIn: false, recent: [] };
  const trace = time(21, () => interpreter.run(packet, { table: 'nat', chain: 'KUBE-SERVICES' }));
  console.log(`node dump, 10,000 Services x 10 endpoints (${(saved.length / 1048576).toFixed(1)} MiB restore input): parse ${parse.ms.toFixed(0)} ms (median of 3), ` +
    `${parse.result.unknown.length} unread lines; one node trace ${trace.ms.toFixed(1)} ms (median of 21), ${trace.result.branches.length} branches`);
}

// 2. Parse + model of a 2,000-document manifest next to a bare yaml.parseAllDocuments.
if (wanted('parse')) {
  const text = syntheticManifest(1000, 3);
  const bare = time(7, () => bareParseAllDocuments(text));
  const ours = time(7, () => buildClusterModel(parseManifest(text, 'bench.yaml').objects, profile));
  console.log(`parse + model, 2,000 documents (${(text.length / 1024).toFixed(0)} KiB): ${ours.ms.toFixed(1)} ms; ` +
    `bare yaml.parseAllDocuments ${bare.ms.toFixed(1)} ms; ratio ${(ours.ms / bare.ms).toFixed(2)}x (target <= 1.3x)`);
}

// 5. natlens check over the whole real-world corpus at once (../shared/realworld) next to parsing its
//    files: the model, the walks and the rules may cost at most half as much again as the parse.
if (wanted('check')) {
  const shared = sharedDir('realworld/cluster3.yaml');
  if (!shared) {
    console.log('check over the real-world corpus: skipped, ../shared/realworld is not beside the repository');
  } else {
    const corpus = join(shared, 'realworld');
    const paths = manifestFilesUnder(join(corpus, 'files'));
    const texts = paths.map(p => [p, readFileSync(p, 'utf8')] as const);
    const parse = time(1, () => texts.map(([p, t]) => parseManifest(t, p)).length);
    const silent = { out: () => {}, err: () => {} };
    const check = time(1, () => cliMain(['check', '--format', 'json', '--cluster', join(corpus, 'cluster3.yaml'), join(corpus, 'files')], silent));
    console.log(`check over the real-world corpus, ${paths.length} files at once: ${check.ms.toFixed(0)} ms (exit ${check.result}); ` +
      `parsing them ${parse.ms.toFixed(0)} ms; ratio ${(check.ms / parse.ms).toFixed(2)}x (target < 1.5x)`);
  }
}

// 6. The editor's paths on the 2,000-document file, called the way the providers call them: after
//    each of 50 edits, the file is parsed incrementally, the model rebuilt, then diagnostics,
//    CodeLenses and a hover are computed with the caches the providers keep per document.
if (wanted('editor')) {
  // as extension/src/vscode/session.ts and providers.ts call the engine: the parse and the (isolated)
  // model built on the previous ones, the file as the workspace, one FindingsCache per provider
  const text = syntheticManifest(1000, 3);
  const cache = new FindingsCache();
  const lensCache = new FindingsCache();
  let previous = parseManifest(text, 'bench.yaml');
  let model = buildIsolatedModel(previous.objects, profile).model;
  const analyse = (file: ManifestFile) => analyzeFile(file, model, { severities: {}, workspace: [file] }, cache);
  analyse(previous);
  serviceLenses(previous, model, lensCache);
  const cpuMs = () => { const c = process.cpuUsage(); return (c.user + c.system) / 1000; };
  const c0 = cpuMs();
  const fullParse = time(3, () => bareParseAllDocuments(text)).ms;
  const fullParseCpu = (cpuMs() - c0) / 3;
  const samples = { keystroke: [] as number[], lens: [] as number[], hover: [] as number[], slice: [] as number[] };
  // where a keystroke's CPU time goes: the parse, the model, the diagnostics
  const parts = { parse: [] as number[], model: [] as number[] };
  const edit = (edited: string) => {
    const c0 = cpuMs();
    const file = parseManifest(edited, 'bench.yaml', { previous });
    const c1 = cpuMs();
    model = buildIsolatedModel(file.objects, profile, { previous: model }).model;
    parts.parse.push(c1 - c0);
    parts.model.push(cpuMs() - c1);
    previous = file;
    return file;
  };
  // CPU time too: on a shared machine wall time mostly measures the wait for a core
  const cpu = { keystroke: [] as number[], lens: [] as number[], hover: [] as number[], slice: [] as number[] };
  const timed = (path: keyof typeof samples, fn: () => unknown) => {
    const t0 = performance.now(), c = cpuMs();
    fn();
    samples[path].push(performance.now() - t0);
    cpu[path].push(cpuMs() - c);
  };
  // the edits add up, as typing does: each one changes one document of the previous version
  let current = text;
  for (let i = 0; i < 50; i++) {
    const svc = `name: svc-${(i * 37) % 1000}\n`;
    // a keystroke in a Service: its port number changes
    const portAt = current.indexOf('port: 80\n', current.indexOf(svc));
    const edited = current.slice(0, portAt) + `port: ${8000 + i}\n` + current.slice(portAt + 'port: 80\n'.length);
    timed('keystroke', () => analyse(edit(edited)));
    timed('lens', () => serviceLenses(previous, model, lensCache));
    const hoverAtOffset = edited.indexOf('type:', edited.indexOf(svc));
    timed('hover', () => hoverAt(previous, hoverAtOffset, model));
    // an edit inside the EndpointSlice of another Service: one endpoint becomes not ready
    const sliceAt = edited.indexOf(`name: svc-${(i * 53 + 11) % 1000}-x\n`);
    const readyAt = edited.indexOf('{ready: true}', sliceAt);
    const sliceEdited = edited.slice(0, readyAt) + '{ready: false}' + edited.slice(readyAt + '{ready: true}'.length);
    timed('slice', () => analyse(edit(sliceEdited)));
    current = sliceEdited;
  }
  // a busy machine inflates every figure alike: the share of a bare yaml parse of the file stays comparable
  const fmt = (path: keyof typeof samples) => {
    const wall = median(samples[path]), used = median(cpu[path]);
    return `${wall.toFixed(1)} ms (${(wall / fullParse * 100).toFixed(1)}%; CPU ${used.toFixed(1)} ms, ${(used / fullParseCpu * 100).toFixed(1)}%)`;
  };
  console.log(`editor, 2,000-document file, medians of 50 edits (in parentheses: share of a bare yaml parse of the file, ${fullParse.toFixed(0)} ms, CPU ${fullParseCpu.toFixed(0)} ms): ` +
    `keystroke to diagnostics ${fmt('keystroke')} (target <= 5 ms); ` +
    `CodeLens refresh ${fmt('lens')} (target <= 10 ms); hover ${fmt('hover')} (target <= 10 ms); ` +
    `EndpointSlice edit to diagnostics ${fmt('slice')} (target <= 20 ms); ` +
    `of an edit's CPU time: parse ${median(parts.parse).toFixed(1)} ms, model ${median(parts.model).toFixed(1)} ms, the rest diagnostics`);
}

// 7. Scale: each size in a fresh process, so peaks do not mix; CPU time, which a busy machine
//    inflates less than wall time. Targets: generation <= 300 ms at 10,000 in iptables mode, nftables
//    and IPVS within 1.5x of it; whole runs within 1.2x of the parse floor.
for (const size of wanted('scale') ? [1000, 3000, 10_000, 30_000] : []) {
  const { phases, cut } = phasesInChild({ NATLENS_BENCH_SCALE: String(size) });
  const get = (name: string) => phases.find(p => p.name === name);
  const floor = get('floor'), model = get('model');
  if (!floor || !model) { console.log(`scale ${size} Services x 10 endpoints: not measured (the child failed)`); continue; }
  if (cut) { console.log(`scale ${size} Services x 10 endpoints: ${cut}, not measured`); continue; }
  const mb = (b: number) => `${(b / 1048576).toFixed(0)} MB`;
  const modes = ['iptables', 'nftables', 'ipvs'].map(m => {
    const g = get(m);
    return g ? `${m} ${g.cpuMs} ms, peak ${mb(g.peak)}, run ${((model.cpuMs + g.cpuMs) / floor.cpuMs).toFixed(2)}x floor` : `${m} failed`;
  });
  console.log(`scale ${size} Services x 10 endpoints (CPU time): parse floor ${floor.cpuMs} ms (peak ${mb(floor.peak)}); ` +
    `parse + model ${model.cpuMs} ms (peak ${mb(model.peak)}); generation: ${modes.join('; ')}`);
}

// 8. Wide Services, the fuzz phase's two slow shapes (seed 20261202, inputs 205 and 1369): a
//    Deployment at the pod cap (MAX_TOTAL_PODS) behind a NodePort (analyzeFile, which walks every way in with
//    every endpoint), and two EndpointSlices of 499 endpoints each on four nodes (buildPreviewState,
//    built, then rebuilt with a trace, as the preview does). CPU time per call, in each mode.
if (wanted('wide')) {
  const cpuMs = (fn: () => unknown) => { const c0 = process.cpuUsage(); fn(); const c = process.cpuUsage(c0); return Math.round((c.user + c.system) / 1000); };
  const scaled = `apiVersion: v1
kind: Service
metadata: { name: rep, namespace: shop }
spec:
  type: NodePort
  clusterIP: 10.96.0.87
  selector: { app: good }
  ports: [{ name: http, port: 80, targetPort: http, nodePort: 30087 }]
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: good, namespace: shop }
spec:
  replicas: 1000000
  selector: { matchLabels: { app: good } }
  template:
    metadata: { labels: { app: good } }
    spec: { containers: [{ name: c, image: nginx, ports: [{ name: http, containerPort: 8080 }] }] }
`;
  const slice = (service: string, n: number, from: number) => `apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: { name: ${service}-1, namespace: ns, labels: { kubernetes.io/service-name: ${service} } }
addressType: IPv4
ports: [{ name: p80, port: 80, protocol: TCP }]
endpoints:
${Array.from({ length: n }, (_, i) => `  - addresses: ["10.${from}.${i % 256}.${Math.floor(i / 256)}"]`).join('\n')}
`;
  const sliced = [1, 2].map(i => `apiVersion: v1
kind: Service
metadata: { name: svc${i}, namespace: ns }
spec: { type: ClusterIP, clusterIP: 172.30.0.4${i}, ports: [{ name: p80, port: 80, protocol: TCP }] }
---
${slice(`svc${i}`, 499, i - 1)}`).join('---\n');
  const fourNodes = parseProfile(`nodeName: node-a
nodes:
${['a', 'b', 'c', 'd'].map((n, i) => `  - { name: node-${n}, ips: [192.168.0.${2 + i}], podCIDR: 10.244.${i}.0/24 }`).join('\n')}
`).profile;
  const modes = ['iptables', 'nftables', 'ipvs'] as const;
  const analyzed = modes.map(mode => {
    const file = parseManifest(scaled, 'scaled.yaml');
    const model = buildClusterModel(file.objects, withProxyMode(parseProfile('nodeName: node-a\n').profile, mode));
    return `${mode} ${cpuMs(() => analyzeFile(file, model, { workspace: [file] }))} ms`;
  });
  const previewed = modes.map(mode => {
    const file = parseManifest(sliced, 'sliced.yaml');
    const model = buildClusterModel(file.objects, withProxyMode(fourNodes, mode));
    const input = { fileName: file.fileName, services: model.services, model, profileSource: 'bench', problems: [] };
    const selection = { service: 'ns/svc1', port: 0, node: 'node-a', mode, format: 'restore' as const };
    let first!: ReturnType<typeof buildPreviewState>;
    const built = cpuMs(() => { first = buildPreviewState(input, { ...selection, trace: null }); });
    const traced = cpuMs(() => buildPreviewState(input, { ...selection, trace: { source: first.sources[0]!.id, entry: first.entries[0]!.id } }));
    return `${mode} ${built} + ${traced} ms`;
  });
  console.log(`wide Services (CPU time per call; the fuzz phase allows 2 s): analyzeFile, one Deployment at the ${MAX_TOTAL_PODS}-pod cap behind a NodePort: ${analyzed.join(', ')}; ` +
    `buildPreviewState, two EndpointSlices of 499 endpoints on four nodes (built + rebuilt with a trace): ${previewed.join(', ')}`);
}

// 9. Nodes: a profile of 1,000 and of 10,000 nodes, each in a fresh process. The facts walk one node of
//    each class of alike nodes (facts/nodeClasses.ts); at 1,000 nodes walking every node is timed too.
//    Targets: each mode's facts within the 2 s call budget at 10,000 nodes; the parse near the yaml floor.
for (const nodes of wanted('nodes') ? [1000, 10_000] : []) {
  const { phases } = phasesInChild({ NATLENS_BENCH_NODES: String(nodes) });
  const get = (name: string) => phases.find(p => p.name === name);
  const floor = get('floor'), parsed = get('profile');
  if (!floor || !parsed) { console.log(`profile of ${nodes} nodes: not measured (the child failed)`); continue; }
  const mb = (b: number) => `${(b / 1048576).toFixed(0)} MB`;
  const modes = ['iptables', 'nftables', 'ipvs'].map(m => { const g = get(m); return g ? `${m} ${g.cpuMs} ms (peak ${mb(g.peak)})` : `${m} failed`; });
  const every = get('every-node');
  console.log(`profile of ${nodes} nodes (CPU time): parse ${parsed.cpuMs} ms (bare yaml parse ${floor.cpuMs} ms, peak ${mb(parsed.peak)}); ` +
    `facts of the LoadBalancer and NodePort examples, every way in through every node: ${modes.join('; ')}` +
    (every ? `; walking every node instead (iptables): ${every.cpuMs} ms (peak ${mb(every.peak)})` : ''));
}

function manifestFilesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap(e => {
    const path = join(dir, e.name);
    return e.isDirectory() ? manifestFilesUnder(path) : /\.(ya?ml|json)$/.test(e.name) ? [path] : [];
  });
}
