// Helpers that drive the real VS Code workbench (code-server) through a playwright-core page. Used by ui.mjs;
// every UI check receives one `Workbench`. Selectors are VS Code 1.100's DOM.
import path from 'node:path';
import assert from 'node:assert/strict';

const EDITOR = '.editor-group-container.active .monaco-editor';
const QUICK_INPUT = '.quick-input-widget';

export class Workbench {
  /**
   * @param {import('playwright-core').Page} page
   * @param {{ workspace: string, shots: string, log?: (m: string) => void }} opts
   */
  constructor(page, { workspace, shots, log = () => {} }) {
    this.page = page;
    this.workspace = workspace;
    this.shots = shots;
    this.log = log;
  }

  /** Waits until the workbench is up with the workspace folder listed in the explorer. */
  async ready(timeout = 90000) {
    await this.page.locator('.monaco-workbench').waitFor({ timeout });
    await this.page.locator('.explorer-folders-view .monaco-list-row').first().waitFor({ timeout });
  }

  /** Saves shots/<name>.png and returns its path. */
  async shot(name) {
    const file = path.join(this.shots, `${name.replace(/[^\w.-]+/g, '_')}.png`);
    await this.page.screenshot({ path: file });
    return file;
  }

  /** Closes whatever quick input, hover, menu or widget is open. */
  async escape(times = 2) {
    for (let i = 0; i < times; i++) await this.page.keyboard.press('Escape');
  }

  // ---- files and editors ----------------------------------------------------------------------------------

  /**
   * Opens a workspace file (path relative to the workspace root) through Quick Open and waits for its tab to be
   * the active one. Returns the active editor locator.
   */
  async openFile(relPath, { timeout = 30000 } = {}) {
    const base = path.basename(relPath);
    const end = Date.now() + timeout;
    const tab = this.page.locator('.tabs-container .tab.active', { hasText: base });
    for (;;) {
      // Quick Open's file search runs ripgrep on the server; a file created a moment ago may not be found yet
      await this.quickInput('Control+P', relPath, { row: base, timeout: Math.max(1000, end - Date.now()) });
      await this.page.keyboard.press('Enter'); // lost when a focus change closed Quick Open just before: retry
      try {
        await tab.waitFor({ timeout: Math.min(5000, Math.max(500, end - Date.now())) });
        break;
      } catch (e) {
        if (Date.now() > end) throw e;
      }
    }
    const editor = this.page.locator(EDITOR);
    await editor.locator('.view-lines').waitFor({ timeout });
    return editor;
  }

  /** The active text editor. */
  editor() {
    return this.page.locator(EDITOR);
  }

  /** Waits until the active editor's visible lines contain `text` (string or RegExp); returns all visible text. */
  async waitForEditorText(text, { timeout = 15000 } = {}) {
    await this.editor().locator('.view-lines', { hasText: text }).waitFor({ timeout });
    return this.editorText();
  }

  /** Visible text of the active editor (monaco renders only the lines in view; spaces come back as U+00A0). */
  async editorText() {
    const lines = await this.editor().locator('.view-lines .view-line').evaluateAll(els =>
      els.map(el => ({ top: parseFloat(el.style.top) || 0, text: el.textContent.replace(/\u00a0/g, ' ') }))
        .sort((a, b) => a.top - b.top).map(l => l.text));
    return lines.join('\n');
  }

  /** The status bar's language indicator ("YAML", "JSON", ...). */
  async languageMode() {
    const item = this.page.locator('[id="status.editor.mode"]');
    await item.waitFor({ timeout: 10000 });
    return (await item.innerText()).trim();
  }

  /**
   * Screen box of the first occurrence of `word` in the active editor's rendered lines (nth: which occurrence).
   * Works whatever tokens monaco split the line into, as long as the word is inside one token.
   */
  async wordBox(word, { nth = 0, timeout = 10000 } = {}) {
    await this.editor().locator('.view-lines', { hasText: word }).waitFor({ timeout });
    // A CodeLens or inlay hint arriving late shifts the lines: only a box that held still for 200 ms is safe to
    // click (a click where the word was can land on a lens and run its command instead).
    const end = Date.now() + timeout;
    let box = await this.measureWord(word, nth);
    for (;;) {
      await this.page.waitForTimeout(200);
      const again = await this.measureWord(word, nth);
      if (JSON.stringify(again) === JSON.stringify(box) || Date.now() > end) { box = again; break; }
      box = again;
    }
    assert.ok(box, `"${word}" (occurrence ${nth}) is not rendered in the active editor`);
    return box;
  }

  /** The screen box of occurrence `nth` of `word` among the active editor's rendered lines, or null. */
  async measureWord(word, nth) {
    return this.editor().locator('.view-lines').evaluate((root, [w, n]) => {
      const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
      const hits = [];
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const text = node.textContent.replace(/\u00a0/g, ' ');
        for (let i = text.indexOf(w); i >= 0; i = text.indexOf(w, i + 1)) {
          const range = document.createRange();
          range.setStart(node, i);
          range.setEnd(node, i + w.length);
          const r = range.getBoundingClientRect();
          hits.push({ x: r.x, y: r.y, width: r.width, height: r.height });
        }
      }
      hits.sort((a, b) => a.y - b.y || a.x - b.x);
      return hits[n] ?? null;
    }, [word, nth]);
  }

  /** Waits for a CodeLens whose text contains `text` in the active editor; returns the lens line's text. */
  async waitForCodeLens(text, { timeout = 30000 } = {}) {
    const lens = this.editor().locator('.codelens-decoration', { hasText: text }).first();
    await lens.waitFor({ timeout });
    return (await lens.innerText()).trim();
  }

  /** Puts the cursor in the middle of `word` (a click). */
  async clickWord(word, opts) {
    const b = await this.wordBox(word, opts);
    await this.page.mouse.click(b.x + b.width / 2, b.y + b.height / 2);
  }

  // ---- hovers, diagnostics, quick fixes -------------------------------------------------------------------

  /**
   * Moves the mouse onto `word` and returns the text of the hover widget that appears. `contains` (string or
   * RegExp) waits for a hover that includes it (several providers may contribute parts).
   */
  async hover(word, { contains, nth = 0, timeout = 15000 } = {}) {
    await this.page.mouse.move(2, 2);
    const b = await this.wordBox(word, { nth });
    const y = b.y + b.height / 2;
    await this.page.mouse.move(b.x + 1, y);
    await this.page.mouse.move(b.x + Math.max(2, b.width / 2), y, { steps: 3 });
    const hover = this.page.locator('.monaco-hover:visible', contains ? { hasText: contains } : {}).first();
    await hover.waitFor({ timeout });
    return (await hover.innerText()).trim();
  }

  /** Moves the mouse away so hovers close. */
  async unhover() {
    await this.page.mouse.move(2, 2);
    await this.page.keyboard.press('Escape');
  }

  /**
   * Waits for at least `min` squiggles of `severity` ('error' | 'warning' | 'info' | 'hint' | 'any') in the active
   * editor and returns how many are rendered.
   */
  async waitForSquiggle(severity = 'any', { min = 1, timeout = 20000 } = {}) {
    const cls = { error: '.squiggly-error', warning: '.squiggly-warning', info: '.squiggly-info', hint: '.squiggly-hint' };
    const sel = severity === 'any' ? Object.values(cls).join(', ') : cls[severity];
    assert.ok(sel, `unknown severity ${severity}`);
    const squiggles = this.editor().locator(sel);
    await squiggles.nth(min - 1).waitFor({ state: 'attached', timeout });
    return squiggles.count();
  }

  /** Marker texts from the Problems panel (opens it). */
  async problems({ timeout = 15000 } = {}) {
    await this.runCommand('View: Focus Problems (Errors, Warnings, Infos)');
    const rows = this.page.locator('.markers-panel .monaco-list-row');
    await rows.first().waitFor({ timeout });
    return rows.allInnerTexts();
  }

  /**
   * Ctrl+. at `word` (clicks it first when given), waits for the code-action menu, and applies the action whose
   * row contains `title` (default: the first, preferred one) with the keyboard: Enter on the focused row
   * (clicking a row times out). Returns the titles offered. `shot`: screenshot name taken while the menu is open.
   */
  async quickFix({ word, title, shot, timeout = 15000 } = {}) {
    if (word) await this.clickWord(word);
    await this.page.keyboard.press('Control+.');
    const rows = this.page.locator('.action-widget .monaco-list-row.action');
    await (title ? rows.filter({ hasText: title }).first() : rows.first()).waitFor({ timeout });
    const titles = (await rows.allInnerTexts()).map(t => t.trim());
    if (shot) await this.shot(shot);
    const index = title ? titles.findIndex(t => (title instanceof RegExp ? title.test(t) : t.includes(title))) : 0;
    assert.ok(index >= 0, `no code action "${title}" among ${JSON.stringify(titles)}`);
    // the first actionable row has focus when the menu opens
    for (let i = 0; i < index; i++) await this.page.keyboard.press('ArrowDown');
    await this.page.keyboard.press('Enter');
    await this.page.locator('.action-widget').waitFor({ state: 'hidden', timeout }).catch(() => {});
    return titles;
  }

  // ---- command palette, notifications ---------------------------------------------------------------------

  /** Opens the F1 palette with `query` typed and returns the labels of the listed commands (palette stays open). */
  async paletteItems(query, { timeout = 15000, expect } = {}) {
    await this.quickInput('F1', '>' + query, { row: expect, timeout });
    const rows = this.page.locator(`${QUICK_INPUT} .quick-input-list .monaco-list-row`);
    return (await rows.locator('.label-name').allInnerTexts()).map(t => t.trim());
  }

  /**
   * Opens a quick input with `key`, types `text` and waits for a list row containing `row` (any row when absent).
   * Retried until `timeout`: while an editor closes, the workbench moves focus to the next one a moment later,
   * and that focus change closes a quick input opened in between (or swallows the key).
   */
  async quickInput(key, text, { row, timeout = 15000 } = {}) {
    const end = Date.now() + timeout;
    const input = this.page.locator(`${QUICK_INPUT} input`);
    const rows = this.page.locator(`${QUICK_INPUT} .quick-input-list .monaco-list-row`);
    const wanted = (row ? rows.filter({ hasText: row }) : rows).first();
    for (let attempt = 1; ; attempt++) {
      const slice = () => Math.min(5000, Math.max(500, end - Date.now()));
      try {
        await this.escape(1);
        await this.page.keyboard.press(key);
        await input.waitFor({ state: 'visible', timeout: slice() });
        await input.fill(text, { timeout: Math.min(2000, slice()) }); // visible means fillable at once: a miss is a closed widget
        await wanted.waitFor({ timeout: slice() });
        return;
      } catch (e) {
        if (Date.now() > end) throw new Error(`${key} "${text}" showed no row${row ? ` with "${row}"` : ''} after ${attempt} attempts: ${e.message.split('\n')[0]}`);
        this.log(`   (${key} "${text}": attempt ${attempt} failed, retrying: ${e.message.split('\n')[0]})`);
        await this.page.waitForTimeout(300);
      }
    }
  }

  /** Runs a command by its palette label ("Category: Title"), exactly as a user would with F1 + Enter. */
  async runCommand(label, { timeout = 15000 } = {}) {
    await this.paletteItems(label, { timeout, expect: label });
    const rows = this.page.locator(`${QUICK_INPUT} .quick-input-list .monaco-list-row`);
    const labels = (await rows.locator('.label-name').allInnerTexts()).map(t => t.trim());
    const index = labels.findIndex(l => l === label);
    for (let i = 0; i < Math.max(0, index); i++) await this.page.keyboard.press('ArrowDown');
    await this.page.keyboard.press('Enter');
    await this.page.locator(QUICK_INPUT).waitFor({ state: 'hidden', timeout }).catch(() => {});
  }

  /** Waits for a notification toast containing `text`; returns its message. */
  async waitForNotification(text, { timeout = 15000 } = {}) {
    const toast = this.page.locator('.notification-toast', { hasText: text }).first();
    await toast.waitFor({ timeout });
    return (await toast.locator('.notification-list-item-message').innerText()).trim();
  }

  // ---- webviews -------------------------------------------------------------------------------------------

  /**
   * Locator inside the content of a webview: the outer `iframe.webview.ready` (nth: 0 = first, -1 = last opened),
   * then its `#active-frame`. Example: (await wb.webview()).locator('#greeting').
   */
  async webview({ nth = -1, timeout = 30000 } = {}) {
    const outer = this.page.locator('iframe.webview.ready');
    const frame = nth < 0 ? outer.nth(await countAtLeastOne(outer, timeout) + nth) : outer.nth(nth);
    await frame.waitFor({ state: 'attached', timeout });
    return frame.contentFrame().locator('#active-frame').contentFrame();
  }

  /** Text of `selector` (default body) in a webview, once it contains `contains` when given. */
  async webviewText(selector = 'body', { contains, nth = -1, timeout = 30000 } = {}) {
    const content = await this.webview({ nth, timeout });
    const el = content.locator(selector, contains ? { hasText: contains } : {}).first();
    await el.waitFor({ timeout });
    return (await el.innerText()).trim();
  }
}

async function countAtLeastOne(locator, timeout) {
  await locator.first().waitFor({ state: 'attached', timeout });
  return locator.count();
}
