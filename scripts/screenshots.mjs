// npm run screenshots: refreshes the README's images in docs/images/ from a run of the UI checks (real VS Code)
// and the webview tests (Chromium) in which every check passed. The tests themselves only write to
// test-results/, so `npm test` leaves the tree as it found it.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
// docs/images/<name> <- test-results/<phase>/<shot>
const IMAGES = [
  ['vscode-hover.png', 'vscode/hover.png'],
  ['vscode-quickfix.png', 'vscode/quickfix.png'],
  ['vscode-preview.png', 'vscode/preview.png'],
  ['vscode-cluster.png', 'vscode/cluster-hover.png'],
  ['preview-stepping.png', 'webview/preview-stepping.png'],
  ['preview-light.png', 'webview/preview-light.png'],
  ['preview-dark.png', 'webview/preview-dark.png'],
  ['preview-high-contrast.png', 'webview/preview-high-contrast.png'],
];

const runs = [
  ['bash', ['test/vscode/run.sh'], { VSCODE_SKIP_SUITE: '1' }],
  [process.execPath, ['test/webview/run.mjs'], {}],
];
for (const [cmd, args, env] of runs) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
  if (r.status !== 0) {
    console.error(`screenshots: ${args[0]} failed; docs/images/ left as it was`);
    process.exit(1);
  }
}
const missing = IMAGES.filter(([, shot]) => !existsSync(join(root, 'test-results', shot)));
if (missing.length) {
  console.error(`screenshots: not taken: ${missing.map(([, s]) => s).join(', ')}; docs/images/ left as it was`);
  process.exit(1);
}
for (const [name, shot] of IMAGES) copyFileSync(join(root, 'test-results', shot), join(root, 'docs/images', name));
console.log(`screenshots: ${IMAGES.length} images refreshed in docs/images/`);
