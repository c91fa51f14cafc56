// Loads a golden case directory: manifests.yaml + profile.yaml (+ expected.rules, flows.json).
import { readFileSync, existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseManifest } from '../../extension/src/engine/manifest/manifest';
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

export function loadGoldenCases(root = GOLDEN_ROOT): GoldenCase[] {
  if (!existsSync(root)) return [];
  return readdirSync(root, { withFileTypes: true }).filter(d => d.isDirectory()).map(d => d.name).sort().map(name => {
    const dir = join(root, name);
    const manifest = parseManifest(readFileSync(join(dir, 'manifests.yaml'), 'utf8'), join(dir, 'manifests.yaml'));
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
