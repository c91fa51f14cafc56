// The words and number formats every surface shares when it renders facts live in the message
// catalog (i18n/); this is the English percentage for code not yet given a locale.
import { english } from '../i18n';

/** A probability as people read it: "50%", "33.3%" (one decimal only where it is not a whole number). */
export function percent(p: number): string {
  return english.percent(p);
}
