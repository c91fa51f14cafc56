// The reference phase: every example, fixture and golden manifest of the repository and seeded
// generated batches run on the real kube-apiserver, EndpointSlice controller and kube-proxy (built
// from test/reference), in iptables and nftables mode; the real rules and NAT Lens's must be equal
// after canonical order, and so must the controller's EndpointSlices and NAT Lens's derived
// endpoints. Skipped, with the reason, where Go, root or the netfilter tools are missing.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { parseManifest, type AnyManifestObject } from '../../extension/src/engine/manifest/manifest';
import { parseProfile, withProxyMode, type ClusterProfile } from '../../extension/src/engine/model/profile';
import { ensureBuilt, ipvsUnavailable, pinnedKubernetesVersion, referenceUnavailable, type Built } from './build';
import { generateBatch } from './generate';
import { ReferenceHarness, versionMatches, type BatchResult } from './reference';

const ROOT = join(__dirname, '..', '..');
const RESULTS = join(ROOT, 'test-results', 'reference');
const MODES = ['iptables', 'nftables'] as const;
/** Generated batches and cases per batch: 12 × 25 = 300 cases, each run in both modes. */
const BATCHES = Number(process.env['NATLENS_REFERENCE_BATCHES'] ?? 12);
const CASES_PER_BATCH = 25;

const unavailable = referenceUnavailable();
if (unavailable) console.log(`# reference cluster unavailable, skipping: ${unavailable}`);

interface Input { name: string; profile: ClusterProfile; objects: AnyManifestObject[]; cases: number }

function load(name: string, manifestText: string, profileText: string | null): Input {
  const file = parseManifest(manifestText, name);
  const prof = profileText === null ? null : parseProfile(profileText, `${name} profile`);
  const errors = [...file.problems, ...(prof?.problems ?? [])].filter(p => p.severity === 'error');
  assert.deepEqual(errors.map(p => p.message), [], `${name} parses`);
  const profile = prof?.profile ?? parseProfile('{}').profile;
  return { name, profile: withProxyMode(profile, 'iptables'), objects: file.objects, cases: 1 };
}

/** Every manifest of the repository that kube-proxy could be given, with the profile next to it. */
function repositoryInputs(): Input[] {
  const out: Input[] = [];
  const read = (p: string) => readFileSync(join(ROOT, p), 'utf8');
  const profiles = new Set(['cluster.yaml', 'profile.yaml']);
  for (const dir of ['examples', 'test/fixtures/findings', 'test/fixtures/workspace', 'test/fixtures/egress']) {
    const names = readdirSync(join(ROOT, dir)).filter(n => n.endsWith('.yaml'));
    const profile = names.find(n => profiles.has(n));
    for (const n of names.filter(n => !profiles.has(n))) out.push(load(`${dir}/${n}`, read(`${dir}/${n}`), profile ? read(`${dir}/${profile}`) : null));
  }
  // golden fixtures: many nftables/ipvs ones copy an iptables fixture's manifests; run each input once
  const seen = new Set<string>();
  for (const mode of ['iptables', 'nftables', 'ipvs']) {
    for (const d of readdirSync(join(ROOT, 'test/golden', mode)).sort()) {
      const dir = `test/golden/${mode}/${d}`;
      if (!existsSync(join(ROOT, dir, 'manifests.yaml'))) continue;
      const text = read(`${dir}/manifests.yaml`);
      const input = load(dir, text, existsSync(join(ROOT, dir, 'profile.yaml')) ? read(`${dir}/profile.yaml`) : null);
      const key = createHash('sha256').update(text).update(JSON.stringify({ ...input.profile, proxyMode: '' })).digest('hex');
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

function report(t: TestContext, input: Input, result: BatchResult): void {
  const slug = input.name.replace(/[^A-Za-z0-9]+/g, '-');
  const differing = result.nodes.filter(n => n.diff);
  if (differing.length > 0 || result.sliceFindings.length > 0) {
    mkdirSync(RESULTS, { recursive: true });
    writeFileSync(join(RESULTS, `${slug}.diff`), [...result.sliceFindings.map(f => `EndpointSlice difference: ${f}\n`), ...differing.map(n => n.diff)].join(''));
  }
  for (const [key, message] of result.rejected) t.diagnostic(`API server refused ${key}: ${message.slice(0, 200)}`);
  assert.deepEqual(result.sliceFindings, [], `${input.name}: EndpointSlices differ (test-results/reference/${slug}.diff)`);
  assert.equal(differing.map(n => `${n.mode} ${n.node}:\n${n.diff.slice(0, 3000)}`).join('\n'), '', `${input.name}: rules differ (test-results/reference/${slug}.diff)`);
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
  const inputs = [...repositoryInputs(), ...generatedInputs()];
  const groups = new Map<string, Input[]>();
  for (const i of inputs) (groups.get(planeKey(i.profile)) ?? groups.set(planeKey(i.profile), []).get(planeKey(i.profile))!).push(i);
  let cases = 0;
  for (const [key, group] of groups) {
    const harness = await ReferenceHarness.start(built, group[0]!.profile);
    try {
      for (const input of group) {
        await t.test(`${input.name} (${MODES.join(' + ')})`, async st => {
          const result = await harness.runBatch(input.objects, input.profile, { modes: MODES });
          st.diagnostic(`${result.nodes.length} node rulesets; ms ${JSON.stringify(result.timings)}`);
          cases += input.cases * MODES.length;
          report(st, input, result);
        });
      }
    } finally {
      await harness.stop();
    }
    t.diagnostic(`control plane ${key}: ${group.length} inputs`);
  }
  t.diagnostic(`${inputs.length} inputs, ${cases} mode-cases compared in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
});

test('reference cluster: IPVS mode', { skip: unavailable ?? ipvsUnavailable() ?? 'IPVS is not compared by this harness' }, () => {});

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
