// Shared by exttests.mjs and ui.mjs: launches Debian's chromium through playwright-core (no browser download)
// and builds code-server workbench URLs.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const repoRoot = path.resolve(here, '../..');

/** Where test/vscode/setup.sh installs code-server and playwright-core: outside the repository, shared by clones. */
export function harnessDir() {
  return process.env.VSCODE_HARNESS_DIR || path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'natlens', 'vscode-harness');
}

/** playwright-core from the repo's devDependencies, else the copy test/vscode/setup.sh put in the harness. */
async function loadPlaywright() {
  try {
    return await import('playwright-core');
  } catch {
    return import(pathToFileURL(path.join(harnessDir(), 'node_modules/playwright-core/index.mjs')).href);
  }
}

export const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--disable-dev-shm-usage',
];

/**
 * Starts chromium with a fresh profile (removed by close()). Returns { ctx, page, close }.
 * env: CHROMIUM_PATH (default /usr/bin/chromium), HEADED=1 to watch it (needs a display).
 */
export async function launchBrowser({ viewport = { width: 1400, height: 900 } } = {}) {
  const { chromium } = await loadPlaywright();
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'natlens-chromium-'));
  const headed = process.env.HEADED === '1';
  const ctx = await chromium.launchPersistentContext(userDataDir, {
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    headless: !headed,
    viewport,
    args: CHROMIUM_ARGS.filter(a => !(headed && a === '--headless')),
    timeout: 60000,
    // run.sh stops a driver with SIGTERM to its process group (chromium included): exit at once, see below
    handleSIGTERM: false, handleSIGINT: false, handleSIGHUP: false,
  });
  const page = ctx.pages()[0] ?? await ctx.newPage();
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await Promise.race([ctx.close().catch(() => {}), new Promise(r => setTimeout(r, 10000))]);
    fs.rmSync(userDataDir, { recursive: true, force: true });
  };
  for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP']) {
    process.once(sig, () => {
      process.stderr.write(`${sig}: closing the browser\n`);
      Promise.race([close(), new Promise(r => setTimeout(r, 2000))]).finally(() => process.exit(143));
    });
  }
  return { ctx, page, close };
}

/**
 * Workbench URL that opens `folder` and loads the extension at `extensionDevelopmentPath` (and, when given, runs
 * the mocha entry `extensionTestsPath` in the extension host). code-server refuses --extensionTestsPath on its
 * command line, but the web workbench reads both from the `payload` query parameter; paths are on the server,
 * addressed as vscode-remote://<host:port><abs path>.
 */
export function workbenchUrl(base, { folder, extensionDevelopmentPath, extensionTestsPath } = {}) {
  const authority = new URL(base).host;
  const remote = p => `vscode-remote://${authority}${path.resolve(p)}`;
  const payload = [];
  if (extensionDevelopmentPath) payload.push(['extensionDevelopmentPath', remote(extensionDevelopmentPath)]);
  if (extensionTestsPath) payload.push(['extensionTestsPath', remote(extensionTestsPath)]);
  const q = new URLSearchParams();
  if (folder) q.set('folder', path.resolve(folder)); else q.set('ew', 'true');
  if (payload.length) q.set('payload', JSON.stringify(payload));
  return `${base.replace(/\/$/, '')}/?${q}`;
}

/**
 * Extension-host console output reaches the page console as `%c[Extension Host] %c<text>` plus CSS arguments.
 * Returns the plain text for such a message, or undefined for other page messages.
 */
export function extensionHostText(msg) {
  const t = msg.text();
  if (!/^%c\[Extension Host\]/.test(t)) return undefined;
  return t.replace(/^%c\[Extension Host\] ?(%c)?/, '').replace(/(?: ?color: ?[^ ]*)+$/, '').replace(/%c/g, '');
}
