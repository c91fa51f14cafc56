// npm run bench: bundles bench.ts with esbuild as scripts/build.mjs bundles the extension and the
// CLI, then runs it, so that the figures are those of the code that ships (tsx wraps every function
// it creates in a name-keeping helper, which made the editor paths several times slower).
// usage: node test/bench/run.mjs (NATLENS_BENCH_ONLY=editor,scale,... selects parts)
import * as esbuild from 'esbuild';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
// out/bench/: two levels below the repository, as test/bench/ is, so the bench finds ../shared the same way
const outfile = join(root, 'out/bench/bench.mjs');
await esbuild.build({
  entryPoints: [join(root, 'test/bench/bench.ts')], outfile, bundle: true, platform: 'node', format: 'esm', target: 'node20',
  logLevel: 'warning', banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
});
const run = spawnSync(process.execPath, ['--expose-gc', outfile], { stdio: 'inherit' });
process.exit(run.status ?? 1);
