// Bundles the three front ends with esbuild: the extension host (node/cjs, `vscode` external, no Monaco),
// the webview (browser) and the CLI (node).
import * as esbuild from 'esbuild';
import { copyFileSync, mkdirSync, readFileSync, rmSync } from 'node:fs';

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');
const version = JSON.parse(readFileSync('package.json', 'utf8')).version;
const common = { bundle: true, sourcemap: !production, minify: production, logLevel: 'warning', legalComments: 'none' };

const targets = [
  { ...common, entryPoints: ['extension/src/vscode/extension.ts'], outfile: 'dist/extension.js', platform: 'node', format: 'cjs', target: 'node20', external: ['vscode'] },
  { ...common, entryPoints: ['extension/src/cli/index.ts'], outfile: 'dist/cli.js', platform: 'node', format: 'cjs', target: 'node20', define: { NATLENS_VERSION: JSON.stringify(version) } },
];

// The preview webview: one browser bundle (iife, no eval, no workers) plus its stylesheet, and the
// codicon font shared by Monaco and our own icons. Monaco's CSS refers to ./codicon.ttf; it is left
// external so both resolve to the one font copied from @vscode/codicons (same code points).
const sharedCodiconFont = {
  name: 'shared-codicon-font',
  setup(build) {
    build.onResolve({ filter: /codicon\.ttf$/ }, () => ({ path: './codicon.ttf', external: true }));
  },
};
targets.push({
  ...common, entryPoints: ['webview/src/main.ts'], outfile: 'dist/webview/preview.js', platform: 'browser', format: 'iife', target: ['chrome120'],
  plugins: [sharedCodiconFont],
});

// --watch (npm run watch, the Run Extension launch's task): lines .vscode/tasks.json's problem matcher reads
const watchReport = {
  name: 'watch-report',
  setup(build) {
    build.onStart(() => console.log(`[watch] build started: ${build.initialOptions.outfile}`));
    build.onEnd(result => {
      for (const e of result.errors) console.log(`[watch] error ${e.location ? `${e.location.file}:${e.location.line}:${e.location.column + 1}` : build.initialOptions.outfile}: ${e.text}`);
      console.log(`[watch] build finished: ${build.initialOptions.outfile}`);
    });
  },
};

rmSync('dist/webview', { recursive: true, force: true }); // no stale source maps in a production package
mkdirSync('dist/webview', { recursive: true });
for (const f of ['codicon.css', 'codicon.ttf']) copyFileSync(`node_modules/@vscode/codicons/dist/${f}`, `dist/webview/${f}`);
if (watch) {
  for (const t of targets) await (await esbuild.context({ ...t, plugins: [...(t.plugins ?? []), watchReport] })).watch();
} else {
  await Promise.all(targets.map(t => esbuild.build(t)));
}
