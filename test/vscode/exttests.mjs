// Runs the bundled mocha suite (out/test/vscode/index.js) INSIDE code-server's Node extension host, the way
// @vscode/test-web does: the workbench URL's `payload` carries extensionDevelopmentPath + extensionTestsPath, and
// the workbench calls window.codeAutomationExit(code) when the suite's run() settles.
// In that mode (extension tests "from the CLI") VS Code sends every extension-host console message to the
// workbench's log service, which calls window.codeAutomationLog(level, [format, ...args]) -- the same channel as
// the workbench's own log lines. suite/index.ts prefixes the extension host's messages with $NATLENS_TEST_MARK
// (run.sh sets it on the code-server process); those are printed to stdout without the mark (mocha's spec report,
// ending with the suite's `N passed, N failed`). Unmarked warnings/errors go to stderr, minus known offline noise.
//
// usage: node test/vscode/exttests.mjs <base-url> <extensionDevelopmentPath> <extensionTestsPath> <workspace-folder>
// env:   VSCODE_RESULT_FILE   write "<passed> <failed> <exitCode>" there (read by run.sh)
//        EXT_TEST_TIMEOUT_MS  give up after this long (default 300000) -> exit 124
//        NATLENS_TEST_MARK    the prefix suite/index.ts puts on extension-host messages (unset: print all)
//        DEBUG_PAGE_CONSOLE=1 also print the workbench's own log and the page console (to stderr)
import fs from 'node:fs';
import util from 'node:util';
import { launchBrowser, workbenchUrl } from './browser.mjs';

const [base, extDir, testsPath, folder] = process.argv.slice(2);
if (!base || !extDir || !testsPath) {
  console.error('usage: exttests.mjs <base-url> <extensionDevelopmentPath> <extensionTestsPath> [workspace-folder]');
  process.exit(2);
}
const debug = process.env.DEBUG_PAGE_CONSOLE === '1';
const timeoutMs = Number(process.env.EXT_TEST_TIMEOUT_MS || 300000);
const t0 = Date.now();
const note = m => process.stderr.write(`[exttests ${((Date.now() - t0) / 1000).toFixed(1)}s] ${m}\n`);

let summary; // [passed, failed] from the suite's closing line
const SUMMARY = /^(\d+) passed, (\d+) failed$/;
const mark = process.env.NATLENS_TEST_MARK || '';
// harmless offline noise: the extension gallery (open-vsx.org) cannot be reached, missing optional resources
const NOISE = /open-vsx\.org|ENOTFOUND|ERR_NAME_NOT_RESOLVED|ERR_INTERNET_DISCONNECTED|Failed to load resource/;

function onLog(level, args) {
  const text = util.format(...[].concat(args));
  if (mark && !text.startsWith(mark + ' ')) {
    if (debug) process.stderr.write(`[workbench ${level}] ${text}\n`);
    else if ((level === 'error' || level === 'warn') && !NOISE.test(text)) process.stderr.write(`[workbench ${level}] ${text.split('\n')[0]}\n`);
    return;
  }
  const out = mark ? text.slice(mark.length + 1) : text;
  for (const line of out.split('\n')) {
    const m = SUMMARY.exec(line.trim());
    if (m) summary = [Number(m[1]), Number(m[2])];
  }
  process.stdout.write(out + '\n');
}

const { page, close } = await launchBrowser();
let exitCode;
try {
  exitCode = await new Promise(async (resolve) => {
    const timer = setTimeout(() => { note(`timed out after ${timeoutMs} ms waiting for the extension tests`); resolve(124); }, timeoutMs);
    await page.exposeFunction('codeAutomationExit', code => { clearTimeout(timer); resolve(Number(code)); });
    await page.exposeFunction('codeAutomationLog', onLog);
    if (debug) page.on('console', msg => process.stderr.write(`[page ${msg.type()}] ${msg.text()}\n`));
    page.on('pageerror', e => process.stderr.write(`pageerror: ${e.message}\n`));
    const url = workbenchUrl(base, { folder, extensionDevelopmentPath: extDir, extensionTestsPath: testsPath });
    if (debug) note(`opening ${url}`);
    page.goto(url).catch(e => { note(`could not open the workbench: ${e.message}`); clearTimeout(timer); resolve(1); });
  });
  // console messages travel separately from the exit call: give the closing line a moment to arrive
  for (let i = 0; i < 40 && !summary; i++) await new Promise(r => setTimeout(r, 50));
} finally {
  await close();
}
note(`extension tests exit code ${exitCode}${summary ? '' : ' (the suite printed no "N passed, N failed" line)'}`);
if (process.env.VSCODE_RESULT_FILE) {
  const [p, f] = summary ?? [0, 0];
  fs.writeFileSync(process.env.VSCODE_RESULT_FILE, `${p} ${f} ${exitCode}\n`);
}
process.exit(exitCode);
