// The reference phase: every example, fixture and golden manifest of the repository and seeded
// generated batches run on the real kube-apiserver, EndpointSlice controller and kube-proxy (built
// from test/reference), in iptables and nftables mode; the real rules and NAT Lens's must be equal
// after canonical order, and so must the controller's EndpointSlices and NAT Lens's derived
// endpoints. Skipped, with the reason, where Go, root or the netfilter tools are missing.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { parseManifest, type AnyManifestObject } from '../../extension/src/engine/manifest/manifest';
import { parseProfile, withProxyMode, type ClusterProfile } from '../../extension/src/engine/model/profile';
import { ensureBuilt, pinnedKubernetesVersion, referenceUnavailable, type Built } from './build';
import { admittedText } from './admitted';
import { generateBatch } from './generate';
import { ReferenceHarness, versionMatches, type BatchResult } from './reference';

const ROOT = join(__dirname, '..', '..');
const RESULTS = join(ROOT, 'test-results', 'reference');
const MODES = ['iptables', 'nftables'] as const;
/**
 * The phase runs every example, fixture and golden manifest (the topology fixtures with their
 * profiles) and 12 × 25 = 300 generated cases, each in both modes (what CI runs).
 * NATLENS_REFERENCE_SCOPE=examples runs the examples only (a quick check); NATLENS_REFERENCE_BATCHES
 * sets the number of generated batches and NATLENS_REFERENCE_ONLY (a regular expression on the input
 * names, e.g. "seed 1006|hover") picks inputs to replay.
 */
const FULL = process.env['NATLENS_REFERENCE_SCOPE'] !== 'examples';
const BATCHES = Number(process.env['NATLENS_REFERENCE_BATCHES'] ?? (FULL ? 12 : 0));
const CASES_PER_BATCH = 25;

const unavailable = referenceUnavailable();
if (unavailable) console.log(`# reference cluster unavailable, skipping: ${unavailable}`);

interface Input {
  name: string; profile: ClusterProfile; objects: AnyManifestObject[]; cases: number;
  /** Upstream's objects as the API server admits them: what was changed (admitted.ts). */
  admitted: string[];
  /** Errors NAT Lens reports on an upstream input (objects no real cluster could hold). */
  refusedByNatLens: string[];
}

/** `upstream`: a golden's input, written for upstream's fake proxier (see admitted.ts). */
function load(name: string, manifestText: string, profileText: string | null, upstream = false): Input {
  const admitted = upstream ? admittedText(manifestText) : { text: manifestText, changes: [] };
  const file = parseManifest(admitted.text, name);
  const prof = profileText === null ? null : parseProfile(profileText, `${name} profile`);
  const errors = [...file.problems, ...(prof?.problems ?? [])].filter(p => p.severity === 'error').map(p => p.message);
  // upstream's fake objects may be ones NAT Lens refuses as no cluster could hold them: said, not compared
  if (!upstream) assert.deepEqual(errors, [], `${name} parses`);
  const profile = prof?.profile ?? parseProfile('{}').profile;
  const objects = file.objects;
  return { name, profile: withProxyMode(forExplicitValues(profile, objects), 'iptables'), objects, cases: 1, admitted: admitted.changes, refusedByNatLens: errors };
}

/**
 * Upstream's test fixtures use ClusterIPs and node ports their fake proxier never validates
 * (172.30.0.0/16 without saying so, node port 3001): the API server gets a service CIDR and a node
 * port range that hold them, and the profile says the same, so both sides see one cluster.
 */
function forExplicitValues(profile: ClusterProfile, objects: readonly AnyManifestObject[]): ClusterProfile {
  const services = objects.filter(o => o.kind === 'Service').map(o => (o.object as { spec?: { clusterIP?: string; ports?: { nodePort?: number }[] } }).spec ?? {});
  const ips = services.map(s => s.clusterIP).filter((ip): ip is string => !!ip && /^\d+\.\d+\.\d+\.\d+$/.test(ip));
  const inside = (cidr: string, ip: string) => {
    const [base, len] = cidr.split('/');
    const n = (x: string) => x.split('.').reduce((a, b) => a * 256 + Number(b), 0);
    const size = 2 ** (32 - Number(len));
    return Math.floor(n(ip) / size) === Math.floor(n(base!) / size);
  };
  let next = profile;
  if (ips.length > 0 && !ips.every(ip => profile.serviceCIDRs.some(c => c.includes('.') && inside(c, ip)))) {
    const wide = `${ips[0]!.split('.').slice(0, 2).join('.')}.0.0/16`;
    if (ips.every(ip => inside(wide, ip))) next = { ...next, serviceCIDRs: [wide] };
  }
  const ports = services.flatMap(s => (s.ports ?? []).map(p => p?.nodePort ?? 0)).filter(p => p > 0);
  if (ports.some(p => p < next.nodePortRange.min || p > next.nodePortRange.max)) next = { ...next, nodePortRange: { min: Math.min(1024, ...ports), max: 65535 } };
  return next;
}

/** Every manifest of the repository that kube-proxy could be given, with the profile next to it. */
function repositoryInputs(): Input[] {
  const out: Input[] = [];
  const read = (p: string) => readFileSync(join(ROOT, p), 'utf8');
  const profiles = new Set(['cluster.yaml', 'profile.yaml']);
  for (const dir of FULL ? ['examples', 'test/fixtures/findings', 'test/fixtures/workspace', 'test/fixtures/egress'] : ['examples']) {
    const names = readdirSync(join(ROOT, dir)).filter(n => n.endsWith('.yaml'));
    const profile = names.find(n => profiles.has(n));
    for (const n of names.filter(n => !profiles.has(n))) out.push(load(`${dir}/${n}`, read(`${dir}/${n}`), profile ? read(`${dir}/${profile}`) : null));
  }
  if (!FULL) return out;
  // topology fixtures: manifests and profiles side by side, paired as the unit tests pair them
  // (test/unit/real-clusters.test.ts); Node objects define their nodes themselves
  const topology = (f: string) => `test/fixtures/topology/${f}`;
  const pairs: [name: string, manifests: string[], profile: string | null][] = [
    ['zones.yaml with zones-cluster.yaml', [topology('zones.yaml')], topology('zones-cluster.yaml')],
    ['zones.yaml', [topology('zones.yaml')], 'examples/cluster.yaml'],
    ['headless.yaml', [topology('headless.yaml')], 'examples/cluster.yaml'],
    ['service-proxy-name.yaml', [topology('service-proxy-name.yaml')], 'examples/cluster.yaml'],
    ['nodes.yaml + nodes-services.yaml', [topology('nodes.yaml'), topology('nodes-services.yaml')], null],
    ...['bridge', 'prefix', 'nodecidr'].map(m => [`examples/nodeport-local.yaml with detect-local-${m}.yaml`, ['examples/nodeport-local.yaml'], topology(`detect-local-${m}.yaml`)] as [string, string[], string]),
  ];
  for (const [name, manifests, profile] of pairs) out.push(load(`test/fixtures/topology: ${name}`, manifests.map(read).join('\n---\n'), profile ? read(profile) : null));
  // golden fixtures: many nftables/ipvs ones copy an iptables fixture's manifests; run each input once
  const seen = new Set<string>();
  for (const mode of ['iptables', 'nftables', 'ipvs']) {
    for (const d of readdirSync(join(ROOT, 'test/golden', mode)).sort()) {
      const dir = `test/golden/${mode}/${d}`;
      if (!existsSync(join(ROOT, dir, 'manifests.yaml'))) continue;
      const text = read(`${dir}/manifests.yaml`);
      const input = load(dir, text, existsSync(join(ROOT, dir, 'profile.yaml')) ? read(`${dir}/profile.yaml`) : null, true);
      if (input.profile.ipFamily !== 'IPv4') continue; // the kernel lab is IPv4
      const { proxyMode: _m, ipvsScheduler: _s, ipvsStrictARP: _a, ipvsExcludeCIDRs: _e, ipvsTCPTimeout: _t, ipvsTCPFinTimeout: _f, ipvsUDPTimeout: _u, iptablesRandomFully: _r, nfacctCounters: _n, ...settings } = input.profile;
      const key = createHash('sha256').update(text).update(JSON.stringify(settings)).digest('hex');
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(input);
    }
  }
  return out;
}

function generatedInputs(): Input[] {
  return Array.from({ length: BATCHES }, (_, i) => {
    const b = generateBatch(1000 + i, CASES_PER_BATCH);
    return { ...load(`generated seed ${b.seed}`, b.manifestYaml, b.profileYaml), cases: b.cases };
  });
}

/** The control plane's settings a batch needs (service CIDR, node port range). */
const planeKey = (p: ClusterProfile) => `${p.serviceCIDRs[0]} ${p.nodePortRange.min}-${p.nodePortRange.max}`;
/** Control planes working at once; most of a batch is waiting for processes, not computing. */
const WORKERS = Number(process.env['NATLENS_REFERENCE_WORKERS'] ?? 3);

/** Asserts one input's result; false when there was nothing to compare (said as a skip). */
function report(t: TestContext, input: Input, result: BatchResult): boolean {
  const slug = input.name.replace(/[^A-Za-z0-9]+/g, '-');
  const differing = result.nodes.filter(n => n.diff);
  if (differing.length > 0 || result.sliceFindings.length > 0) {
    mkdirSync(RESULTS, { recursive: true });
    writeFileSync(join(RESULTS, `${slug}.diff`), [...result.sliceFindings.map(f => `EndpointSlice difference: ${f}\n`), ...differing.map(n => n.diff)].join(''));
  }
  for (const change of input.admitted) t.diagnostic(`upstream's object as the API server admits it: ${change}`);
  for (const [key, message] of result.rejected) t.diagnostic(`API server refused ${key}: ${message.slice(0, 200)}`);
  t.diagnostic(`${result.nodes.length} node rulesets; ms ${JSON.stringify(result.timings)}`);
  const services = input.objects.filter(o => o.kind === 'Service').length;
  const refused = [...result.rejected.keys()].filter(k => k.startsWith('Service ')).length;
  if (services > 0 && refused === services && !/invalid/.test(input.name)) {
    // a golden whose Services no real cluster could hold even as admitted (admitted.ts): said, not compared
    if (input.name.startsWith('test/golden/')) {
      t.skip(`upstream's input cannot exist in a real cluster: ${[...result.rejected.values()].map(m => m.slice(0, 160)).join('; ')}`);
      return false;
    }
    assert.fail(`${input.name}: the API server refused every Service, nothing was compared`);
  }
  assert.deepEqual(result.sliceFindings, [], `${input.name}: EndpointSlices differ (test-results/reference/${slug}.diff)`);
  assert.equal(differing.map(n => `${n.mode} ${n.node}:\n${n.diff.slice(0, 3000)}`).join('\n'), '', `${input.name}: rules differ (test-results/reference/${slug}.diff)`);
  return true;
}

/** Runs the inputs on WORKERS control planes (each restarted when the plane settings change). */
async function runAll(built: Built, inputs: readonly Input[]): Promise<Map<Input, BatchResult | Error>> {
  const queue = [...inputs].sort((a, b) => (planeKey(a.profile) < planeKey(b.profile) ? -1 : planeKey(a.profile) > planeKey(b.profile) ? 1 : 0));
  const results = new Map<Input, BatchResult | Error>();
  const worker = async () => {
    let harness: ReferenceHarness | null = null;
    let key = '';
    try {
      for (let input = queue.shift(); input; input = queue.shift()) {
        if (!harness || key !== planeKey(input.profile)) {
          await harness?.stop();
          harness = await ReferenceHarness.start(built, input.profile);
          key = planeKey(input.profile);
        }
        try {
          results.set(input, await harness.runBatch(input.objects, input.profile, { modes: MODES }));
        } catch (e) {
          results.set(input, e instanceof Error ? e : new Error(String(e)));
        }
      }
    } finally {
      await harness?.stop();
    }
  };
  await Promise.all(Array.from({ length: WORKERS }, worker));
  return results;
}

test('reference cluster: real kube-apiserver, EndpointSlice controller and kube-proxy', { skip: unavailable ?? false }, async t => {
  let built: Built;
  const t0 = performance.now();
  try {
    built = ensureBuilt(line => t.diagnostic(line));
  } catch (e) {
    assert.fail(e instanceof Error ? e.message : String(e));
  }
  t.diagnostic(built.cached ? `reference build: cached (${built.binary})` : `reference build: ${built.buildSeconds} s`);
  rmSync(RESULTS, { recursive: true, force: true }); // diffs of an earlier run must not look like this one's
  const only = process.env['NATLENS_REFERENCE_ONLY'] ? new RegExp(process.env['NATLENS_REFERENCE_ONLY']) : null;
  const repository = repositoryInputs().filter(i => !only || only.test(i.name));
  const generated = generatedInputs().filter(i => !only || only.test(i.name));
  const results = await runAll(built, [...repository, ...generated].filter(i => i.refusedByNatLens.length === 0));
  let cases = 0;
  for (const input of [...repository, ...generated]) {
    await t.test(`${input.name} (${MODES.join(' + ')})`, st => {
      if (input.refusedByNatLens.length > 0) {
        st.skip(`upstream's input cannot exist in a real cluster; NAT Lens says: ${input.refusedByNatLens.join('; ')}`);
        return;
      }
      const result = results.get(input)!;
      if (result instanceof Error) throw result;
      if (report(st, input, result)) cases += input.cases * MODES.length;
    });
  }
  t.diagnostic(`${repository.length} repository inputs and ${generated.length} generated batches (${generated.reduce((n, g) => n + g.cases, 0)} cases); ${cases} mode-cases compared in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
});

test('kubernetesVersion: the harness refuses a profile that models another release', () => {
  assert.equal(versionMatches('1.34', 'v1.34.4'), true);
  assert.equal(versionMatches('v1.34.4', 'v1.34.4'), true);
  assert.equal(versionMatches('1.34.3', 'v1.34.4'), false);
  assert.equal(versionMatches('1.31', 'v1.34.4'), false);
  assert.equal(versionMatches('1.3', 'v1.34.4'), false);
  mkdirSync(RESULTS, { recursive: true });
  const profile = join(RESULTS, 'profile-1.31.yaml');
  writeFileSync(profile, 'kubernetesVersion: "1.31"\n');
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(__dirname, 'cli.ts'), '--cluster', profile, join(ROOT, 'examples/clusterip-dns.yaml')], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, new RegExp(`the profile models Kubernetes 1\\.31, but the reference cluster is built from ${pinnedKubernetesVersion().replace(/\./g, '\\.')}`));
});
