// Number and list formats per language, used by the message tables (not by renderers directly):
// a renderer gets them through its `Messages`, so English and German never mix in one sentence.

/** A probability as a percentage with at most one decimal: 0.5 → "50", 1/3 → "33.3" (with the given decimal mark). */
export function percentNumber(p: number, decimalMark: '.' | ','): string {
  const v = Math.round(p * 1000) / 10;
  return Number.isInteger(v) ? String(v) : v.toFixed(1).replace('.', decimalMark);
}

/** "a", "a and b", "a, b and c" with the language's conjunction (no serial comma in either language). */
export function joinList(items: readonly string[], and: string): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} ${and} ${items[items.length - 1]}`;
}

/** Markdown bold where the text is markdown (a hover), the plain words elsewhere (a terminal line). */
export function bold(text: string, md: boolean): string {
  return md ? `**${text}**` : text;
}
