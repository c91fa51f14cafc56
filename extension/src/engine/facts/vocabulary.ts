// The words and number formats every surface shares when it renders facts.

/** A probability as people read it: "50%", "33.3%" (one decimal only where it is not a whole number). */
export function percent(p: number): string {
  const v = Math.round(p * 1000) / 10;
  return Number.isInteger(v) ? `${v}%` : `${v.toFixed(1)}%`;
}
