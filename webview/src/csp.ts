// Makes Monaco run under the webview's strict Content Security Policy. Imported first, before any
// Monaco module is evaluated.
//
// The policy allows scripts and <style> elements only with the page's nonce and no inline style
// attributes at all. Monaco needs three things changed for that:
// 1. It creates <style> elements at run time (theme colours, codicon rules, decorations): each gets
//    the page nonce, read from our own <script> element.
// 2. It renders view lines, line numbers and overlays as HTML strings with style="…" attributes,
//    through Trusted Types policies it asks MonacoEnvironment for. Our policy moves those attributes
//    to data-natlens-style (so the parser never sees an inline style the CSP would refuse), and a
//    mutation observer applies them through the CSSOM (element.style), which the CSP allows.
// 3. It would start a web worker (blob:) for features we do not load; we hand it an inert worker
//    instead, so nothing is fetched, evaluated or reported as an error.
// Nothing here touches manifest data: Monaco escapes the text it renders (<, >, &) itself.

const STYLE_ATTR = 'data-natlens-style';

function pageNonce(): string {
  const current = document.currentScript as HTMLScriptElement | null;
  if (current?.nonce) return current.nonce;
  for (const script of Array.from(document.scripts)) if (script.nonce) return script.nonce;
  return '';
}

export const nonce = pageNonce();

// 1. nonce on every <style> created from script
const createElement = Document.prototype.createElement;
Document.prototype.createElement = function (this: Document, tagName: string, options?: ElementCreationOptions) {
  const el = createElement.call(this, tagName, options);
  if (nonce && el instanceof HTMLStyleElement) el.nonce = nonce;
  return el;
} as typeof Document.prototype.createElement;

// 2. inline style attributes in HTML strings -> data attribute -> CSSOM
/** Moves style="…" out of every start tag of a Monaco-generated HTML string (text content has &lt; escaped, so every "<x" is a tag). */
export function moveStyleAttributes(html: string): string {
  if (!html.includes('style=')) return html;
  return html.replace(/<[a-zA-Z][^<>]*>/g, tag => tag.replace(/(\s)style=("[^"]*"|'[^']*')/g, `$1${STYLE_ATTR}=$2`));
}

function applyStyles(root: Element): void {
  const apply = (el: Element) => {
    const css = el.getAttribute(STYLE_ATTR);
    if (css === null) return;
    el.removeAttribute(STYLE_ATTR);
    const styled = el as HTMLElement | SVGElement;
    // declarations set through the CSSOM since the HTML was parsed win over the HTML's own
    styled.style.cssText = css + ';' + styled.style.cssText;
  };
  apply(root);
  if (root.firstElementChild) for (const el of Array.from(root.querySelectorAll(`[${STYLE_ATTR}]`))) apply(el);
}

const observer = new MutationObserver(records => {
  for (const r of records) {
    if (r.type === 'attributes') { if (r.target instanceof Element) applyStyles(r.target); continue; }
    for (const n of Array.from(r.addedNodes)) if (n instanceof Element) applyStyles(n);
  }
});
observer.observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: [STYLE_ATTR] });

/** Applies pending styles now (Monaco measures some elements synchronously after rendering them). */
export function flushStyles(root: Element = document.documentElement): void {
  applyStyles(root);
}

interface PolicyOptions { createHTML?: (s: string) => string; createScript?: (s: string) => string; createScriptURL?: (s: string) => string }

class InertWorker extends EventTarget {
  onmessage: ((e: MessageEvent) => void) | null = null;
  onmessageerror: ((e: MessageEvent) => void) | null = null;
  onerror: ((e: Event) => void) | null = null;
  postMessage(): void { /* no worker: requests stay unanswered, which Monaco tolerates */ }
  terminate(): void { /* nothing to stop */ }
}

/** How many times Monaco asked for a worker (the tests read it: it should stay 0). */
export const workerRequests = { count: 0 };

(self as unknown as { MonacoEnvironment: unknown }).MonacoEnvironment = {
  createTrustedTypesPolicy(_name: string, options: PolicyOptions) {
    return {
      createHTML: (s: string) => moveStyleAttributes(options.createHTML ? options.createHTML(s) : s),
      createScript: (s: string) => (options.createScript ? options.createScript(s) : s),
      createScriptURL: (s: string) => (options.createScriptURL ? options.createScriptURL(s) : s),
    };
  },
  getWorker(): Worker {
    workerRequests.count++;
    return new InertWorker() as unknown as Worker;
  },
};
