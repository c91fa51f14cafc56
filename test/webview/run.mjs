// Browser tests of the preview webview: builds the bundle, serves it under the host's own CSP (fresh
// nonce) with a fake acquireVsCodeApi, drives Debian's chromium with playwright-core and posts
// PreviewStates made by the real engine (fixtures.ts). One line per check, then "N passed, N failed".
//
//   node test/webview/run.mjs
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import * as esbuild from 'esbuild';
import { build, startServer, makeFixtures, newNonce, THEMES, testPage, launchBrowser, root } from './harness.mjs';

const started = Date.now();
// screenshots go to test-results/ (npm run screenshots copies the README's into docs/images/)
const SHOTS = join(root, 'test-results/webview');
mkdirSync(SHOTS, { recursive: true });

let passed = 0, failed = 0;
async function check(name, fn) {
  try {
    await fn();
    passed++;
    console.log(`PASS ${name}`);
  } catch (e) {
    failed++;
    console.log(`FAIL ${name}: ${(e instanceof Error ? e.message : String(e)).split('\n').slice(0, 3).join(' | ')}`);
  }
}
function assert(cond, message) {
  if (!cond) throw new Error(message);
}
const eq = (a, b, what) => assert(JSON.stringify(a) === JSON.stringify(b), `${what}: expected ${JSON.stringify(b)}, got ${JSON.stringify(a)}`);

// the real validator of webview -> host messages
const protocolJs = (await esbuild.build({ entryPoints: [join(root, 'protocol/preview.ts')], bundle: true, format: 'esm', write: false, platform: 'neutral', logLevel: 'silent' })).outputFiles[0].text;
const { parseWebviewMessage } = await import('data:text/javascript;base64,' + Buffer.from(protocolJs).toString('base64'));

build();
const server = await startServer();
const nonce = newNonce();
const { fixtures, xss, html } = makeFixtures(server.origin, nonce);
server.setPage(testPage(html, nonce, THEMES.dark));
const browser = await launchBrowser();
const page = await browser.context.newPage();
const pageErrors = [];
const consoleErrors = [];
page.on('pageerror', e => pageErrors.push(e.message));
page.on('console', m => { if (m.type() === 'error') consoleErrors.push(m.text()); });

// ---- helpers
const T = 5000;
const posted = () => page.evaluate(() => window.__posted);
const clearPosted = () => page.evaluate(() => { window.__posted.length = 0; });
async function lastPosted(type) {
  await page.waitForFunction(t => window.__posted.some(m => m.type === t), type, { timeout: T });
  return page.evaluate(t => window.__posted.filter(m => m.type === t).at(-1), type);
}
async function send(state) {
  await page.evaluate(s => window.postMessage({ type: 'state', state: s }, '*'), state);
  await page.waitForFunction(s => {
    const st = window.__natlens?.state();
    return st && st.fileName === s.fileName && st.rules.text === s.rules.text && JSON.stringify(st.walk?.entryId) === JSON.stringify(s.walk?.entryId) && st.rules.node === s.rules.node;
  }, state, { timeout: T });
  if (state.rules.text && !state.rules.unavailable) await page.waitForFunction(() => document.querySelectorAll('.view-lines .view-line').length > 0, null, { timeout: T });
  await page.evaluate(() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r))));
}
const norm = s => s.replace(/\u00a0/g, ' ');
/** Viewport coordinates of a model position, after revealing it. */
async function at(line, column) {
  return page.evaluate(async ([line, column]) => {
    const ed = window.__natlens.editor;
    ed.revealPositionInCenterIfOutsideViewport({ lineNumber: line, column }, 1);
    await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
    const p = ed.getScrolledVisiblePosition({ lineNumber: line, column });
    const r = ed.getDomNode().getBoundingClientRect();
    return { x: r.left + p.left + 2, y: r.top + p.top + p.height / 2 };
  }, [line, column]);
}
const lineOf = (state, pred) => state.rules.text.split('\n').findIndex(pred);
async function tokenAt(line, column) {
  const { x, y } = await at(line, column);
  return page.evaluate(([x, y]) => {
    const el = document.elementFromPoint(x, y);
    const span = el?.closest('.view-line span span') ?? el;
    const base = getComputedStyle(document.querySelector('.monaco-editor .view-lines')).color;
    return { cls: span?.className ?? '', color: span ? getComputedStyle(span).color : '', text: span?.textContent ?? '', base };
  }, [x, y]);
}
async function hoverText(line, column, expect) {
  await page.mouse.move(5, 5);
  await page.keyboard.press('Escape');
  const { x, y } = await at(line, column);
  await page.mouse.move(x, y);
  await page.mouse.move(x + 3, y);
  await page.waitForFunction(e => [...document.querySelectorAll('.monaco-hover')].some(h => h.offsetParent !== null && h.textContent.includes(e)), expect, { timeout: T })
    .catch(async () => { throw new Error(`no hover with "${expect}"; saw: ${await page.evaluate(() => [...document.querySelectorAll('.monaco-hover')].map(h => h.textContent).join(' / '))}`); });
  return page.evaluate(() => [...document.querySelectorAll('.monaco-hover')].filter(h => h.offsetParent !== null).map(h => h.textContent).join('\n'));
}
async function ctrlClick(line, column) {
  const { x, y } = await at(line, column);
  await page.mouse.move(x - 20, y);
  await page.keyboard.down('Control');
  await page.mouse.move(x, y);
  await page.mouse.move(x + 2, y);
  await page.mouse.down();
  await page.mouse.up();
  await page.keyboard.up('Control');
}
const position = () => page.locator('#step-position').textContent();
const highlighted = () => page.evaluate(() => window.__natlens.highlightedLine());
/** Steps of a branch as the pane builds them: hops, the end, the reply. */
const stepCount = (walk, i) => walk.outcomes[i].hops.length + 1 + walk.outcomes[i].reply.length;
function likeliest(walk) {
  let best = 0;
  walk.outcomes.forEach((o, i) => { if (o.probability > walk.outcomes[best].probability + 1e-9) best = i; });
  return best;
}

const lb = fixtures.loadbalancer;
const lbWalk = lb.walk;
const main = likeliest(lbWalk);
const dnatIndex = lbWalk.outcomes[main].hops.findIndex(h => h.action.startsWith('DNAT'));

try {
  await page.goto(server.origin + '/');

  await check('ready is the first message, before any state', async () => {
    await page.waitForFunction(() => window.__posted.length > 0, null, { timeout: T });
    const m = await posted();
    eq(m[0], { type: 'ready' }, 'first message');
    assert(parseWebviewMessage(m[0]), 'ready is a valid WebviewMessage');
    assert(await page.locator('#loading').isVisible(), 'a waiting note before the first state');
  });

  await check('bundle loads under the strict CSP: no violation, no error, no worker', async () => {
    const { csp, errors, workers } = await page.evaluate(() => ({ csp: window.__csp, errors: window.__errors, workers: window.__natlens.workerRequests.count }));
    eq(csp, [], 'CSP violations');
    eq(errors, [], 'errors');
    eq(workers, 0, 'worker requests');
    const meta = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
    assert(meta.includes(`script-src 'nonce-${nonce}'`) && meta.includes("default-src 'none'") && !meta.includes('unsafe'), `CSP as the host sets it: ${meta}`);
  });

  await check('rules render: text visible, tokens coloured by the Monarch grammar', async () => {
    await send(lb);
    const svc = Object.keys(lb.rules.chains).find(c => c.startsWith('KUBE-SVC-'));
    const text = norm(await page.locator('.view-lines').innerText());
    assert(text.includes('*nat') && text.includes(`:${svc} - [0:0]`), 'rules text visible');
    const decl = lb.rules.chains[svc] + 1;
    // Monaco tokenizes and paints a line a frame or more after it is shown: wait for the spans
    let tok = await tokenAt(decl, 3);
    for (let i = 0; i < 30 && tok.text !== svc; i++) { await page.waitForTimeout(100); tok = await tokenAt(decl, 3); }
    assert(/\bmtk\d+\b/.test(tok.cls), `chain token has a Monarch class: ${tok.cls}`);
    assert(tok.text === svc, `token is the chain name: ${tok.text}`);
    assert(tok.color !== tok.base, `chain token is coloured (${tok.color} vs text ${tok.base})`);
    const dnat = lineOf(lb, l => l.includes('-j DNAT'));
    const addrAt = () => tokenAt(dnat + 1, lb.rules.text.split('\n')[dnat].indexOf('10.244.') + 2);
    let addr = await addrAt();
    for (let i = 0; i < 30 && (addr.color === tok.color || addr.color === addr.base); i++) { await page.waitForTimeout(100); addr = await addrAt(); }
    assert(addr.color !== tok.color && addr.color !== addr.base, `addresses have their own colour (${addr.text}: ${addr.color})`);
    const prob = lineOf(lb, l => l.includes('--probability'));
    const p = await tokenAt(prob + 1, lb.rules.text.split('\n')[prob].indexOf('0.5') + 2);
    assert(p.text.startsWith('0.5') && p.color !== p.base, `probability token coloured: ${p.text} ${p.color}`);
    const status = await page.locator('.rules-status').textContent();
    assert(status.includes('node-a') && status.includes('iptables'), `status line: ${status}`);
  });

  await check('folding: each chain run and each table folds', async () => {
    const filterEnd = lineOf(lb, l => l === 'COMMIT') + 1;
    const y = (await at(1, 1)).y;
    await page.waitForSelector('.margin-view-overlays .codicon-folding-expanded', { timeout: T });
    const chevron = await page.evaluate(y => {
      const els = [...document.querySelectorAll('.margin-view-overlays .codicon-folding-expanded')];
      const el = els.find(e => { const r = e.parentElement.getBoundingClientRect(); return r.top <= y && r.bottom >= y; });
      if (!el) return { count: els.length };
      const r = el.getBoundingClientRect(), row = el.parentElement.getBoundingClientRect();
      return { x: r.left + r.width / 2, y: row.top + row.height / 2, count: els.length };
    }, y);
    assert(chevron.count >= 5 && chevron.x !== undefined, `folding controls shown (${chevron.count})`);
    await page.mouse.click(chevron.x, chevron.y);
    await page.waitForFunction(() => !document.querySelector('.view-lines').innerText.replace(/\u00a0/g, ' ').includes(':KUBE-FORWARD - [0:0]'), null, { timeout: T });
    const ranges = await page.evaluate(() => window.__natlens.visibleLines());
    assert(ranges.length >= 1 && ranges[0][0] === 1 && !ranges.some(([a, b]) => a <= 5 && b >= 5) && ranges.some(([a, b]) => a <= filterEnd + 1 && b >= filterEnd + 1), `lines 2..${filterEnd} hidden: ${JSON.stringify(ranges)}`);
    assert(await page.locator('.margin-view-overlays .codicon-folding-collapsed').count() >= 1, 'a collapsed marker');
    await page.screenshot({ path: join(SHOTS, 'folded.png') });
    await page.mouse.click(chevron.x, chevron.y);
    await page.waitForFunction(() => document.querySelector('.view-lines').innerText.replace(/\u00a0/g, ' ').includes(':KUBE-FORWARD - [0:0]'), null, { timeout: T });
  });

  await check('Ctrl+click on a chain name jumps to its declaration', async () => {
    const svc = Object.keys(lb.rules.chains).find(c => c.startsWith('KUBE-SVC-'));
    const from = lineOf(lb, l => l.startsWith('-A KUBE-SERVICES') && l.endsWith(`-j ${svc}`));
    assert(from >= 0, 'a rule that jumps to the Service chain');
    const col = lb.rules.text.split('\n')[from].lastIndexOf(svc) + 3;
    await ctrlClick(from + 1, col);
    await page.waitForFunction(l => window.__natlens.cursorLine() === l, lb.rules.chains[svc] + 1, { timeout: T })
      .catch(async () => { throw new Error(`cursor at ${await page.evaluate(() => window.__natlens.cursorLine())}, wanted ${lb.rules.chains[svc] + 1}`); });
    // and F12 from an endpoint jump
    const sep = Object.keys(lb.rules.chains).find(c => c.startsWith('KUBE-SEP-'));
    const j = lineOf(lb, l => l.endsWith(`-j ${sep}`));
    await page.evaluate(([l, c]) => { const ed = window.__natlens.editor; ed.setPosition({ lineNumber: l, column: c }); ed.focus(); }, [j + 1, lb.rules.text.split('\n')[j].lastIndexOf(sep) + 3]);
    await page.keyboard.press('F12');
    await page.waitForFunction(l => window.__natlens.cursorLine() === l, lb.rules.chains[sep] + 1, { timeout: T });
  });

  await check('hover on a rule says what it does', async () => {
    const lines = lb.rules.text.split('\n');
    const dnat = lines.findIndex(l => l.includes('-j DNAT --to-destination 10.244.0.21:8443'));
    assert((await hoverText(dnat + 1, 5, 'DNAT to 10.244.0.21:8443')).includes('Endpoint'), 'DNAT hover names the endpoint');
    const masq = lines.findIndex(l => l.includes('-j KUBE-MARK-MASQ'));
    await hoverText(masq + 1, 5, 'marks the packet for masquerade');
    const prob = lines.findIndex(l => l.includes('--probability 0.5'));
    await hoverText(prob + 1, 5, 'probability 0.5: 1 of 2 remaining endpoints');
    const svcJump = lines.findIndex(l => l.startsWith('-A KUBE-SERVICES') && /-j KUBE-SVC-/.test(l));
    const t = await hoverText(svcJump + 1, 5, "(the Service's endpoint chain");
    assert(/jumps to KUBE-SVC-[A-Z0-9]+/.test(t), `names the chain: ${t}`);
    await page.screenshot({ path: join(SHOTS, 'hover.png') });
    await page.mouse.move(5, 5);
  });

  await check('hover on a REJECT rule: connection refused', async () => {
    await send(fixtures.noEndpoints);
    const l = lineOf(fixtures.noEndpoints, x => x.endsWith('-j REJECT'));
    await hoverText(l + 1, 5, 'REJECT: the client sees connection refused');
    await page.mouse.move(5, 5);
  });

  await check('diagram: client, both nodes with their pods and chances', async () => {
    await send(lb);
    const d = await page.evaluate(() => ({
      nodes: [...document.querySelectorAll('svg.diagram g.node')].map(g => g.getAttribute('data-node')),
      pods: [...document.querySelectorAll('svg.diagram g.pod')].map(g => g.textContent),
      chosen: document.querySelector('svg.diagram g.pod.chosen')?.getAttribute('data-endpoint'),
      client: document.querySelector('svg.diagram g.client')?.textContent,
      inner: document.querySelector('svg.diagram').innerHTML.length,
    }));
    eq(d.nodes, ['node-a', 'node-b'], 'nodes');
    eq(d.pods, ['10.244.0.21:844350%', '10.244.1.22:844350%'], 'pods with their probability');
    eq(d.chosen, lbWalk.outcomes[main].endpoint, 'the likeliest branch is chosen');
    assert(d.client.includes('203.0.113.10'), `client: ${d.client}`);
    eq(await page.locator('#walk-summary').textContent(), lbWalk.summary, 'summary text');
    eq(await position(), `Step 1 of ${stepCount(lbWalk, main)}`, 'position');
  });

  await check('stepping with the buttons moves the rule highlight and the packet', async () => {
    const hops = lbWalk.outcomes[main].hops;
    const firstLine = hops.findIndex(h => h.line !== null && h.node === lb.rules.node);
    for (let i = 0; i < firstLine; i++) await page.click('#step-next');
    eq(await position(), `Step ${firstLine + 1} of ${stepCount(lbWalk, main)}`, 'position');
    eq(await highlighted(), hops[firstLine].line, 'highlighted line');
    const deco = await page.evaluate(() => document.querySelectorAll('.current-step-line').length);
    assert(deco > 0, 'the line decoration is rendered');
    for (let i = firstLine; i < dnatIndex; i++) await page.click('#step-next');
    eq(await highlighted(), hops[dnatIndex].line, 'DNAT rule highlighted');
    const after = await page.locator('#packet-after').textContent();
    assert(after.includes(hops[dnatIndex].after.dst + ':' + hops[dnatIndex].after.dport) && after.includes('DNAT'), `packet after DNAT: ${after}`);
    assert(await page.locator('#packet-after .changed.dnat').count() === 1, 'the rewritten destination is marked');
    assert((await page.locator('#packet-before').textContent()).includes('192.168.0.2:31443'), 'packet before');
    await page.screenshot({ path: join(SHOTS, 'preview-stepping.png') });
    await page.click('#step-back');
    eq(await highlighted(), hops[dnatIndex - 1].line, 'back: previous rule');
    assert(!(await page.locator('#packet-after').textContent()).includes('DNAT'), 'back: no DNAT yet');
    const snat = hops.findIndex(h => h.action.startsWith('MASQUERADE'));
    for (let i = dnatIndex - 1; i < snat; i++) await page.click('#step-next');
    assert((await page.locator('#packet-after').textContent()).includes('SNAT'), 'masquerade marked as SNAT');
  });

  await check('stepping with the keyboard: ←/→/Home/End', async () => {
    const hops = lbWalk.outcomes[main].hops;
    await page.click('#step-position');
    await page.keyboard.press('Home');
    eq(await position(), `Step 1 of ${stepCount(lbWalk, main)}`, 'Home');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    eq(await position(), `Step 3 of ${stepCount(lbWalk, main)}`, '→ →');
    eq(await highlighted(), hops[2].line, 'highlight follows');
    await page.keyboard.press('ArrowLeft');
    eq(await position(), `Step 2 of ${stepCount(lbWalk, main)}`, '←');
    await page.keyboard.press('End');
    eq(await position(), `Step ${stepCount(lbWalk, main)} of ${stepCount(lbWalk, main)}`, 'End');
    assert((await page.locator('#packet-view').textContent()).includes('client receives the reply'), 'the last step is the reply to the client');
    // from a step in the list, the arrows move the current step and keep focus on it
    await page.click('#step-list [data-step="4"]');
    await page.keyboard.press('ArrowRight');
    eq(await position(), `Step 6 of ${stepCount(lbWalk, main)}`, 'arrows in the step list');
    assert(await page.evaluate(() => document.activeElement?.getAttribute('data-step')) === '5', 'focus follows the current step');
    // but not while a select has focus
    await page.focus('#branch-select');
    eq(await position(), `Step 6 of ${stepCount(lbWalk, main)}`, 'unchanged');
  });

  await check('branches: pick another endpoint (select and diagram); steps on another node say so', async () => {
    const other = lbWalk.outcomes.findIndex((o, i) => i !== main && o.endpointNode === 'node-b');
    await page.selectOption('#branch-select', String(other));
    eq(await page.evaluate(() => document.querySelector('svg.diagram g.pod.chosen')?.getAttribute('data-endpoint')), lbWalk.outcomes[other].endpoint, 'chosen pod follows the branch');
    const onB = lbWalk.outcomes[other].hops.findIndex(h => h.node === 'node-b');
    await page.click(`#step-list [data-step="${onB}"]`);
    const note = await page.locator('#step-note').textContent();
    assert(note.includes('on node-b: select node-b to see its rules'), `note: ${note}`);
    eq(await highlighted(), null, 'no highlight for another node');
    await clearPosted();
    await page.click('#step-note-action');
    eq(await lastPosted('select'), { type: 'select', node: 'node-b' }, 'Show node-b');
    // the host answers with node-b's rules: the same step now has its line there
    await send(fixtures.loadbalancerNodeB);
    const hopB = fixtures.loadbalancerNodeB.walk.outcomes[other].hops;
    const withLine = hopB.findIndex(h => h.node === 'node-b' && h.line !== null);
    await page.click(`#step-list [data-step="${withLine}"]`);
    eq(await highlighted(), hopB[withLine].line, 'node-b rule highlighted');
    // back to node-a, and pick the first branch by clicking its pod
    await send(lb);
    await page.click(`svg.diagram g.pod[data-endpoint="${lbWalk.outcomes[main].endpoint}"]`);
    eq(await page.inputValue('#branch-select'), String(main), 'clicking a pod picks its branch');
    await page.focus(`svg.diagram g.pod[data-endpoint="${lbWalk.outcomes[other].endpoint}"]`);
    await page.keyboard.press('Enter');
    eq(await page.inputValue('#branch-select'), String(other), 'Enter on a pod picks its branch');
  });

  await check('message protocol: trace, select, copy, openText, editProfile, saveProfile are valid', async () => {
    await send(lb);
    await clearPosted();
    await page.selectOption('#source-select', 'pod:node-b');
    eq(await lastPosted('trace'), { type: 'trace', source: 'pod:node-b', entry: lbWalk.entryId }, 'trace on source change');
    await page.selectOption('#entry-select', 'clusterIP');
    eq(await lastPosted('trace'), { type: 'trace', source: 'pod:node-b', entry: 'clusterIP' }, 'trace on entry change');
    await page.selectOption('#node-select', 'node-b');
    eq(await lastPosted('select'), { type: 'select', node: 'node-b' }, 'node');
    await page.selectOption('#mode-select', 'nftables');
    eq(await lastPosted('select'), { type: 'select', mode: 'nftables' }, 'mode');
    await page.click('[data-format="save"]');
    eq(await lastPosted('select'), { type: 'select', format: 'save' }, 'format');
    await page.selectOption('#service-select', 'prod/api');
    eq(await lastPosted('select'), { type: 'select', service: 'prod/api' }, 'service');
    await page.click('#copy-rules');
    eq(await lastPosted('copy'), { type: 'copy', text: lb.rules.text }, 'copy');
    await page.click('#open-text');
    eq(await lastPosted('openText'), { type: 'openText' }, 'open as text');
    await page.fill('#profile-cluster-cidr', '10.0.0.0/8');
    await page.press('#profile-cluster-cidr', 'Enter');
    eq(await lastPosted('editProfile'), { type: 'editProfile', patch: { clusterCIDR: '10.0.0.0/8' } }, 'clusterCIDR');
    await page.click('#profile-masquerade-all');
    eq(await lastPosted('editProfile'), { type: 'editProfile', patch: { masqueradeAll: true } }, 'masqueradeAll');
    await page.click('#profile-random-fully');
    eq(await lastPosted('editProfile'), { type: 'editProfile', patch: { iptablesRandomFully: false } }, 'random-fully');
    await page.fill('tr[data-node="node-b"] input[data-field="ips"]', '192.168.0.3, 192.168.0.33');
    await page.press('tr[data-node="node-b"] input[data-field="ips"]', 'Tab');
    eq(await lastPosted('editProfile'), { type: 'editProfile', patch: { node: { name: 'node-b', ips: ['192.168.0.3', '192.168.0.33'] } } }, 'node IPs');
    await page.fill('tr[data-node="node-a"] input[data-field="podGateway"]', '');
    await page.press('tr[data-node="node-a"] input[data-field="podGateway"]', 'Tab');
    eq(await lastPosted('editProfile'), { type: 'editProfile', patch: { node: { name: 'node-a', podGateway: null } } }, 'pod gateway cleared');
    await page.click('#save-profile');
    eq(await lastPosted('saveProfile'), { type: 'saveProfile' }, 'save');
    const all = await posted();
    const bad = all.filter(m => !parseWebviewMessage(m));
    eq(bad, [], 'every posted message passes parseWebviewMessage');
  });

  const debugItems = () => page.evaluate(() => [...document.querySelectorAll('#debug-list .debug-item')].map(li => ({
    title: li.querySelector('.title').textContent, runOn: li.querySelector('.run-on').textContent.trim(),
    command: li.querySelector('.command').textContent, lookFor: li.querySelector('.look-for').textContent,
  })));
  await check('debug on a node: the state\'s commands as text, Copy and Copy all post them, the list follows node and mode', async () => {
    await send(lb);
    const d = lb.debug;
    eq(await page.getAttribute('#debug-toggle', 'aria-expanded'), 'true', 'expanded at first');
    const svcChain = Object.keys(lb.rules.chains).find(c => c.startsWith('KUBE-SVC-'));
    assert(d.commands.some(c => c.command === `iptables -t nat -L ${svcChain} -n -v`), `the engine filled in ${svcChain}`);
    eq(await debugItems(), d.commands.map(c => ({ title: c.title, runOn: c.runOn, command: c.command, lookFor: `Look for: ${c.lookFor}` })), 'every command, in order');
    eq(await page.locator('#debug-subject').textContent(), `${d.service} port ${d.port} on node-a, iptables mode`, 'which Service, port, node and mode');
    const withExpected = d.commands.findIndex(c => c.expected.length > 0);
    eq(await page.locator(`#debug-list [data-index="${withExpected}"] details.expected pre`).textContent(), d.commands[withExpected].expected.join('\n'), 'expected output lines');
    await clearPosted();
    const k = d.commands.findIndex(c => c.command.includes(svcChain));
    await page.click(`#debug-list [data-index="${k}"] .copy-command`);
    eq(await lastPosted('copy'), { type: 'copy', text: d.commands[k].command }, 'Copy posts that command');
    await page.focus('#debug-list [data-index="0"] .copy-command');
    await page.keyboard.press('Enter');
    eq(await lastPosted('copy'), { type: 'copy', text: d.commands[0].command }, 'Copy from the keyboard');
    await page.click('#debug-copy-all');
    const all = await lastPosted('copy');
    eq(all, { type: 'copy', text: d.text }, 'Copy all posts the checklist');
    for (const c of d.commands) assert(all.text.includes(`$ ${c.command}\n`), `Copy all has ${c.command}`);
    eq((await posted()).filter(m => !parseWebviewMessage(m)), [], 'every copy passes parseWebviewMessage');
    const expectedBox = `#debug-list [data-index="${withExpected}"] details.expected`;
    await page.click(`${expectedBox} summary`);
    await send(fixtures.loadbalancerSave);
    assert(await page.locator(expectedBox).evaluate(e => e.open), 'the same commands in a new state: the open expected output stays open');
    await send(lb);
    await page.evaluate(() => document.getElementById('debug-pane').scrollIntoView({ block: 'start' }));
    for (const [name, theme] of [['light', THEMES.light], ['high-contrast', THEMES.highContrast], ['dark', THEMES.dark]]) {
      await page.evaluate(t => window.__setTheme(t), theme);
      await page.screenshot({ path: join(SHOTS, name === 'dark' ? 'debug.png' : `debug-${name}.png`) });
    }
    await page.setViewportSize({ width: 420, height: 860 });
    try {
      await page.locator(`${expectedBox} pre`).scrollIntoViewIfNeeded();
      // expected output scrolls sideways inside its own box; everything else wraps
      const overflow = await page.evaluate(() => [...document.querySelectorAll('#debug-pane *:not(pre *)')]
        .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 0.5).map(e => `${e.tagName} ${e.textContent.slice(0, 40)}`));
      eq(overflow, [], 'nothing of the debug pane past the right edge at 420 px');
      await page.screenshot({ path: join(SHOTS, 'debug-narrow.png') });
    } finally {
      await page.setViewportSize({ width: 1280, height: 860 });
    }
    await send(fixtures.loadbalancerNft);
    assert((await debugItems()).some(c => c.command.startsWith('nft list chain ip kube-proxy service-')), 'nftables mode: nft list chain');
    assert((await page.locator('#debug-subject').textContent()).endsWith('nftables mode'), 'subject says the mode');
    await send(fixtures.loadbalancerNodeB);
    const onB = await debugItems();
    assert(onB.some(c => c.command === 'kubectl debug node/node-b -it --profile=sysadmin --image=busybox -- chroot /host') && !onB.some(c => c.runOn.startsWith('node node-a')), 'node-b: its shell and commands');
    await page.click('#debug-toggle');
    eq(await page.getAttribute('#debug-toggle', 'aria-expanded'), 'false', 'collapsed');
    assert(await page.locator('#debug-body').isHidden(), 'the commands are hidden');
    await page.keyboard.press('Enter');
    assert(await page.locator('#debug-body').isVisible(), 'Enter on the header expands it again');
  });

  await check('invalid host messages are ignored', async () => {
    await send(lb);
    const bad = [null, 42, 'state', [], {}, { type: 'bogus' }, { type: 'state' }, { type: 'state', state: {} }, { type: 'state', state: { ...lb, rules: { ...lb.rules, text: 5 } } },
      { type: 'state', state: { ...lb, fileName: 7 } }, { type: 'state', state: { ...lb, walk: 'x' } }, { type: 'error' }, { type: 'error', message: { html: '<b>' } }];
    for (const m of bad) await page.evaluate(m => window.postMessage(m, '*'), m);
    await page.waitForTimeout(150);
    eq(await page.locator('#file-name').textContent(), lb.fileName, 'still the last valid state');
    assert(await page.locator('#error-banner').isHidden(), 'no error banner');
    eq(pageErrors, [], 'no page errors');
  });

  await check('a state malformed deeper down is not rendered, and the banner names the field and why', async () => {
    // well-formed at the top, so it is the host's state: the user hears why it is not shown, not silence
    const deep = [
      [{ ...lb, fileName: 'deep.yaml', profile: { ...lb.profile, nodes: 'node-a' } }, 'state.profile.nodes: expected a list, got a string'],
      [{ ...lb, fileName: 'deep.yaml', rules: { ...lb.rules, chains: { X: 'top' } } }, 'state.rules.chains.X: expected an integer, got a string'],
      [{ ...lb, fileName: 'deep.yaml', walk: { ...lb.walk, outcomes: [{ ...lb.walk.outcomes[0], hops: [{ node: 1 }] }] } }, 'state.walk.outcomes[0].hops[0].node: expected a string, got number 1'],
      [{ ...lb, fileName: 'deep.yaml', sources: [{ id: 'x', label: { toString: null } }] }, 'state.sources[0].label: expected a string, got a mapping'],
      [{ ...lb, fileName: 'deep.yaml', debug: { ...lb.debug, commands: [{ ...lb.debug.commands[0], command: ['rm', '-rf'] }] } }, 'state.debug.commands[0].command: expected a string, got a list'],
      [{ ...lb, fileName: 'deep.yaml', rules: { ...lb.rules }, selectedPort: 0.5 }, 'state.selectedPort: expected an integer, got number 0.5'],
    ];
    for (const [state, reason] of deep) {
      await send(lb);
      assert(await page.locator('#error-banner').isHidden(), 'a valid state clears the banner');
      await page.evaluate(s => window.postMessage({ type: 'state', state: s }, '*'), state);
      await page.waitForSelector('#error-banner:not([hidden])', { timeout: T });
      const text = await page.locator('#error-banner').textContent();
      assert(text.includes(`The preview could not show the new state: ${reason}.`), `banner: ${text}`);
      assert(text.includes('last state that could be shown'), 'says the panes are the last state');
      eq(await page.locator('#file-name').textContent(), lb.fileName, 'the panes keep the last valid state');
    }
    await send(lb);
    eq(pageErrors, [], 'no page errors');
  });

  await check('host error message shows as text in a banner', async () => {
    await page.evaluate(() => window.postMessage({ type: 'error', message: '<b>generation failed</b>' }, '*'));
    await page.waitForSelector('#error-banner:not([hidden])', { timeout: T });
    assert((await page.locator('#error-banner').textContent()).includes('<b>generation failed</b>'), 'literal text');
    eq(await page.locator('#error-banner b').count(), 0, 'no markup');
    await send(lb);
    assert(await page.locator('#error-banner').isHidden(), 'a new state clears it');
  });

  await check('persist message and UI state survive a reload', async () => {
    await page.evaluate(() => window.postMessage({ type: 'persist', state: { uri: 'file:///work/examples/loadbalancer.yaml', selection: { node: 'node-a' } } }, '*'));
    await page.selectOption('#branch-select', String(main));
    await page.click('#step-position');
    await page.keyboard.press('Home');
    for (let i = 0; i < 4; i++) await page.keyboard.press('ArrowRight');
    await page.focus('#sash');
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('ArrowLeft');
    await page.waitForTimeout(120);
    const split = await page.evaluate(() => document.getElementById('panes').style.getPropertyValue('--split'));
    const saved = await page.evaluate(() => JSON.parse(sessionStorage.getItem('vscodeState')));
    eq(saved.host, { uri: 'file:///work/examples/loadbalancer.yaml', selection: { node: 'node-a' } }, 'host state kept for the serializer');
    await page.reload();
    await page.waitForFunction(() => window.__posted.some(m => m.type === 'ready'), null, { timeout: T });
    await send(lb);
    eq(await position(), `Step 5 of ${stepCount(lbWalk, main)}`, 'step restored');
    eq(await page.evaluate(() => document.getElementById('panes').style.getPropertyValue('--split')), split, 'pane size restored');
    eq((await page.evaluate(() => JSON.parse(sessionStorage.getItem('vscodeState')))).host, saved.host, 'host state still there');
  });

  await check('iptables-save format: the walk highlights the same rules there', async () => {
    const st = fixtures.loadbalancerSave;
    await send(st);
    const hops = st.walk.outcomes[likeliest(st.walk)].hops;
    const k = hops.findIndex(h => h.action.startsWith('DNAT'));
    assert(hops[k].line !== null, 'the engine mapped the DNAT rule into the save text');
    await page.click('#step-position');
    await page.keyboard.press('Home');
    for (let i = 0; i < k; i++) await page.keyboard.press('ArrowRight');
    eq(await highlighted(), hops[k].line, 'highlighted line in the save form');
    assert(st.rules.text.split('\n')[hops[k].line].includes('DNAT'), 'it is the DNAT rule');
    eq(await page.getAttribute('[data-format="save"]', 'aria-pressed'), 'true', 'format toggle shows save');
  });

  await check('nftables: tokens, hover on the random pick, jump to an endpoint chain', async () => {
    const st = fixtures.loadbalancerNft;
    await send(st);
    const lines = st.rules.text.split('\n');
    const svc = Object.keys(st.rules.chains).find(c => c.startsWith('service-'));
    const tok = await tokenAt(st.rules.chains[svc] + 1, lines[st.rules.chains[svc]].indexOf(svc) + 2);
    assert(tok.text === svc && tok.color !== tok.base, `nft chain token coloured: ${tok.text} ${tok.color}`);
    const numgen = lines.findIndex(l => l.includes('numgen random mod 2'));
    await hoverText(numgen + 1, 5, 'picks one of 2 endpoints at random');
    const dnat = lines.findIndex(l => l.includes('dnat to 10.244.0.21:8443'));
    await hoverText(dnat + 1, 5, 'DNAT to 10.244.0.21:8443');
    await page.mouse.move(5, 5);
    const ep = Object.keys(st.rules.chains).find(c => c.startsWith('endpoint-'));
    await ctrlClick(numgen + 1, lines[numgen].indexOf(ep) + 3);
    await page.waitForFunction(l => window.__natlens.cursorLine() === l, st.rules.chains[ep] + 1, { timeout: T });
    await page.screenshot({ path: join(SHOTS, 'nftables.png') });
    assert(await page.locator('[data-format="save"]').isDisabled(), 'format toggle off for nftables');
  });

  await check('IPVS: ipvsadm -Ln, ipset save and the iptables rules in the rules pane', async () => {
    await send(fixtures.loadbalancerIpvs);
    await page.waitForFunction(() => document.querySelector('#rules-editor .view-lines')?.textContent.includes('KUBE-CLUSTER-IP'), null, { timeout: T });
    assert(await page.locator('.unavailable').isHidden(), 'no unavailable message');
    eq(await page.inputValue('#mode-select'), 'ipvs', 'mode select');
  });

  await check('a DROP walk and a file without a walk', async () => {
    const st = fixtures.nodeportLocalDrop;
    await send(st);
    eq(await page.evaluate(() => document.querySelector('svg.diagram .stop .verdict')?.textContent), 'DROP', 'the diagram shows where it stops');
    assert(await page.locator('.branch').isHidden(), 'one branch: no branch picker');
    await page.click('#step-position');
    await page.keyboard.press('Home');
    assert((await page.locator('#step-note').textContent()).includes('on node-b: select node-b to see its rules'), 'the walk starts on node-b');
    await send(fixtures.nodeportLocalNoWalk);
    assert(await page.locator('#walk-empty').isVisible(), 'an explanation instead of a walk');
    await clearPosted();
    await page.selectOption('#entry-select', 'clusterIP');
    await clearPosted();
    await page.click('#walk-button');
    const source = await page.inputValue('#source-select');
    eq(await lastPosted('trace'), { type: 'trace', source, entry: 'clusterIP' }, 'Walk posts a trace');
    assert(fixtures.nodeportLocalNoWalk.sources.some(s => s.id === source), 'a source of this state');
    eq(await page.evaluate(() => [...document.querySelectorAll('svg.diagram g.pod')].map(p => p.getAttribute('data-endpoint'))), ['10.244.0.10:8080'], 'pods placed by pod CIDR without a walk');
  });

  await check('German: a state in locale de relabels the preview, and English comes back with an English state', async () => {
    const text = sel => page.evaluate(q => document.querySelector(q)?.textContent ?? null, sel);
    await send(fixtures.nodeportLocalDe);
    await page.waitForFunction(() => document.documentElement.lang === 'de', null, { timeout: T });
    assert((await text('#walk-title')).includes('Paketweg'), `walk title: ${await text('#walk-title')}`);
    assert((await text('#rules-title')).includes('Regeln'), 'rules title');
    assert((await text('#debug-toggle')).includes('Auf einem Node prüfen'), 'debug toggle');
    assert((await text('#assumptions-title')).includes('Annahmen'), 'assumptions title');
    eq(await page.getAttribute('#step-first', 'aria-label'), 'Erster Schritt (Pos1)', 'stepper buttons');
    assert(/^Schritt \d+ von \d+$/.test(await text('#step-position')), `position: ${await text('#step-position')}`);
    assert((await text('#walk-summary')).includes('verworfen') || (await text('#walk-summary')).includes('DROP'), `the engine's summary in German: ${await text('#walk-summary')}`);
    const english = ['Packet walk', 'Look for', 'Copy all', 'Debug on a node', 'In words', 'Every step', 'What the model assumed', 'Save to profile file'];
    const body = await page.evaluate(() => document.body.innerText);
    for (const w of english) assert(!body.includes(w), `no English label "${w}" left`);
    await page.screenshot({ path: join(SHOTS, 'preview-de.png') });
    await send(fixtures.nodeportLocalDrop);
    await page.waitForFunction(() => document.documentElement.lang === 'en', null, { timeout: T });
    assert((await text('#walk-title')).includes('Packet walk'), 'English again');
  });

  const themeLook = () => page.evaluate(() => {
    const ed = document.querySelector('.monaco-editor .monaco-editor-background') ?? document.querySelector('.monaco-editor');
    const chain = [...document.querySelectorAll('.view-line span span')].find(s => /^KUBE-SVC-/.test(s.textContent));
    return { body: getComputedStyle(document.body).backgroundColor, editor: getComputedStyle(ed).backgroundColor, chain: chain ? getComputedStyle(chain).color : '', button: getComputedStyle(document.querySelector('#walk-button')).backgroundColor };
  });
  await check('theme switch: light, dark and high contrast change the colours (editor too)', async () => {
    await send(lb);
    await page.click('#step-position');
    await page.keyboard.press('Home');
    for (let i = 0; i < dnatIndex; i++) await page.keyboard.press('ArrowRight');
    const looks = {};
    for (const [name, theme] of Object.entries(THEMES)) {
      await page.evaluate(t => window.__setTheme(t), theme);
      await page.waitForFunction(k => document.documentElement.getAttribute('data-theme-kind') === k, { light: 'light', dark: 'dark', highContrast: 'hc-dark' }[name], { timeout: T });
      await page.evaluate(() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r))));
      looks[name] = await themeLook();
      const file = { light: 'preview-light.png', dark: 'preview-dark.png', highContrast: 'preview-high-contrast.png' }[name];
      await page.screenshot({ path: join(SHOTS, file) });
    }
    const rgb = hex => `rgb(${parseInt(hex.slice(1, 3), 16)}, ${parseInt(hex.slice(3, 5), 16)}, ${parseInt(hex.slice(5, 7), 16)})`;
    for (const [name, theme] of Object.entries(THEMES)) {
      eq(looks[name].body, rgb(theme.vars['editor-background']), `${name} body background`);
      eq(looks[name].editor, rgb(theme.vars['editor-background']), `${name} Monaco background from the CSS variable`);
    }
    assert(new Set(Object.values(looks).map(l => l.chain)).size >= 2 && looks.light.chain !== looks.dark.chain, `token colours follow the theme kind: ${JSON.stringify(looks)}`);
    assert(looks.light.button !== looks.highContrast.button, 'buttons follow --vscode-button-background');
    await page.evaluate(t => window.__setTheme(t), THEMES.dark);
  });

  await check('narrow width: panes stack and stay usable', async () => {
    await page.setViewportSize({ width: 600, height: 900 });
    await page.waitForTimeout(150);
    const r = await page.evaluate(() => {
      const a = document.getElementById('rules-pane').getBoundingClientRect(), b = document.querySelector('.side').getBoundingClientRect();
      return { rulesBottom: a.bottom, sideTop: b.top, rulesWidth: a.width, sideWidth: b.width, scrollW: document.documentElement.scrollWidth };
    });
    assert(r.sideTop >= r.rulesBottom - 1, `stacked: ${JSON.stringify(r)}`);
    assert(r.rulesWidth > 560 && r.sideWidth > 560, `full width: ${JSON.stringify(r)}`);
    assert(r.scrollW <= 600, `no horizontal scrolling of the page (${r.scrollW})`);
    assert(await page.locator('#step-next').isVisible() || (await page.locator('#step-next').boundingBox()) !== null, 'step controls present');
    await page.screenshot({ path: join(SHOTS, 'narrow.png'), fullPage: true });
    await page.setViewportSize({ width: 1280, height: 860 });
  });

  await check('keyboard access: labelled controls in tab order, visible focus', async () => {
    const info = await page.evaluate(() => {
      const controls = [...document.querySelectorAll('button, select, input, [tabindex="0"]')].filter(e => e.offsetParent !== null || e instanceof SVGElement);
      const unlabeled = controls.filter(e => !(e.getAttribute('aria-label') || e.textContent.trim() || e.closest('label') || e.getAttribute('title')));
      return { n: controls.length, unlabeled: unlabeled.map(e => e.outerHTML.slice(0, 80)) };
    });
    eq(info.unlabeled, [], 'controls without a label');
    await page.focus('#service-select');
    await page.keyboard.press('Tab');
    eq(await page.evaluate(() => document.activeElement.id), 'port-select', 'tab order');
    await page.focus('#copy-rules');
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Tab');
    const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
    assert(outline !== 'none', `focus is visible (${outline})`);
  });

  await check('XSS: markup in names, comments and rules renders as text and never runs', async () => {
    const st = fixtures.xss;
    await send(st);
    await page.click('#step-position');
    await page.keyboard.press('Home');
    for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowRight');
    const lines = st.rules.text.split('\n');
    const l = lines.findIndex(x => x.includes('-j KUBE-SVC-') && x.includes(xss.img));
    const hover = await hoverText(l + 1, 5, 'onerror=');
    assert(hover.includes(xss.img), `hover shows the literal comment: ${hover}`);
    await page.waitForTimeout(200);
    const r = await page.evaluate(() => ({
      flag: window.__xss,
      scripts: document.scripts.length,
      handlers: document.querySelectorAll('[onerror], [onload], [onclick]').length,
      imgs: [...document.querySelectorAll('img')].map(i => i.src),
      svgs: document.querySelectorAll('svg').length - document.querySelectorAll('svg.diagram').length,
      fileName: document.getElementById('file-name').textContent,
      service: document.querySelector('#service-select').selectedOptions[0]?.textContent,
      options: [...document.querySelectorAll('#service-select option, #port-select option')].map(o => o.textContent),
      rules: document.querySelector('.view-lines').innerText.replace(/\u00a0/g, ' '),
      stepRule: document.querySelector('.step-rule')?.textContent ?? '',
      assumptions: document.getElementById('assumptions-list').textContent,
      problems: document.getElementById('problems-list').textContent,
      debug: document.getElementById('debug-pane').textContent,
      copyLabels: [...document.querySelectorAll('#debug-list .copy-command')].map(b => b.getAttribute('aria-label')),
      csp: window.__csp,
      errors: window.__errors,
    }));
    eq(r.flag, undefined, 'window.__xss (a payload ran)');
    eq(r.handlers, 0, 'elements with inline handlers');
    eq(r.imgs, [], 'img elements');
    eq(r.scripts, 2, 'script elements (the host script and the bundle)');
    eq(r.csp, [], 'CSP violations (a blocked payload would show here)');
    eq(r.errors, [], 'errors');
    assert(r.fileName.includes(xss.svg), `file name literal: ${r.fileName}`);
    assert(r.options.some(o => o.includes(xss.img)) && r.options.some(o => o.includes(xss.script)), `select options literal: ${r.options}`);
    assert(r.rules.includes(xss.script) && r.rules.includes(xss.img), 'rules text literal');
    assert(r.assumptions.includes(xss.img), 'assumptions literal');
    assert(r.problems.includes(xss.svg), 'problems literal');
    assert(r.debug.includes(`shop/${xss.img}`) && st.debug.commands.some(c => c.title.includes(xss.img)), 'debug pane: the Service name literal');
    assert(r.debug.includes(xss.script) && r.copyLabels.some(l => l.includes(xss.img)), 'debug commands and their button labels literal');
    assert(await page.getByText(xss.svg, { exact: false }).first().isVisible(), 'the literal text is visible');
    await page.screenshot({ path: join(SHOTS, 'xss.png') });
  });

  await check('1,000-rule ruleset renders (first paint after the state message)', async () => {
    const st = fixtures.big;
    await page.evaluate(() => { window.__t0 = performance.now(); });
    await send(st);
    const ms = await page.evaluate(() => performance.now() - window.__t0);
    const n = st.rules.text.split('\n').filter(l => l.startsWith('-A ')).length;
    assert(n >= 1000, `${n} rules`);
    console.log(`  first paint of ${n} rules: ${ms.toFixed(0)} ms (dev bundle; see bench.mjs)`);
    assert(ms < 5000, `took ${ms.toFixed(0)} ms`);
    // all of its Services shown: the debug pane names the one it checks
    assert((await page.locator('#debug-subject').textContent()).startsWith(`${st.debug.service} port`) && await page.locator('#debug-hint').isVisible(), 'debug pane: which Service');
  });

  await check('no page errors, no console errors, no worker over the whole run', async () => {
    eq(pageErrors, [], 'page errors');
    eq(consoleErrors, [], 'console errors');
    eq(await page.evaluate(() => window.__natlens.workerRequests.count), 0, 'worker requests');
  });
} catch (e) {
  failed++;
  console.log(`FAIL harness: ${e instanceof Error ? e.stack : String(e)}`);
} finally {
  await browser.close();
  await server.close();
}

console.log(`webview tests took ${((Date.now() - started) / 1000).toFixed(1)} s; screenshots in test-results/webview/`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
