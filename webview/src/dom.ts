// Safe DOM construction: every string goes in as textContent or an attribute value, never as HTML.
// Nothing in the webview uses innerHTML for data.

type Child = Node | string | null | undefined | false;
type Attrs = Record<string, string | number | boolean | null | undefined>;

function apply(el: Element, attrs: Attrs | undefined, children: Child[]): void {
  if (attrs) {
    for (const [k, v] of Object.entries(attrs)) {
      if (v === null || v === undefined || v === false) continue;
      if (/^on/i.test(k)) throw new Error(`no inline event handlers (${k})`);
      if (k === 'style') throw new Error('no style attributes: set element.style from code');
      el.setAttribute(k, v === true ? '' : String(v));
    }
  }
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    el.append(typeof c === 'string' ? document.createTextNode(c) : c);
  }
}

/** An HTML element: h('button', { class: 'x', 'aria-label': '…' }, 'text'). */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs?: Attrs, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  apply(el, attrs, children);
  return el;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

/** An SVG element, built with createElementNS; text only through textContent. */
export function s<K extends keyof SVGElementTagNameMap>(tag: K, attrs?: Attrs, ...children: Child[]): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG_NS, tag);
  apply(el, attrs, children);
  return el;
}

/** A codicon from the bundled font, hidden from assistive technology. */
export function icon(name: string): HTMLElement {
  return h('span', { class: `codicon codicon-${name}`, 'aria-hidden': 'true' });
}

/** Replaces an element's children. */
export function fill(el: Element, ...children: Child[]): void {
  el.replaceChildren();
  apply(el, undefined, children);
}

/** Keeps a <select>'s options in sync with a list, without stealing focus or recreating it. */
export function setOptions(select: HTMLSelectElement, options: readonly { value: string; label: string; title?: string }[], value: string | null): void {
  const same = select.options.length === options.length && options.every((o, i) => select.options[i]!.value === o.value && select.options[i]!.textContent === o.label);
  if (!same) {
    select.replaceChildren(...options.map(o => h('option', { value: o.value, title: o.title }, o.label)));
  }
  if (value !== null && options.some(o => o.value === value)) select.value = value;
  else if (options.length) select.selectedIndex = Math.max(0, select.selectedIndex);
  select.disabled = options.length === 0;
}
