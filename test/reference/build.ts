// Builds test/reference (the Go module) once per source state. The binary is cached outside the
// repository under ~/.cache/natlens/reference/<hash of go.mod, go.sum and the Go files>; Go's own
// module and build caches (GOPATH, GOCACHE) stay at their defaults, so a rebuild after an edit
// recompiles only this module.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export const MODULE_DIR = typeof __dirname === 'string' ? __dirname : join(process.cwd(), 'test', 'reference');

export interface Built {
  readonly binary: string;
  /** The k8s.io/kubernetes version the binary was built from, e.g. v1.34.4. */
  readonly kubernetesVersion: string;
  /** Seconds the build took now; 0 when the cached binary was used. */
  readonly buildSeconds: number;
  readonly cached: boolean;
}

/** Why the reference cluster cannot run here, or null when it can (Go, root, netns, iptables, nft). */
export function referenceUnavailable(): string | null {
  const go = spawnSync('go', ['version'], { encoding: 'utf8' });
  if (go.error || go.status !== 0) return 'Go is not installed (the reference cluster is built from the k8s.io/kubernetes Go module)';
  if (process.getuid?.() !== 0) return 'not root (kube-proxy needs network namespaces)';
  for (const tool of ['ip', 'iptables-save', 'nft']) {
    const r = spawnSync(tool, ['--version'], { encoding: 'utf8' });
    if (r.error) return `${tool} is not installed`;
  }
  return null;
}

/** The kernel has no ip_vs module here (kube-proxy's IPVS mode needs it). */
export function ipvsUnavailable(): string | null {
  if (existsSync('/sys/module/ip_vs')) return null;
  const probe = spawnSync('modprobe', ['-n', 'ip_vs'], { encoding: 'utf8' });
  return probe.status === 0 && !probe.error ? null : 'the ip_vs kernel module is missing, so kube-proxy cannot run in IPVS mode here';
}

function sourceHash(): string {
  const h = createHash('sha256');
  for (const name of readdirSync(MODULE_DIR).filter(n => n === 'go.mod' || n === 'go.sum' || n.endsWith('.go')).sort()) {
    h.update(name).update('\0').update(readFileSync(join(MODULE_DIR, name))).update('\0');
  }
  return h.digest('hex').slice(0, 16);
}

/** The pinned release, read from go.mod (one place to move it; see pin.mjs). */
export function pinnedKubernetesVersion(): string {
  const m = /^\s*k8s\.io\/kubernetes (v\S+)/m.exec(readFileSync(join(MODULE_DIR, 'go.mod'), 'utf8'));
  if (!m) throw new Error('test/reference/go.mod does not require k8s.io/kubernetes');
  return m[1]!;
}

export function ensureBuilt(log: (line: string) => void = () => {}): Built {
  const dir = join(process.env['XDG_CACHE_HOME'] ?? join(homedir(), '.cache'), 'natlens', 'reference', sourceHash());
  const binary = join(dir, 'natlens-reference');
  const kubernetesVersion = pinnedKubernetesVersion();
  if (existsSync(binary)) return { binary, kubernetesVersion, buildSeconds: 0, cached: true };
  mkdirSync(dir, { recursive: true });
  log(`building the reference cluster (k8s.io/kubernetes ${kubernetesVersion}); the first build downloads the modules and takes a while`);
  const t0 = performance.now();
  const r = spawnSync('go', ['build', '-trimpath', '-o', binary + '.tmp', '.'], {
    cwd: MODULE_DIR, encoding: 'utf8', env: { ...process.env, GOFLAGS: '-mod=mod' }, maxBuffer: 64 * 1024 * 1024,
  });
  if (r.error || r.status !== 0) throw new Error(`go build in test/reference failed (exit ${r.status}):\n${(r.stderr || String(r.error)).trim()}`);
  renameSync(binary + '.tmp', binary);
  const buildSeconds = Math.round((performance.now() - t0) / 100) / 10;
  log(`built in ${buildSeconds} s`);
  return { binary, kubernetesVersion, buildSeconds, cached: false };
}
