// The languages NAT Lens speaks, and how a locale tag from VS Code or the environment picks one.

export type Locale = 'en' | 'de';

export const LOCALES: readonly Locale[] = ['en', 'de'];

/**
 * A BCP 47 tag ("de", "de-AT") or a POSIX locale ("de_DE.UTF-8", "C") to a supported language:
 * every German variant is German, anything else English.
 */
export function localeOf(tag: string | undefined): Locale {
  return tag !== undefined && /^de(?:$|[-_.@])/i.test(tag.trim()) ? 'de' : 'en';
}
