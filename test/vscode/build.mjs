// Bundles the in-editor mocha suite with esbuild:
//   test/vscode/suite/index.ts            -> out/test/vscode/index.js          (exports run(), the extensionTestsPath)
//   test/vscode/suite/**/*.test.ts        -> out/test/vscode/**/*.test.js      (one bundle per test file)
// cjs / node20; `vscode` (provided by the extension host) and `mocha` (resolved from the repo's node_modules,
// so the run is the same under code-server and @vscode/test-electron) stay external. Test files may import the
// extension's own sources (extension/src/...): they are bundled into the test file.
// usage: node test/vscode/build.mjs
import * as esbuild from 'esbuild';
import { readdirSync, rmSync, mkdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const suiteDir = join(root, 'test/vscode/suite');
const outdir = join(root, 'out/test/vscode');

function findTests(dir) {
  const found = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) found.push(...findTests(p));
    else if (name.endsWith('.test.ts')) found.push(p);
  }
  return found;
}

const tests = findTests(suiteDir);
const entryPoints = [join(suiteDir, 'index.ts'), ...tests];
rmSync(outdir, { recursive: true, force: true }); // no stale *.test.js from deleted/renamed tests
mkdirSync(outdir, { recursive: true });
await esbuild.build({
  absWorkingDir: root,
  entryPoints,
  outbase: suiteDir,
  outdir,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  external: ['vscode', 'mocha'],
  // stack traces in the extension host name the bundled .js (readable: not minified); the .map files serve
  // debuggers (VS Code's own extension host rewrites Error.prepareStackTrace, so Node's source-map support
  // does not apply there)
  sourcemap: 'linked',
  sourcesContent: false,
  logLevel: 'warning',
});
console.log(`built ${tests.length} vscode test file(s) into ${relative(root, outdir)}/`);
