// Shell words and the numbers the tools print back.

const SAFE_WORD = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** One POSIX shell word: bare when it needs no quoting, else single-quoted. */
export function shq(word: string): string {
  return word !== '' && SAFE_WORD.test(word) && !word.startsWith('=') ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** A command line from words, each quoted as needed. */
export function cmd(...words: readonly string[]): string {
  return words.map(shq).join(' ');
}

const TWO_31 = 2147483648n;

/**
 * The probability iptables prints for a rule written with `--probability <text>`: libxt_statistic
 * stores lround(0x80000000 * p) and prints it back with "%.11f" (so kube-proxy's 0.3333333333 shows
 * as 0.33333333349). Rounds exact ties to even, as glibc's printf does.
 */
export function iptablesPrintedProbability(text: string): string {
  const p = Number(text);
  if (!Number.isFinite(p) || p < 0 || p > 1) return text;
  const k = BigInt(Math.round(p * 2147483648)); // exact: a power-of-two scale; lround and Math.round agree for p >= 0
  const scaled = k * 10n ** 11n;
  let digits = scaled / TWO_31;
  const twice = (scaled % TWO_31) * 2n;
  if (twice > TWO_31 || (twice === TWO_31 && digits % 2n === 1n)) digits += 1n;
  const s = digits.toString().padStart(12, '0');
  return `${s.slice(0, -11)}.${s.slice(-11)}`;
}

/** An address inside a URL or host:port: IPv6 in brackets. */
export function hostPort(ip: string, port: number): string {
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}
