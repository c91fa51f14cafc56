// node test/reference/pin.mjs v1.34.4: moves the reference cluster to another Kubernetes release.
// Rewrites the k8s.io/kubernetes requirement and the staging modules' replace lines (k8s.io/api,
// k8s.io/client-go, ... at v0.<minor>.<patch>, as published), then lets `go mod tidy` settle the rest.
import { readFileSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

const version = process.argv[2];
const m = /^v1\.(\d+)\.(\d+)$/.exec(version ?? '');
if (!m) { console.error('usage: node test/reference/pin.mjs v1.MINOR.PATCH'); process.exit(2); }
const dir = new URL('.', import.meta.url).pathname;
const staging = `v0.${m[1]}.${m[2]}`;
const text = readFileSync(dir + 'go.mod', 'utf8')
  .replace(/^(\s*k8s\.io\/kubernetes) v\S+/m, `$1 ${version}`)
  .replace(/^(\s*k8s\.io\/[\w-]+ => k8s\.io\/[\w-]+) v\S+/gm, `$1 ${staging}`)
  .replace(/^(\s*k8s\.io\/(?!kubernetes )[\w-]+) v0\.\d+\.\d+$/gm, `$1 ${staging}`);
writeFileSync(dir + 'go.mod', text);
const r = spawnSync('go', ['mod', 'tidy'], { cwd: dir, stdio: 'inherit', env: { ...process.env, GOFLAGS: '-mod=mod' } });
process.exit(r.status ?? 1);
