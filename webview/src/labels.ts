// The preview's labels in the language of the state (PreviewState.locale). Fixed texts are bound
// once, where the element is built, and rewritten when a state of another language arrives; texts
// built per render read the current table.
import { labelsDe } from './labels.de';
import { labelsEn, type Labels } from './labels.en';
import type { PreviewState } from '../../protocol/preview';

export type { Labels } from './labels.en';

type Locale = PreviewState['locale'];
type FixedKey = { [K in keyof Labels]: Labels[K] extends () => string ? K : never }[keyof Labels];

const TABLES: { readonly [L in Locale]: Labels } = { en: labelsEn, de: labelsDe };

/** Before the first state: the document's language, which the host sets from the same locale. */
let current: Locale = document.documentElement.lang === 'de' ? 'de' : 'en';
const bound: { readonly apply: (l: Labels) => void }[] = [];

/** The table of the current language. */
export function labels(): Labels {
  return TABLES[current];
}

/** A text node with a fixed label, kept in the current language. */
export function label(key: FixedKey): Text {
  const node = document.createTextNode(labels()[key]());
  bound.push({ apply: l => { node.data = l[key](); } });
  return node;
}

/** Sets attributes (title, aria-label, placeholder) to fixed labels, kept in the current language. */
export function labelAttrs<E extends Element>(el: E, attrs: Readonly<Record<string, FixedKey>>): E {
  const apply = (l: Labels) => { for (const [name, key] of Object.entries(attrs)) el.setAttribute(name, l[key]()); };
  apply(labels());
  bound.push({ apply });
  return el;
}

/** Switches every bound label to the state's language; the caller renders the rest afterwards. */
export function useLocale(locale: Locale): void {
  if (locale === current) return;
  current = locale;
  document.documentElement.lang = locale;
  const l = labels();
  for (const b of bound) b.apply(l);
}
