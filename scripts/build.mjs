// Bundles the three front ends with esbuild: the extension host (node/cjs, `vscode` external, no Monaco),
// the webview (browser) and the CLI (node).
import * as esbuild from 'esbuild';
import { mkdirSync, readFileSync } from 'node:fs';

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');
const version = JSON.parse(readFileSync('package.json', 'utf8')).version;
const common = { bundle: true, sourcemap: !production, minify: production, logLevel: 'warning', legalComments: 'none' };

const targets = [
  { ...common, entryPoints: ['extension/src/vscode/extension.ts'], outfile: 'dist/extension.js', platform: 'node', format: 'cjs', target: 'node20', external: ['vscode'] },
  { ...common, entryPoints: ['extension/src/cli/index.ts'], outfile: 'dist/cli.js', platform: 'node', format: 'cjs', target: 'node20', define: { NATLENS_VERSION: JSON.stringify(version) } },
];

mkdirSync('dist', { recursive: true });
if (watch) {
  for (const t of targets) await (await esbuild.context(t)).watch();
} else {
  await Promise.all(targets.map(t => esbuild.build(t)));
}
