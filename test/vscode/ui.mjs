// UI checks: drives the real VS Code workbench served by code-server with playwright-core + Debian chromium.
// The extension under test is the packaged natlens.vsix that run.sh installed into the server, as a user has it.
//
// usage (run.sh does this): node test/vscode/ui.mjs <base-url> <workspace> <shots-dir>
// env: UI_CHECKS=<regexp>   only the checks whose name matches
//      UI_SELFTEST=1        also run the harness self-checks (squiggle, hover, quick fix and webview helpers,
//                           exercised on VS Code's built-in TypeScript and Markdown support)
//      UI_CHECK_TIMEOUT_MS  per check (default 60000)   DEBUG_PAGE_CONSOLE=1   VSCODE_RESULT_FILE (see run.sh)
//      VSCODE_LOCALE        the display language run.sh started code-server with (--locale): only the checks
//                           written for that language run (default en)
//
// Adding a check: one `check(name, async wb => { ... })` call below; `wb` is a Workbench (workbench.mjs) with
// openFile, waitForEditorText, editorText, languageMode, waitForCodeLens, hover, unhover, waitForSquiggle, problems, quickFix,
// clickWord, paletteItems, runCommand, waitForNotification, webview, webviewText, shot, escape; wb.page is the
// playwright Page. A check passes when it returns, fails when it throws (a fail-<name>.png is saved).
import fs from 'node:fs';
import path from 'node:path';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { launchBrowser, workbenchUrl, extensionHostText } from './browser.mjs';
import { Workbench } from './workbench.mjs';

const checks = [];
/** Registers a UI check; checks run in order, in one workbench, each starting with no widget open. */
function check(name, fn, { selftest = false, timeoutMs, locale = 'en' } = {}) { checks.push({ name, fn, selftest, timeoutMs, locale }); }

/** Polls `condition` (sync or async) every 200 ms; throws `what` when it is still false after `timeout` ms. */
async function waitUntil(condition, what, timeout = 15000) {
  for (const end = Date.now() + timeout; !(await condition());) {
    if (Date.now() > end) throw new Error(`timed out waiting until ${what}`);
    await new Promise(r => setTimeout(r, 200));
  }
}

// ---- checks ---------------------------------------------------------------------------------------------------

check('the example Service opens as YAML', async wb => {
  await wb.openFile('service.yaml');
  const text = await wb.waitForEditorText('kind: Service');
  assert.match(text, /apiVersion: v1/);
  assert.match(text, /nodePort: 30080/);
  assert.equal(await wb.languageMode(), 'YAML');
  await wb.shot('service-yaml');
});

check('the F1 palette lists commands', async wb => {
  const labels = await wb.paletteItems('Developer: Reload', { expect: 'Developer: Reload Window' });
  assert.ok(labels.includes('Developer: Reload Window'), `palette shows ${JSON.stringify(labels)}`);
  await wb.shot('palette');
  await wb.escape();
});

check('a palette command shows the extension running once YAML is open', async wb => {
  await wb.openFile('service.yaml'); // activationEvents: onLanguage:yaml
  await wb.runCommand('Developer: Show Running Extensions'); // lists activated extensions only, an installed one by display name
  const row = wb.page.locator('.runtime-extensions-editor .monaco-list-row', { hasText: /NAT Lens for Kubernetes|natlens/i });
  await row.waitFor({ timeout: 20000 });
  await wb.shot('running-extensions');
  await wb.runCommand('View: Close All Editors');
});

check('NAT Lens hover on externalTrafficPolicy is visible in the editor', async wb => {
  await wb.openFile('service.yaml');
  await wb.waitForEditorText('externalTrafficPolicy');
  await wb.waitForCodeLens('Trace a packet'); // the lens shifts the lines: hover once it is in place
  const text = await wb.hover('externalTrafficPolicy', { contains: 'SNATed', timeout: 30000 });
  assert.match(text, /externalTrafficPolicy: Cluster/);
  assert.match(text, /Trace a packet/);
  await wb.page.waitForTimeout(500); // let the hover finish fading in before the screenshot
  await wb.shot('hover');
  await wb.unhover();
});

check('an API error is squiggled and Ctrl+. applies the fix', async wb => {
  await wb.openFile('invalid.yaml');
  await wb.waitForSquiggle('error', { timeout: 30000 });
  await wb.waitForCodeLens('Trace a packet'); // click the word once the lens above it has shifted the lines
  await wb.shot('squiggle');
  const titles = await wb.quickFix({ word: 'Local', title: /Remove externalTrafficPolicy/, shot: 'quickfix' });
  wb.log(`   offered: ${JSON.stringify(titles)}`);
  await wb.page.waitForFunction(() => !document.querySelector('.editor-group-container.active .view-lines')?.textContent.includes('externalTrafficPolicy'), null, { timeout: 15000 });
  await wb.runCommand('View: Revert and Close Editor');
  // the workbench then focuses the editor left open, a moment later: let that happen before the next check
  await wb.page.waitForFunction(() => document.activeElement?.closest('.editor-group-container.active .monaco-editor') != null, null, { timeout: 10000 }).catch(() => {});
});

check('the preview webview shows the Service\'s rules in Monaco', async wb => {
  await wb.openFile('service.yaml');
  await wb.waitForEditorText('kind: Service');
  const lens = await wb.waitForCodeLens('Trace a packet');
  assert.match(lens, /NAT: 2 ready endpoints/);
  await wb.clickWord('apiVersion'); // the editor has focus, so the command previews this file
  await wb.runCommand('NAT Lens: Preview DNAT Rules');
  // Monaco renders only the lines in view: the table header and the chain declarations
  const text = await wb.webviewText('.view-lines', { contains: 'KUBE-NODEPORTS', timeout: 30000 });
  assert.match(text, /\*filter/);
  // the debug section lists this Service's own chain, as natlens debug does
  assert.match(await wb.webviewText('#debug-subject'), /^default\/web port http 80\/TCP on node-a, iptables mode/);
  assert.match(await wb.webviewText('#debug-list', { contains: 'iptables -t nat -L KUBE-SVC-' }), /iptables -t nat -L KUBE-SVC-[A-Z0-9]{16} -n -v/);
  await wb.page.waitForTimeout(500);
  await wb.shot('preview');
  await wb.runCommand('View: Close All Editors');
});

check('the preview\'s Assumptions edit the profile through the host, save it, and the panel survives a reload', async wb => {
  await wb.openFile('service.yaml');
  await wb.waitForCodeLens('Trace a packet');
  await wb.clickWord('apiVersion');
  await wb.runCommand('NAT Lens: Preview DNAT Rules');
  await wb.webviewText('.view-lines', { contains: 'KUBE-NODEPORTS' });
  let view = await wb.webview();
  const entryOptions = () => view.locator('#entry-select').evaluate(s => [...s.options].map(o => o.textContent).join('\n'));
  assert.match(await entryOptions(), /NodePort 30080 on node-a \(192\.168\.0\.2\)/);

  // an edit in place goes to the extension, which rebuilds the model: the entry points name the new address
  const ips = view.locator('tr[data-node="node-a"] input[data-field="ips"]');
  await ips.fill('192.168.0.99');
  await ips.press('Tab');
  await waitUntil(async () => /NodePort 30080 on node-a \(192\.168\.0\.99\)/.test(await entryOptions()), 'the host sends the edited profile back');
  await view.locator('#node-select').selectOption('node-b');
  await view.locator('.rules-status', { hasText: 'node node-b' }).waitFor();

  await view.locator('#save-profile').click();
  const profileFile = path.join(wb.workspace, 'cluster.yaml');
  await waitUntil(() => fs.readFileSync(profileFile, 'utf8').includes('192.168.0.99'), 'cluster.yaml on disk has the new address');
  assert.match(await wb.waitForNotification('profile saved'), /cluster\.yaml/);
  await wb.shot('preview-assumptions');

  // the serializer brings the panel back after a reload, with the node picked before and the saved profile
  await wb.runCommand('Developer: Reload Window');
  await wb.ready();
  await wb.webviewText('.view-lines', { contains: 'KUBE-NODEPORTS' });
  view = await wb.webview();
  await view.locator('.rules-status', { hasText: 'node node-b' }).waitFor();
  assert.match(await entryOptions(), /NodePort 30080 on node-a \(192\.168\.0\.99\)/);
  await wb.shot('preview-after-reload');
  await wb.runCommand('View: Close All Editors');
});

check('the installed natlens.vsix: a hover on a Service, and its details page shows the README with its images', async wb => {
  await wb.runCommand('View: Close All Editors'); // one editor group, whatever an earlier check left open
  await wb.openFile('service.yaml');
  await wb.waitForCodeLens('Trace a packet');
  assert.match(await wb.hover('externalTrafficPolicy', { contains: 'SNATed', timeout: 30000 }), /externalTrafficPolicy: Cluster/);
  await wb.unhover();

  await wb.runCommand('Extensions: Show Enabled Extensions');
  const row = wb.page.locator('.extensions-viewlet .monaco-list-row', { hasText: 'NAT Lens for Kubernetes' });
  await row.waitFor({ timeout: 20000 });
  await row.click();
  const header = wb.page.locator('.extension-editor .header');
  await header.locator('.name', { hasText: 'NAT Lens for Kubernetes' }).waitFor({ timeout: 20000 });
  // the package's own icon (256x256), not VS Code's default one
  await waitUntil(() => header.locator('img.icon').evaluate(i => i.complete && i.naturalWidth === 256), 'the icon from media/icon.png is shown');

  await wb.webviewText('h1', { contains: 'NAT Lens for Kubernetes', timeout: 30000 });
  const view = await wb.webview();
  // the README shipped in the package: its images are loaded and its links go to sections of the page
  const page = () => view.locator('body').evaluate(body => ({
    images: [...body.querySelectorAll('img')].map(i => ({ alt: i.alt, loaded: i.complete && i.naturalWidth > 0 })),
    anchors: [...body.querySelectorAll('a[href]')].map(a => ({ href: a.getAttribute('href'), target: a.getAttribute('href').startsWith('#') ? document.getElementById(decodeURIComponent(a.getAttribute('href').slice(1))) !== null : null })),
    headings: [...body.querySelectorAll('h2')].map(h => h.textContent),
  }));
  await waitUntil(async () => { const p = await page(); return p.images.length >= 3 && p.images.every(i => i.loaded); }, 'every README image is loaded');
  const readme = await page();
  wb.log(`   images: ${JSON.stringify(readme.images.map(i => i.alt))}; sections: ${JSON.stringify(readme.headings)}`);
  assert.ok(readme.headings.includes('NAT Lens diagnostics') && readme.headings.includes('Egress NAT and debug commands'), 'the linked docs are sections of the page');
  // '#' is the page's own scroll-to-top button
  const broken = readme.anchors.filter(a => a.href !== '#').filter(a => a.target === false || (a.target === null && !/^(https|mailto):/.test(a.href)));
  assert.deepEqual(broken, [], 'every link goes to a section of the page or to https:');
  assert.ok(readme.anchors.some(a => a.href === '#nat-lens-diagnostics'), JSON.stringify(readme.anchors));
  await wb.shot('extension-details');
  await wb.runCommand('View: Close All Editors');
});

// ---- harness self-checks (UI_SELFTEST=1): prove the helpers on built-in language features --------------------

// The reference cluster (test/reference: the real kube-apiserver) with test/fixtures/cluster's nodes, kept
// running for one check; null where it cannot run here (no Go, not root).
async function startReferenceCluster() {
  const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
  if (spawnSync('go', ['version']).status !== 0 || process.getuid?.() !== 0) return null;
  const fixture = path.join(root, 'test', 'fixtures', 'cluster');
  // the harness's own cache of the built binary (run.sh points XDG_CACHE_HOME at the run's temp dir)
  const { XDG_CACHE_HOME: _run, ...env } = process.env;
  const child = spawn('node', ['--import', 'tsx', 'test/reference/cli.ts', '--keep', '--cluster', path.join(fixture, 'profile.yaml'), path.join(fixture, 'shop.yaml')],
    { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '', err = '';
  child.stdout.on('data', d => { out += d; });
  child.stderr.on('data', d => { err += d; });
  await waitUntil(() => { if (child.exitCode !== null) throw new Error(`reference --keep exited: ${err.slice(-1000)}`); return /kubeconfig: \S+/.test(out); }, 'the reference cluster runs', 240000);
  return {
    kubeconfig: /kubeconfig: (\S+)/.exec(out)[1],
    stop: () => new Promise(resolve => { child.once('exit', resolve); child.kill('SIGTERM'); setTimeout(resolve, 30000); }),
  };
}

check('Connect to Cluster: the status bar names the cluster, a hover answers for its nodes', async wb => {
  const reference = await startReferenceCluster();
  if (!reference) { console.log('   (skipped: the reference cluster cannot run here)'); return; }
  const settingsFile = path.join(workspace, '.vscode', 'settings.json');
  const settings = fs.readFileSync(settingsFile, 'utf8');
  try {
    fs.writeFileSync(settingsFile, JSON.stringify({ ...JSON.parse(settings), 'natlens.kubeconfig': reference.kubeconfig }, null, 2));
    fs.writeFileSync(path.join(workspace, 'web-public.yaml'), 'apiVersion: v1\nkind: Service\nmetadata:\n  name: web-public\n  namespace: shop\nspec:\n  type: NodePort\n'
      + '  externalTrafficPolicy: Local\n  selector: { app: web }\n  ports: [{ port: 80, targetPort: 8080 }]\n');
    await wb.openFile('web-public.yaml');
    await wb.waitForEditorText('externalTrafficPolicy');
    await wb.page.waitForTimeout(2000); // the settings file change reaches the extension host
    await wb.runCommand('NAT Lens: Connect to Cluster...');
    const row = wb.page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: 'reference' }).first();
    await row.waitFor({ timeout: 15000 }).catch(async e => { await wb.shot('fail-cluster-context-pick'); throw e; });
    await wb.page.keyboard.press('Enter');
    const status = wb.page.locator('.statusbar-item', { hasText: 'reference' }).first();
    await status.waitFor({ timeout: 60000 });
    await wb.openFile('web-public.yaml'); // the editor again, after the quick pick
    await wb.waitForCodeLens('ref-b', { timeout: 30000 }); // the CodeLens answers for the cluster too
    const text = await wb.hover('Service', { contains: 'ref-b', timeout: 45000 }).catch(async e => { await wb.shot('fail-cluster-hover'); throw e; });
    assert.match(text, /In cluster reference/);
    await wb.page.waitForTimeout(500);
    await wb.shot('cluster-hover');
    await wb.unhover();
    await wb.runCommand('NAT Lens: Disconnect from Cluster');
    await status.waitFor({ state: 'hidden', timeout: 15000 });
  } finally {
    fs.writeFileSync(settingsFile, settings);
    fs.rmSync(path.join(workspace, 'web-public.yaml'), { force: true });
    await wb.runCommand('View: Close All Editors').catch(() => {});
    await reference.stop();
  }
}, { timeoutMs: 360000 });
check('a node dump\'s Compare with prediction opens a diff with each difference explained', async wb => {
  await wb.openFile('node-b-iptables.txt');
  await wb.waitForEditorText('Generated by iptables-save');
  await wb.waitForCodeLens('Compare with prediction');
  await wb.editor().locator('.codelens-decoration a', { hasText: 'Compare with prediction' }).first().click();
  // the node's side of the diff editor: the stale Service's rules are there, the explanation in their hover
  const node = wb.page.locator('.monaco-diff-editor .editor.modified .view-lines').first();
  await node.locator('.view-line', { hasText: 'OLDOLDOLDOLDOLD7' }).first().waitFor({ timeout: 20000 });
  await wb.page.waitForTimeout(500);
  const box = await node.evaluate(root => {
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const i = n.textContent.indexOf('OLDOLDOLDOLDOLD7');
      if (i < 0) continue;
      const range = document.createRange();
      range.setStart(n, i);
      range.setEnd(n, i + 4);
      const r = range.getBoundingClientRect();
      return { x: r.x + r.width / 2, y: r.y + r.height / 2 };
    }
    return null;
  });
  assert.ok(box, 'the stale rule is not rendered on the node side');
  await wb.page.mouse.move(box.x - 3, box.y);
  await wb.page.mouse.move(box.x, box.y, { steps: 3 });
  const hover = wb.page.locator('.monaco-hover:visible', { hasText: 'stale' }).first();
  await hover.waitFor({ timeout: 15000 });
  assert.match(await hover.innerText(), /extra.*default\/old:http.*stale: default\/old:http is not in the manifests/s);
  await wb.page.waitForTimeout(300);
  await wb.shot('node-diff');
  await wb.unhover();
  await wb.runCommand('View: Close All Editors');
});

// ---- German display language (VSCODE_LOCALE=de): the engine's words come from its German catalog -----------

check('German: CodeLens, hover, diagnostic and the preview\'s walk in words', async wb => {
  await wb.openFile('service.yaml');
  await wb.waitForEditorText('externalTrafficPolicy');
  const lens = await wb.waitForCodeLens('NAT:', { timeout: 30000 });
  assert.match(lens, /NAT: 2 Endpoints bereit · extern: SNAT, die Client-IP geht verloren/);
  const hover = await wb.hover('externalTrafficPolicy', { contains: 'externalTrafficPolicy: Cluster', timeout: 30000 });
  assert.match(hover, /externer Traffic wird auf alle Endpoints verteilt und per SNAT umgeschrieben: der Pod sieht die Client-IP nie/);
  assert.match(hover, /Externer Client 203\.0\.113\.10 über NodePort 30080 auf node-a: DNAT auf/);
  await wb.page.waitForTimeout(500);
  await wb.shot('de-hover');
  await wb.unhover();
  await wb.waitForSquiggle('info', { timeout: 30000 });
  const problems = (await wb.problems()).join('\n');
  assert.match(problems, /Client-IP geht verloren: Bei externalTrafficPolicy Cluster werden externe Verbindungen auf dem Node maskiert/);
  await wb.shot('de-problems');
  // the CodeLens's own command opens the preview of this file; with the Problems panel focused the
  // editor group is no longer the active one, so the lens is found in the page
  await wb.page.locator('.codelens-decoration a', { hasText: 'NAT:' }).first().click();
  await wb.webviewText('.view-lines', { contains: 'KUBE-NODEPORTS', timeout: 30000 });
  const view = await wb.webview();
  // the preview's own labels and the engine's choices and checklist follow the display language too
  assert.match(await view.locator('#walk-title').textContent(), /Paketweg/);
  assert.match(await view.locator('#debug-toggle').textContent(), /Auf einem Node prüfen/);
  assert.match(await view.locator('#debug-list .debug-item .title').first().textContent(), /Der Service, wie der API-Server ihn gespeichert hat/);
  const entry = await view.locator('#entry-select option', { hasText: 'NodePort 30080 auf node-a' }).first().getAttribute('value');
  await view.locator('#entry-select').selectOption(entry);
  await view.locator('#walk-button').click();
  const words = await wb.webviewText('#walk-summary', { contains: 'bekommt DNAT', timeout: 30000 });
  assert.match(words, /\(von einem externen Client, Eintritt über node-a\) bekommt DNAT auf einen von 2 Endpoints, pro Verbindung zufällig gewählt: .*\(50\u00a0%\)/);
  assert.match(words, /Die Client-Adresse 203\.0\.113\.10 sieht der Pod nicht\./);
  await view.locator('#walk-summary').scrollIntoViewIfNeeded();
  await wb.page.waitForTimeout(500);
  await wb.shot('de-preview');
}, { locale: 'de' });

check('selftest: squiggle, hover and quick fix (TypeScript)', async wb => {
  fs.writeFileSync(path.join(wb.workspace, 'selftest.ts'),
    'import { readFileSync } from "fs";\nexport const answer: number = 42;\nconst wrong: number = "forty-two";\nexport { wrong };\n');
  await wb.openFile('selftest.ts');
  await wb.waitForSquiggle('error', { timeout: 60000 });
  const hover = await wb.hover('answer', { contains: 'const answer: number', timeout: 30000 });
  assert.match(hover, /const answer: number/);
  await wb.shot('selftest-hover');
  await wb.unhover();
  const titles = await wb.quickFix({ word: 'readFileSync', title: /Remove unused|Remove import/, shot: 'selftest-quickfix' });
  wb.log(`   offered: ${JSON.stringify(titles)}`);
  await wb.page.waitForFunction(() => !document.querySelector('.editor-group-container.active .view-lines')?.textContent.includes('readFileSync'), null, { timeout: 15000 });
  await wb.runCommand('View: Revert and Close Editor');
}, { selftest: true });

check('selftest: webview content (Markdown preview)', async wb => {
  fs.writeFileSync(path.join(wb.workspace, 'selftest.md'), '# Selftest heading\n\nHello from markdown.\n');
  await wb.openFile('selftest.md');
  await wb.runCommand('Markdown: Open Preview');
  const text = await wb.webviewText('h1', { contains: 'Selftest heading' });
  assert.equal(text, 'Selftest heading');
  await wb.shot('selftest-webview');
  await wb.runCommand('View: Close All Editors');
}, { selftest: true });

// ---- runner -----------------------------------------------------------------------------------------------------

const [base, workspace, shots] = process.argv.slice(2);
if (!base || !workspace || !shots) {
  console.error('usage: ui.mjs <base-url> <workspace> <shots-dir>');
  process.exit(2);
}
fs.mkdirSync(shots, { recursive: true });
for (const f of fs.readdirSync(shots)) if (f.endsWith('.png')) fs.rmSync(path.join(shots, f)); // no stale shots
const t0 = Date.now();
const stamp = () => `[ui ${((Date.now() - t0) / 1000).toFixed(1)}s]`;
const only = process.env.UI_CHECKS ? new RegExp(process.env.UI_CHECKS) : null;
const locale = process.env.VSCODE_LOCALE || 'en';
const selected = checks.filter(c => (process.env.UI_SELFTEST === '1' || !c.selftest) && c.locale === locale && (!only || only.test(c.name)));
const perCheckMs = Number(process.env.UI_CHECK_TIMEOUT_MS || 60000);
const debug = process.env.DEBUG_PAGE_CONSOLE === '1';

let passed = 0, failed = 0;
const { page, close } = await launchBrowser();
page.on('pageerror', e => console.error('pageerror:', e.message));
page.on('console', msg => {
  const ext = extensionHostText(msg); // the extension host's console (the extension's own logs)
  if (ext !== undefined && (debug || msg.type() === 'error')) console.error(`[extension host ${msg.type()}] ${ext}`);
  else if (ext === undefined && debug) console.error(`[page ${msg.type()}] ${msg.text()}`);
});
const wb = new Workbench(page, { workspace, shots, log: m => console.log(m) });
try {
  await page.goto(workbenchUrl(base, { folder: workspace }));
  await wb.ready();
  console.log(`${stamp()} workbench loaded`);
  for (const c of selected) {
    const t = Date.now();
    let timer;
    try {
      await Promise.race([
        c.fn(wb),
        new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`check timed out after ${c.timeoutMs ?? perCheckMs} ms`)), c.timeoutMs ?? perCheckMs); }),
      ]);
      passed++;
      console.log(`${stamp()} ok   ${c.name} (${Date.now() - t} ms)`);
    } catch (e) {
      failed++;
      // playwright's call log (what the locator waited for and saw) follows the first line: keep it for CI
      const [first, ...callLog] = String(e?.message ?? e).split('\n');
      console.log(`${stamp()} FAIL ${c.name}: ${first}`);
      for (const line of callLog.filter(l => l.trim()).slice(0, 20)) console.log(`       ${line}`);
      await wb.shot(`fail-${c.name}`).catch(() => {});
      await wb.escape(3).catch(() => {});
    } finally {
      clearTimeout(timer);
    }
  }
} catch (e) {
  failed++;
  console.log(`${stamp()} FATAL ${e?.stack ?? e}`);
  await wb.shot('fatal').catch(() => {});
} finally {
  await close();
}
if (selected.length === 0) { console.log(`no UI check matches ${only}`); failed++; }
console.log(`${stamp()} screenshots in ${shots}`);
if (process.env.VSCODE_RESULT_FILE) fs.writeFileSync(process.env.VSCODE_RESULT_FILE, `${passed} ${failed} ${failed ? 1 : 0}\n`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
