// Runs every test phase (type check, lint, unit + golden, kernel, reference, real VS Code, webview) and ends with one
// plain "N passed, N failed" line totalling all phases, so a run that executed no test is visible.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync, existsSync, readFileSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const only = process.argv.slice(2);
const totals = { passed: 0, failed: 0, skipped: 0 };
const phaseLines = [];

function findTests(dir) {
  if (!existsSync(join(root, dir))) return [];
  const out = [];
  for (const name of readdirSync(join(root, dir))) {
    const rel = join(dir, name);
    if (statSync(join(root, rel)).isDirectory()) out.push(...findTests(rel));
    else if (name.endsWith('.test.ts')) out.push(rel);
  }
  return out.sort();
}

function run(cmd, args, env = {}) {
  const r = spawnSync(cmd, args, { cwd: root, encoding: 'utf8', maxBuffer: 512 * 1024 * 1024, env: { ...process.env, ...env } });
  process.stdout.write(r.stdout ?? '');
  process.stderr.write(r.stderr ?? '');
  return { code: r.status ?? 1, out: (r.stdout ?? '') + (r.stderr ?? '') };
}

/** A phase that counts as one test: it passes when the command exits 0. */
function checkPhase(name, cmd, args) {
  console.log(`\n=== ${name} ===`);
  const { code } = run(cmd, args);
  record(name, code === 0 ? 1 : 0, code === 0 ? 0 : 1, 0);
}

/** node:test phase: counts come from the TAP summary ("# pass N", "# fail N", "# skipped N"). */
function nodeTestPhase(name, dirs) {
  const files = dirs.flatMap(findTests);
  console.log(`\n=== ${name}: ${files.length} files ===`);
  if (files.length === 0) { record(name, 0, 0, 0); return; }
  // a report left by an earlier run must not be counted for this one
  rmSync(join(root, 'test-results', name + '.tap'), { force: true });
  const { code } = run(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-reporter-destination=stdout', '--test-reporter=tap', '--test-reporter-destination=' + join(root, 'test-results', name + '.tap'), ...files]);
  const tap = readTap(name);
  const passed = tap.pass, failed = tap.fail + tap.cancelled, skipped = tap.skipped;
  if (code !== 0 && failed === 0) { record(name, passed, 1, skipped); return; }
  record(name, passed, failed, skipped);
}

function readTap(name) {
  const path = join(root, 'test-results', name + '.tap');
  const text = existsSync(path) ? readFileSync(path, 'utf8') : '';
  const num = key => Number((text.match(new RegExp(`^# ${key} (\\d+)$`, 'm')) ?? [])[1] ?? 0);
  return { pass: num('pass'), fail: num('fail'), cancelled: num('cancelled'), skipped: num('skipped') + num('todo') };
}

/** A phase whose runner prints its own "N passed, N failed" line (the real-VS Code and browser suites). */
function summaryLinePhase(name, cmd, args, env = {}) {
  console.log(`\n=== ${name} ===`);
  const { code, out } = run(cmd, args, env);
  const m = [...out.matchAll(/^(?:\w+: )?(\d+) passed, (\d+) failed(?:, (\d+) skipped)?$/gm)].pop();
  if (!m) { record(name, 0, 1, 0); return; }
  const failed = Number(m[2]) + (code !== 0 && Number(m[2]) === 0 ? 1 : 0);
  record(name, Number(m[1]), failed, Number(m[3] ?? 0));
}

function record(name, passed, failed, skipped) {
  totals.passed += passed; totals.failed += failed; totals.skipped += skipped;
  phaseLines.push(`${name}: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
}

/** `git status --porcelain`, or null outside a git checkout. */
function treeStatus() {
  const r = spawnSync('git', ['status', '--porcelain'], { cwd: root, encoding: 'utf8' });
  return r.status === 0 ? r.stdout : null;
}

mkdirSync(join(root, 'test-results'), { recursive: true });
const statusBefore = treeStatus();
// the kernel and browser phases need Debian packages; install what is missing (as root)
run('bash', ['scripts/system-deps.sh']);
const want = p => only.length === 0 || only.includes(p);
// typecheck: the whole tree, then each layer on its own (the engine and the protocol without DOM or Node.js types)
if (want('typecheck')) checkPhase('typecheck', 'npm', ['run', '--silent', 'typecheck']);
if (want('lint')) checkPhase('lint', 'npm', ['run', '--silent', 'lint']);
if (want('build')) checkPhase('build', process.execPath, ['scripts/build.mjs']);
if (want('unit')) nodeTestPhase('unit', ['test/unit', 'test/golden']);
if (want('kernel')) nodeTestPhase('kernel', ['test/kernel']);
// real kube-apiserver, EndpointSlice controller and kube-proxy (test/reference); skipped without Go
if (want('reference')) nodeTestPhase('reference', ['test/reference']);
// seeded and time-bounded (NATLENS_FUZZ_SEED, NATLENS_FUZZ_SECONDS); one test per fuzzed input
if (want('fuzz')) summaryLinePhase('fuzz', process.execPath, ['--import', 'tsx', 'test/fuzz/fuzz.ts']);
if (want('vscode') && existsSync(join(root, 'test/vscode/run.sh'))) {
  summaryLinePhase('vscode', 'bash', ['test/vscode/run.sh']);
  // the same extension with VS Code's display language German: its German UI checks only
  summaryLinePhase('vscode (de)', 'bash', ['test/vscode/run.sh'], { VSCODE_LOCALE: 'de', VSCODE_SKIP_SUITE: '1', UI_CHECKS: 'German' });
}
if (want('webview') && existsSync(join(root, 'test/webview/run.mjs'))) summaryLinePhase('webview', process.execPath, ['test/webview/run.mjs']);

// tests write only to test-results/ and temp dirs: the tree must be as the run found it
if (statusBefore !== null) {
  console.log('\n=== clean tree ===');
  const after = treeStatus();
  const changed = after.split('\n').filter(l => l && !statusBefore.split('\n').includes(l));
  for (const l of changed) console.log(`changed by the tests: ${l}`);
  record('clean tree', changed.length === 0 ? 1 : 0, changed.length === 0 ? 0 : 1, 0);
}

console.log('\n=== summary ===');
for (const l of phaseLines) console.log(l);
console.log(`${totals.passed} passed, ${totals.failed} failed${totals.skipped ? `, ${totals.skipped} skipped` : ''}`);
process.exit(totals.failed > 0 ? 1 : 0);
