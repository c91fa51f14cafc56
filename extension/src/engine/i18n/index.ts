// The message catalog: everything the engine renders for people, in English and German.
// Renderers take a `Messages` explicitly; nothing here is mutable or global.
import { de } from './de';
import { en, type Messages } from './en';
import type { Locale } from './locale';

export type { Messages } from './en';
export { LOCALES, localeOf, type Locale } from './locale';

const TABLES: { readonly [L in Locale]: Messages } = { en, de };

export function messagesFor(locale: Locale): Messages {
  return TABLES[locale];
}

/** The English table: the default of renderers whose callers have no locale (tests, goldens). */
export const english: Messages = en;
