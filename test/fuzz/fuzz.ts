// The fuzz phase: seeded, time-bounded mutations of the repository's own manifests and profiles,
// generated objects and hostile strings, each run through every engine entry point (pipeline.ts).
// Prints its seed and counts, and one "N passed, N failed" line (one test per input).
//   node --import tsx test/fuzz/fuzz.ts [--seed N] [--seconds S] [--only N]
// --only N runs input N of the seed alone (the inputs before it are generated, not run), to reproduce a failure.
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';
import { runPipeline, timeBudget, type Failure } from './pipeline';

const root = new URL('../../', import.meta.url).pathname;
const arg = (name: string) => { const i = process.argv.indexOf(`--${name}`); return i > 0 ? process.argv[i + 1] : undefined; };
// CI runs one fixed seed, so a red run is the same run again; elsewhere each run explores a new one
const seed = Number(arg('seed') ?? process.env['NATLENS_FUZZ_SEED'] ?? (process.env['CI'] ? 20261202 : Date.now() % 1_000_000));
const seconds = Number(arg('seconds') ?? process.env['NATLENS_FUZZ_SECONDS'] ?? 150);
// no cap by default: the run fuzzes for its time budget (--inputs N stops after N inputs)
const maxInputs = Number(arg('inputs') ?? process.env['NATLENS_FUZZ_INPUTS'] ?? Infinity);
const only = arg('only') === undefined ? undefined : Number(arg('only'));

/** mulberry32: small, fast, and the same sequence for the same seed everywhere. */
function rng(s: number): () => number {
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = rng(seed);
const int = (n: number) => Math.floor(random() * n);
const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;

function yamlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap(name => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? yamlFiles(path) : /\.ya?ml$/.test(name) ? [path] : [];
  });
}

const sources = [...yamlFiles(join(root, 'test/golden')), ...yamlFiles(join(root, 'test/fixtures')), ...yamlFiles(join(root, 'examples'))];
const manifests = sources.filter(p => !p.endsWith('profile.yaml') && !p.endsWith('cluster.yaml')).map(p => readFileSync(p, 'utf8'));
const profiles = sources.filter(p => p.endsWith('profile.yaml') || p.endsWith('cluster.yaml')).map(p => readFileSync(p, 'utf8'));

/** Values that broke the engine before (issue 17), and more of their kind. */
const HOSTILE: readonly unknown[] = [
  {}, [], null, 2, -1, 0, 0.5, 65536, 2 ** 31, -(2 ** 40), 1e300, true, false, '', ' ', '80 ', '-x', 'a b', 'a"b', 'a\nb', 'a\u2028b',
  'x" -s 198.51.100.1 -m comment --comment "y', 'None', '{{ .Values.x }}', '10.96.0.1/33', '::ffff:10.0.0.1',
  '999.1.1.1', 'UDP', 'udp', 'SCTP', 'ICMP', 'Local', 'Cluster', 'ClientIP', 'LoadBalancer', 'NodePort', 'ExternalName', '\u0000',
  'a'.repeat(300), '😀', { toString: 'x' }, { valueOf: 1 }, [[]], [{}], [null], ['10.96.0.1', 2], { ip: {} }, '__proto__',
];

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

function paths(value: unknown, prefix: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  out.push(prefix);
  if (out.length > 400) return out;
  if (Array.isArray(value)) value.forEach((v, i) => paths(v, [...prefix, i], out));
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) paths(v, [...prefix, k], out);
  return out;
}

function setAt(root: Json, path: (string | number)[], value: unknown): Json {
  if (path.length === 0) return value as Json;
  let node = root as Record<string | number, unknown>;
  for (const p of path.slice(0, -1)) node = node[p] as Record<string | number, unknown>;
  node[path[path.length - 1]!] = value;
  return root;
}

/** A structural mutation: one to three fields of one document get a hostile value, deleted, or duplicated. */
function mutateStructure(text: string): string {
  // no duplicate-key check: the yaml package's is quadratic, and some fixtures hold 50,000 keys
  const docs = parseAllDocuments(text, { prettyErrors: false, uniqueKeys: false });
  const values = (Array.isArray(docs) ? docs : []).map(d => d.toJS({ maxAliasCount: 100 }) as Json);
  if (values.length === 0) return text;
  const i = int(values.length);
  for (let n = 1 + int(3); n > 0; n--) {
    const all = paths(values[i]);
    const path = pick(all);
    const op = int(10);
    if (op < 7) values[i] = setAt(values[i]!, path, structuredCloneSafe(pick(HOSTILE)));
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a fuzzed document has any shape
    else if (op < 8 && path.length) { const parent = path.slice(0, -1); const container = parent.reduce<any>((n, p) => n?.[p], values[i]); if (Array.isArray(container)) container.splice(Number(path.at(-1)), 1); else if (container) delete container[path.at(-1)!]; }
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a fuzzed document has any shape
    else if (op < 9) { const v = path.reduce<any>((n, p) => n?.[p], values[i]); if (Array.isArray(v) && v.length) for (let k = 0; k < 1 + int(40); k++) v.push(structuredCloneSafe(v[0])); }
    else values.push(structuredCloneSafe(values[i]) as Json);
  }
  return values.map(v => stringify(v, { lineWidth: 0 })).join('---\n');
}

function structuredCloneSafe<T>(v: T): T {
  return v === undefined ? v : JSON.parse(JSON.stringify(v)) as T;
}

/** A textual mutation: truncate, repeat or drop a line, or insert a YAML-significant character. */
function mutateText(text: string): string {
  const lines = text.split('\n');
  const at = int(lines.length);
  switch (int(5)) {
    case 0: return text.slice(0, int(text.length));
    case 1: lines.splice(at, 0, lines[at] ?? ''); return lines.join('\n');
    case 2: lines.splice(at, 1); return lines.join('\n');
    case 3: { const p = int(text.length); return text.slice(0, p) + pick([':', '-', '[', '{', '"', "'", '&a', '*a', '!!str ', '\t', '\u2028', '#', '---\n', '<<: *a\n']) + text.slice(p); }
    default: return `${pick(['%YAML 1.1\n---\n', 'a: &a [*a]\n---\n', '\uFEFF', ''])}${text}`;
  }
}

/** A generated Service with its workload, with hostile values in a few of the fields. */
function generated(): string {
  const h = () => (random() < 0.3 ? pick(HOSTILE) : undefined);
  const svc = {
    apiVersion: 'v1', kind: 'Service', metadata: { name: h() ?? `svc-${int(100)}`, namespace: h() ?? pick(['default', 'shop']) },
    spec: {
      type: h() ?? pick(['ClusterIP', 'NodePort', 'LoadBalancer']), clusterIP: h() ?? `10.96.0.${1 + int(250)}`, selector: { app: h() ?? 'web' },
      externalTrafficPolicy: h() ?? pick(['Cluster', 'Local']), sessionAffinity: h() ?? pick(['None', 'ClientIP']),
      ports: Array.from({ length: 1 + int(3) }, (_, i) => ({ name: h() ?? `p${i}`, port: h() ?? 80 + i, targetPort: h() ?? pick([8080, 'http']), protocol: h() ?? 'TCP', ...(random() < 0.5 ? { nodePort: h() ?? 30000 + int(2000) } : {}) })),
      ...(random() < 0.3 ? { externalIPs: h() ?? ['192.0.2.10'] } : {}),
      ...(random() < 0.3 ? { loadBalancerSourceRanges: h() ?? ['203.0.113.0/24'] } : {}),
    },
    status: { loadBalancer: { ingress: [{ ip: h() ?? '198.51.100.7' }] } },
  };
  const deploy = {
    apiVersion: 'apps/v1', kind: pick(['Deployment', 'StatefulSet', 'DaemonSet', 'Job']), metadata: { name: 'web', namespace: svc.metadata.namespace },
    spec: { replicas: h() ?? 1 + int(4), parallelism: h() ?? 1 + int(3), template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', ports: [{ name: h() ?? 'http', containerPort: h() ?? 8080 }] }] } } },
  };
  return `${stringify(svc)}---\n${stringify(deploy)}`;
}

/** A profile: one of the repository's, mutated, or generated with a few nodes (sometimes the same twice). */
function profile(): string | null {
  const r = int(4);
  if (r === 0) return null;
  if (r === 1) return random() < 0.5 ? pick(profiles) : mutateStructure(pick(profiles));
  const n = 1 + int(4);
  const nodes = Array.from({ length: n }, (_, i) => ({ name: random() < 0.1 ? pick(HOSTILE) : `node-${String.fromCharCode(97 + (random() < 0.1 ? 0 : i))}`, ips: [`192.168.0.${2 + i}`], podCIDR: `10.244.${i}.0/24` }));
  return stringify({ proxyMode: pick(['iptables', 'nftables', 'ipvs']), nodeName: 'node-a', nodes, ...(random() < 0.3 ? { [pick(['clusterCIDR', 'nodePortRange', 'masqueradeBit', 'nodeIPs'])]: pick(HOSTILE) } : {}) });
}

mkdirSync(join(root, 'test-results'), { recursive: true });
const current = join(root, 'test-results', 'fuzz-current.txt');
const deadline = performance.now() + seconds * 1000;
const groups = new Map<string, { count: number; failure: Failure; input: number }>();
let inputs = 0, ran = 0, failedInputs = 0, calls = 0;
const kinds: Record<string, number> = { structure: 0, text: 0, generated: 0 };
console.log(`fuzz: seed ${seed}, ${seconds} s, ${manifests.length} manifests and ${profiles.length} profiles to mutate`);
while ((only !== undefined || performance.now() < deadline) && inputs < maxInputs) {
  const kind = pick(['structure', 'structure', 'text', 'generated'] as const);
  kinds[kind]!++;
  let text: string;
  try {
    text = kind === 'generated' ? generated() : kind === 'text' ? mutateText(pick(manifests)) : mutateStructure(pick(manifests));
  } catch {
    continue;
  }
  const profileText = profile();
  if (only !== undefined && inputs + 1 < only) { inputs++; continue; }
  // the input under test, so that a hang (which no timer can interrupt) can be reproduced
  writeFileSync(current, `# seed ${seed} input ${inputs + 1}\n${text}\n#--- profile\n${profileText ?? ''}`);
  const result = runPipeline(text, profileText, { hoverSamples: 6, walksPerPort: 2, budgetMs: timeBudget() });
  inputs++;
  ran++;
  calls += result.calls;
  if (result.failures.length) failedInputs++;
  if (only !== undefined) break;
  for (const f of result.failures) {
    const key = `${f.kind} ${f.call.replace(/[@:].*$/, '')} ${f.detail.replace(/\d+/g, 'N').slice(0, 80)}`;
    const g = groups.get(key);
    if (g) g.count++; else groups.set(key, { count: 1, failure: f, input: inputs });
  }
}
for (const [key, g] of groups) console.log(`FAIL ${key}: ${g.count}× (first at input ${g.input}): ${g.failure.detail.slice(0, 300)}`);
console.log(`fuzz: seed ${seed}: ${inputs} inputs (${Object.entries(kinds).map(([k, n]) => `${k} ${n}`).join(', ')}), ${calls} calls, ${groups.size} failure groups`);
console.log(`${ran - failedInputs} passed, ${failedInputs} failed`);
process.exit(failedInputs > 0 ? 1 : 0);
