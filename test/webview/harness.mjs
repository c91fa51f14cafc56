// Shared by the webview tests and the benchmark: builds the bundle, makes the engine fixtures, serves
// the host's own HTML (same CSP, a fresh nonce) from a tiny local server with a fake
// acquireVsCodeApi, and drives Debian's chromium through playwright-core.
import { spawnSync } from 'node:child_process';
import { createServer } from 'node:http';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, extname, normalize } from 'node:path';
import { randomBytes } from 'node:crypto';

export const root = new URL('../../', import.meta.url).pathname;

export function run(cmd, args, env = {}) {
  const r = spawnSync(cmd, args, { cwd: root, encoding: 'utf8', env: { ...process.env, ...env }, maxBuffer: 256 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

export function build(production = false) {
  run(process.execPath, ['scripts/build.mjs', ...(production ? ['--production'] : [])]);
}

const TYPES = { '.js': 'text/javascript', '.css': 'text/css', '.ttf': 'font/ttf', '.map': 'application/json', '.html': 'text/html' };

/** Serves dist/webview/ and the test page on 127.0.0.1 (random port). */
export async function startServer() {
  let page = '<!DOCTYPE html><title>not ready</title>';
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/' || url.pathname === '/index.html') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      res.end(page);
      return;
    }
    if (url.pathname === '/favicon.ico') { res.writeHead(204); res.end(); return; }
    const rel = normalize(decodeURIComponent(url.pathname)).replace(/^\/+/, '');
    if (!rel.startsWith('dist/webview/') || rel.includes('..')) { res.writeHead(404); res.end(); return; }
    const file = join(root, rel);
    if (!existsSync(file)) { res.writeHead(404); res.end(); return; }
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
    res.end(readFileSync(file));
  });
  await new Promise(resolve => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    origin: `http://127.0.0.1:${port}`,
    setPage(html) { page = html; },
    close: () => new Promise(resolve => { server.closeAllConnections?.(); server.close(resolve); }),
  };
}

/** Engine fixtures and the host's HTML for this origin and nonce. */
export function makeFixtures(origin, nonce) {
  const dir = mkdtempSync(join(tmpdir(), 'natlens-fx-'));
  try {
    run(process.execPath, ['--import', 'tsx', 'test/webview/fixtures.ts', join(dir, 'fixtures.json')], { NATLENS_ORIGIN: origin, NATLENS_NONCE: nonce });
    return JSON.parse(readFileSync(join(dir, 'fixtures.json'), 'utf8'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export const newNonce = () => randomBytes(18).toString('base64').replace(/[+/=]/g, 'x');

/** The font variables, the same in every theme. */
const FONTS = {
  'font-family': 'system-ui, "Ubuntu", "Droid Sans", sans-serif', 'font-size': '13px', 'font-weight': 'normal',
  'editor-font-family': '"Droid Sans Mono", "monospace", monospace', 'editor-font-size': '14px',
};

/** A subset of what VS Code sets on <html> per theme (real default values). */
export const THEMES = {
  light: {
    bodyClass: 'vscode-light',
    vars: {
      ...FONTS,
      foreground: '#3b3b3b', descriptionForeground: '#3b3b3b', errorForeground: '#f85149', focusBorder: '#005fb8',
      'editor-background': '#ffffff', 'editor-foreground': '#3b3b3b', 'editorLineNumber-foreground': '#6e7681', 'editorLineNumber-activeForeground': '#171184',
      'editor-selectionBackground': '#add6ff', 'editor-rangeHighlightBackground': 'rgba(253, 255, 0, 0.2)', 'editor-stackFrameHighlightBackground': 'rgba(255, 255, 102, 0.45)', 'editorWidget-background': '#f8f8f8',
      'editorHoverWidget-background': '#f8f8f8', 'editorHoverWidget-border': '#c8c8c8', 'editorHoverWidget-foreground': '#3b3b3b',
      'button-background': '#005fb8', 'button-foreground': '#ffffff', 'button-hoverBackground': '#0258a8', 'button-border': 'rgba(0, 0, 0, 0.1)',
      'dropdown-background': '#ffffff', 'dropdown-foreground': '#3b3b3b', 'dropdown-border': '#cecece',
      'input-background': '#ffffff', 'input-foreground': '#3b3b3b', 'input-border': '#cecece', 'input-placeholderForeground': '#767676',
      'panel-border': '#e5e5e5', 'sideBar-background': '#f8f8f8', 'sideBarSectionHeader-background': '#f8f8f8', 'sideBarSectionHeader-foreground': '#3b3b3b',
      'badge-background': '#cccccc', 'badge-foreground': '#3b3b3b', 'textLink-foreground': '#005fb8', 'toolbar-hoverBackground': 'rgba(184, 184, 184, 0.31)',
      'list-activeSelectionBackground': '#e8e8e8', 'list-activeSelectionForeground': '#000000', 'list-hoverBackground': '#f2f2f2',
      'charts-orange': '#d18616', 'charts-purple': '#652d90', 'charts-green': '#388a34', 'editorWarning-foreground': '#bf8803',
      'textCodeBlock-background': 'rgba(220, 220, 220, 0.4)', 'sash-hoverBorder': '#005fb8', 'checkbox-background': '#f8f8f8',
      'inputValidation-infoBackground': '#d6ecf2', 'inputValidation-infoBorder': '#007acc', 'inputValidation-errorBackground': '#f2dede', 'inputValidation-errorBorder': '#be1100',
      'scrollbarSlider-background': 'rgba(100, 100, 100, 0.4)',
    },
  },
  dark: {
    bodyClass: 'vscode-dark',
    vars: {
      ...FONTS,
      foreground: '#cccccc', descriptionForeground: '#9d9d9d', errorForeground: '#f85149', focusBorder: '#0078d4',
      'editor-background': '#1f1f1f', 'editor-foreground': '#cccccc', 'editorLineNumber-foreground': '#6e7681', 'editorLineNumber-activeForeground': '#cccccc',
      'editor-selectionBackground': '#264f78', 'editor-rangeHighlightBackground': 'rgba(255, 255, 255, 0.04)', 'editor-stackFrameHighlightBackground': 'rgba(255, 255, 0, 0.2)', 'editorWidget-background': '#202020',
      'editorHoverWidget-background': '#202020', 'editorHoverWidget-border': '#454545', 'editorHoverWidget-foreground': '#cccccc',
      'button-background': '#0078d4', 'button-foreground': '#ffffff', 'button-hoverBackground': '#026ec1', 'button-border': 'rgba(255, 255, 255, 0.07)',
      'dropdown-background': '#313131', 'dropdown-foreground': '#cccccc', 'dropdown-border': '#3c3c3c',
      'input-background': '#313131', 'input-foreground': '#cccccc', 'input-border': '#3c3c3c', 'input-placeholderForeground': '#989898',
      'panel-border': '#2b2b2b', 'sideBar-background': '#181818', 'sideBarSectionHeader-background': '#181818', 'sideBarSectionHeader-foreground': '#cccccc',
      'badge-background': '#616161', 'badge-foreground': '#f8f8f8', 'textLink-foreground': '#4daafc', 'toolbar-hoverBackground': 'rgba(90, 93, 94, 0.31)',
      'list-activeSelectionBackground': '#04395e', 'list-activeSelectionForeground': '#ffffff', 'list-hoverBackground': '#2a2d2e',
      'charts-orange': '#d18616', 'charts-purple': '#b180d7', 'charts-green': '#89d185', 'editorWarning-foreground': '#cca700',
      'textCodeBlock-background': 'rgba(10, 10, 10, 0.4)', 'sash-hoverBorder': '#0078d4', 'checkbox-background': '#313131',
      'inputValidation-infoBackground': '#063b49', 'inputValidation-infoBorder': '#007acc', 'inputValidation-errorBackground': '#5a1d1d', 'inputValidation-errorBorder': '#be1100',
      'scrollbarSlider-background': 'rgba(121, 121, 121, 0.4)',
    },
  },
  highContrast: {
    bodyClass: 'vscode-high-contrast',
    vars: {
      ...FONTS,
      foreground: '#ffffff', descriptionForeground: 'rgba(255, 255, 255, 0.7)', errorForeground: '#f48771', focusBorder: '#f38518', contrastBorder: '#6fc3df', contrastActiveBorder: '#f38518',
      'editor-background': '#000000', 'editor-foreground': '#ffffff', 'editorLineNumber-foreground': '#ffffff', 'editorLineNumber-activeForeground': '#f38518',
      'editor-selectionBackground': '#ffffff', 'editor-rangeHighlightBackground': 'rgba(0, 0, 0, 0)', 'editorWidget-background': '#0c141f',
      'editorHoverWidget-background': '#0c141f', 'editorHoverWidget-border': '#6fc3df', 'editorHoverWidget-foreground': '#ffffff',
      'button-background': '#000000', 'button-foreground': '#ffffff', 'button-border': '#6fc3df',
      'dropdown-background': '#000000', 'dropdown-foreground': '#ffffff', 'dropdown-border': '#6fc3df',
      'input-background': '#000000', 'input-foreground': '#ffffff', 'input-border': '#6fc3df', 'input-placeholderForeground': 'rgba(255, 255, 255, 0.7)',
      'panel-border': '#6fc3df', 'sideBar-background': '#000000', 'sideBarSectionHeader-foreground': '#ffffff', 'sideBarSectionHeader-border': '#6fc3df',
      'badge-background': '#000000', 'badge-foreground': '#ffffff', 'textLink-foreground': '#21a6ff', 'toolbar-hoverBackground': 'rgba(0, 0, 0, 0)',
      'list-activeSelectionBackground': '#000000', 'list-focusOutline': '#f38518', 'list-hoverBackground': '#000000',
      'charts-orange': '#d18616', 'charts-purple': '#b180d7', 'charts-green': '#89d185', 'editorWarning-foreground': '#ffd370',
      'textCodeBlock-background': '#000000', 'sash-hoverBorder': '#f38518', 'checkbox-background': '#000000',
      'inputValidation-infoBackground': '#000000', 'inputValidation-infoBorder': '#6fc3df', 'inputValidation-errorBackground': '#000000', 'inputValidation-errorBorder': '#6fc3df',
      'scrollbarSlider-background': 'rgba(111, 195, 223, 0.6)',
    },
  },
};

/** What VS Code's webview host does before our script runs: theme class and variables, acquireVsCodeApi. Recorded for the tests. */
export function initScript(theme) {
  return `
window.__natlensTest = true;
window.__posted = [];
window.__csp = [];
window.__errors = [];
document.addEventListener('securitypolicyviolation', e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI + ' ' + (e.sample || '')));
window.addEventListener('error', e => window.__errors.push(String(e.message)));
window.__setTheme = (t) => {
  const html = document.documentElement;
  for (let i = html.style.length - 1; i >= 0; i--) { const p = html.style[i]; if (p.startsWith('--vscode-')) html.style.removeProperty(p); }
  for (const [k, v] of Object.entries(t.vars)) html.style.setProperty('--vscode-' + k, v);
  document.body.classList.remove('vscode-light', 'vscode-dark', 'vscode-high-contrast', 'vscode-high-contrast-light');
  document.body.classList.add(t.bodyClass);
  document.body.setAttribute('data-vscode-theme-kind', t.bodyClass);
};
window.__setTheme(${JSON.stringify(theme)});
window.acquireVsCodeApi = (() => {
  let acquired = false;
  return () => {
    if (acquired) throw new Error('An instance of the VS Code API has already been acquired');
    acquired = true;
    return Object.freeze({
      postMessage: m => { window.__posted.push(JSON.parse(JSON.stringify(m))); },
      getState: () => { const s = sessionStorage.getItem('vscodeState'); return s === null ? undefined : JSON.parse(s); },
      setState: s => { sessionStorage.setItem('vscodeState', JSON.stringify(s)); return s; },
    });
  };
})();
`;
}

/** The host's document with the fake VS Code host script (same nonce) in front of our bundle. */
export function testPage(html, nonce, theme) {
  const init = `<script nonce="${nonce}">${initScript(theme)}</script>`;
  if (!html.includes('<body>')) throw new Error('unexpected page shape');
  return html.replace('<body>', `<body>\n${init}`);
}

export async function launchBrowser() {
  const { chromium } = await import('playwright-core');
  const userDataDir = mkdtempSync(join(tmpdir(), 'natlens-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1280, height: 860 },
    deviceScaleFactor: 1,
  });
  return {
    context,
    close: async () => { await context.close().catch(() => {}); rmSync(userDataDir, { recursive: true, force: true }); },
  };
}
