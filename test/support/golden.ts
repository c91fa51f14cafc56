// Loads a golden case directory: manifests.yaml + profile.yaml (+ expected.rules, flows.json).
import { readFileSync, existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseManifest } from '../../extension/src/engine/manifest/manifest';
import { parseProfile } from '../../extension/src/engine/model/profile';
import { buildClusterModel, type ClusterModel } from '../../extension/src/engine/model/cluster';

export const GOLDEN_ROOT = new URL('../golden/iptables/', import.meta.url).pathname;

export interface GoldenCase {
  readonly name: string;
  readonly dir: string;
  readonly model: ClusterModel;
  readonly expected?: string;
  readonly flows?: GoldenFlow[];
}

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
  return readdirSync(root, { withFileTypes: true }).filter(d => d.isDirectory()).map(d => d.name).filter(n => !process.env.GOLDEN_ONLY || n.startsWith(process.env.GOLDEN_ONLY)).sort().map(name => {
    const dir = join(root, name);
    const manifest = parseManifest(readFileSync(join(dir, 'manifests.yaml'), 'utf8'), join(dir, 'manifests.yaml'));
    const profileText = existsSync(join(dir, 'profile.yaml')) ? readFileSync(join(dir, 'profile.yaml'), 'utf8') : '';
    const { profile, problems } = parseProfile(profileText, join(dir, 'profile.yaml'));
    const errors = [...manifest.problems, ...problems].filter(p => p.severity === 'error');
    if (errors.length) throw new Error(`${name}: ${errors.map(e => e.message).join('; ')}`);
    const expectedPath = join(dir, 'expected.rules');
    const flowsPath = join(dir, 'flows.json');
    return {
      name, dir,
      model: buildClusterModel(manifest.objects, profile),
      ...(existsSync(expectedPath) ? { expected: readFileSync(expectedPath, 'utf8') } : {}),
      ...(existsSync(flowsPath) ? { flows: JSON.parse(readFileSync(flowsPath, 'utf8')) as GoldenFlow[] } : {}),
    };
  });
}
