// Loads a golden case directory: manifests.yaml + profile.yaml (+ expected.rules, flows.json).
import { readFileSync, existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseManifest, type AnyManifestObject, type ManifestFile } from '../../extension/src/engine/manifest/manifest';
import { parseProfile } from '../../extension/src/engine/model/profile';
import { buildClusterModel, type ClusterModel } from '../../extension/src/engine/model/cluster';
import type { TraceSource } from '../../extension/src/engine/walk/walk';
import { cidrContains, parseCIDR, parseIP } from '../../extension/src/engine/util/ip';

export const GOLDEN_ROOT = new URL('../golden/iptables/', import.meta.url).pathname;

export interface GoldenCase {
  readonly name: string;
  readonly dir: string;
  readonly model: ClusterModel;
  readonly expected?: string;
  readonly flows?: GoldenFlow[];
  readonly expectedChains?: { table: string; chain: string; rules: string[] }[];
  readonly assertions?: GoldenAssertion[];
  readonly preexistingNatChains?: string[];
}

export type GoldenAssertion =
  | { kind: 'sepDnatLines'; match: string; matchedLine: string | null; numEndpoints: number | null; numComments: number | null }
  | { kind: 'natChainHasRuleWithDestination'; table: string; chain: string; destination: string; expected: boolean }
  | { kind: 'localReadyEndpointsServiceCount'; expected: number };

export interface GoldenFlow {
  readonly name: string;
  readonly sourceIP: string;
  readonly destIP: string;
  readonly destPort: number;
  readonly protocol: string;
  readonly output: string;
  readonly masq: boolean;
}

const MISSING_PORT = /^spec\.ports\[(\d+)\]\.port: Required value/;

/**
 * A golden case's manifests as kube-proxy's tests build them: Service objects made in Go without the
 * API server, where a port left out is port 0 (TestHealthCheckNodePortWhenTerminating and others).
 * NAT Lens refuses such a port in a real manifest; here it is put back as 0 so that the output can be
 * compared with kube-proxy's byte for byte.
 */
export function parseKubeProxyTestManifest(text: string, fileName: string): ManifestFile {
  const file = parseManifest(text, fileName);
  const missing = new Map<AnyManifestObject, Set<number>>();
  const problems = file.problems.filter(p => {
    const m = p.code === 'invalid-field' ? MISSING_PORT.exec(p.message) : null;
    const obj = m ? file.objects.find(o => o.kind === 'Service' && p.range.start.offset >= o.range.start.offset && p.range.start.offset <= o.range.end.offset) : undefined;
    if (!obj) return true;
    (missing.get(obj) ?? missing.set(obj, new Set()).get(obj)!).add(Number(m![1]));
    return false;
  });
  const objects = file.objects.map(o => {
    const indices = missing.get(o);
    if (!indices || o.kind !== 'Service') return o;
    const raw = o.basePath.reduce<unknown>((v, k) => (v as Record<string | number, unknown>)[k], file.documents[o.documentIndex]!.value) as { spec: { ports: object[] } };
    const ports = o.object.spec!.ports!.map((p, i) => (indices.has(i) ? { ...raw.spec.ports[i], port: 0 } : p));
    return { ...o, object: { ...o.object, spec: { ...o.object.spec, ports } } } as AnyManifestObject;
  });
  return { ...file, objects, problems };
}

export function loadGoldenCases(root = GOLDEN_ROOT): GoldenCase[] {
  if (!existsSync(root)) return [];
  return readdirSync(root, { withFileTypes: true }).filter(d => d.isDirectory()).map(d => d.name).sort().map(name => {
    const dir = join(root, name);
    const manifest = parseKubeProxyTestManifest(readFileSync(join(dir, 'manifests.yaml'), 'utf8'), join(dir, 'manifests.yaml'));
    const profileText = existsSync(join(dir, 'profile.yaml')) ? readFileSync(join(dir, 'profile.yaml'), 'utf8') : '';
    const { profile, problems } = parseProfile(profileText, join(dir, 'profile.yaml'));
    const errors = [...manifest.problems, ...problems].filter(p => p.severity === 'error');
    if (errors.length) throw new Error(`${name}: ${errors.map(e => e.message).join('; ')}`);
    const expectedPath = join(dir, 'expected.rules');
    const json = (file: string) => (existsSync(join(dir, file)) ? JSON.parse(readFileSync(join(dir, file), 'utf8')) : undefined);
    const chainsPath = join(dir, 'preexisting-nat-chains.txt');
    return {
      name, dir,
      model: buildClusterModel(manifest.objects, profile),
      ...(existsSync(expectedPath) ? { expected: readFileSync(expectedPath, 'utf8') } : {}),
      flows: json('flows.json'),
      expectedChains: json('expected-chains.json'),
      assertions: json('expected-assertions.json'),
      preexistingNatChains: existsSync(chainsPath) ? readFileSync(chainsPath, 'utf8').split('\n').map(l => l.trim()).filter(l => l && !l.startsWith('#')) : undefined,
    };
  });
}

/** Where upstream's tracer would start a flow: a node address (host), a pod address, or an outside client. */
export function flowSource(c: GoldenCase, flow: GoldenFlow): TraceSource {
  const profile = c.model.profile;
  const ip = parseIP(flow.sourceIP)!;
  if (profile.nodeIPs.includes(flow.sourceIP) || flow.sourceIP === '127.0.0.1' || flow.sourceIP === '::1') {
    return { kind: 'node', node: profile.nodeName, ip: flow.sourceIP };
  }
  const cluster = profile.clusterCIDR ? parseCIDR(profile.clusterCIDR) : null;
  // without a detector upstream still calls 10.0.0.0/8 sources "pods"; they enter the node the same way
  if ((cluster && cidrContains(cluster, ip)) || /^10\.|^fd00:10:/.test(flow.sourceIP)) return { kind: 'pod', ip: flow.sourceIP, node: profile.nodeName };
  return { kind: 'external', ip: flow.sourceIP };
}
