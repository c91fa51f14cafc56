// Preview webview figures (printed, not asserted): first paint of a 1,000-rule ruleset (from posting
// the state message to the rules being on screen; target under 500 ms) and the size of the
// production bundle. Builds with --production, serves it like the tests, drives Debian's chromium.
//
//   node test/webview/bench.mjs [runs]
import { readFileSync, statSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { build, startServer, makeFixtures, newNonce, THEMES, testPage, launchBrowser, root } from './harness.mjs';

const runs = Number(process.argv[2] ?? 5);
build(true);

const dist = join(root, 'dist/webview');
const size = f => {
  const buf = readFileSync(join(dist, f));
  return { bytes: statSync(join(dist, f)).size, gzip: gzipSync(buf, { level: 9 }).length };
};
const kib = n => `${(n / 1024).toFixed(0)} KiB`;
const files = ['preview.js', 'preview.css', 'codicon.css', 'codicon.ttf'];
let total = 0, totalGz = 0;
console.log('webview bundle (production):');
for (const f of files) {
  const s = size(f);
  total += s.bytes; totalGz += s.gzip;
  console.log(`  ${f.padEnd(12)} ${String(s.bytes).padStart(9)} bytes  ${kib(s.bytes).padStart(9)}  gzip ${String(s.gzip).padStart(8)} bytes (${kib(s.gzip)})`);
}
console.log(`  ${'total'.padEnd(12)} ${String(total).padStart(9)} bytes  ${kib(total).padStart(9)}  gzip ${String(totalGz).padStart(8)} bytes (${kib(totalGz)})`);

const server = await startServer();
const nonce = newNonce();
const { fixtures, html } = makeFixtures(server.origin, nonce);
server.setPage(testPage(html, nonce, THEMES.dark));
const big = fixtures.big;
const rules = big.rules.text.split('\n').filter(l => l.startsWith('-A ')).length;
const browser = await launchBrowser();
const paints = [], loads = [];
try {
  for (let i = 0; i < runs; i++) {
    const page = await browser.context.newPage();
    const t0 = Date.now();
    await page.goto(server.origin + '/');
    await page.waitForFunction(() => window.__posted?.some(m => m.type === 'ready'));
    loads.push(Date.now() - t0);
    const first = big.rules.text.split('\n')[0];
    const ms = await page.evaluate(([state, first]) => new Promise(resolve => {
      const start = performance.now();
      window.postMessage({ type: 'state', state }, '*');
      const poll = () => {
        const lines = document.querySelectorAll('.view-lines .view-line');
        const shown = lines.length > 10 && [...lines].some(l => l.textContent.replace(/\u00a0/g, ' ') === first);
        // the frame after the lines are in the DOM is the one that paints them
        if (shown) requestAnimationFrame(() => resolve(performance.now() - start));
        else requestAnimationFrame(poll);
      };
      requestAnimationFrame(poll);
    }), [big, first]);
    paints.push(ms);
    await page.close();
  }
} finally {
  await browser.close();
  await server.close();
}
const sorted = [...paints].sort((a, b) => a - b);
const median = sorted[Math.floor(sorted.length / 2)];
console.log(`first paint, ${rules} rules (${big.rules.text.split('\n').length - 1} lines), state message -> rules on screen: median ${median.toFixed(0)} ms (runs: ${paints.map(p => p.toFixed(0)).join(', ')} ms; target < 500 ms)`);
console.log(`page load -> ready (bundle parse + Monaco start): median ${[...loads].sort((a, b) => a - b)[Math.floor(loads.length / 2)]} ms`);
