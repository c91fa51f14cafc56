// `conntrack -L` (and /proc/net/nf_conntrack, `conntrack -L -o extended`) as pasted from a node.

export interface Tuple {
  readonly src: string;
  readonly dst: string;
  readonly sport: number | null;
  readonly dport: number | null;
}

export interface ConntrackEntry {
  readonly proto: string;
  readonly state: string | null;
  readonly timeout: number;
  readonly orig: Tuple;
  readonly reply: Tuple;
  /** [ASSURED], [UNREPLIED], [OFFLOAD], ... without brackets. */
  readonly flags: readonly string[];
  readonly zone: number | null;
  readonly mark: number | null;
  readonly secctx: string | null;
  readonly line: number;
  readonly text: string;
}

export interface ConntrackFooter {
  readonly line: number;
  readonly text: string;
  readonly count: number;
}

const ENTRY = /^(?:(?:ipv4|ipv6)\s+\d+\s+)?([a-z0-9-]+)\s+(\d+)\s+(\d+)\s+(.*\bsrc=.*)$/;
const FOOTER = /^conntrack v[\d.]+ \(conntrack-tools\): (\d+) flow entries have been shown\.$/;

export function isConntrackLine(text: string): boolean {
  return ENTRY.test(text) || FOOTER.test(text);
}

export class ConntrackDumpReader {
  readonly entries: ConntrackEntry[] = [];
  readonly footers: ConntrackFooter[] = [];

  accept(text: string, line: number): boolean {
    const footer = FOOTER.exec(text);
    if (footer) { this.footers.push({ line, text, count: Number(footer[1]) }); return true; }
    const m = ENTRY.exec(text);
    if (!m) return false;
    const words = m[4]!.split(/\s+/);
    let state: string | null = null;
    const flags: string[] = [];
    const tuples: Record<string, string>[] = [];
    const extra: Record<string, string> = {};
    for (const w of words) {
      const eq = w.indexOf('=');
      if (eq < 0) {
        if (/^\[.*\]$/.test(w)) flags.push(w.slice(1, -1));
        else if (tuples.length === 0 && /^[A-Z_]+$/.test(w)) state = w;
        continue;
      }
      const key = w.slice(0, eq), value = w.slice(eq + 1);
      if (key === 'src') tuples.push({});
      const tuple = tuples[tuples.length - 1];
      if (tuple && tuples.length <= 2 && ['src', 'dst', 'sport', 'dport', 'type', 'code', 'id'].includes(key) && !(key in tuple)) tuple[key] = value;
      else extra[key] = value;
    }
    if (tuples.length < 2) return false;
    const tuple = (t: Record<string, string>): Tuple => ({
      src: t['src'] ?? '', dst: t['dst'] ?? '',
      sport: t['sport'] !== undefined ? Number(t['sport']) : null, dport: t['dport'] !== undefined ? Number(t['dport']) : null,
    });
    const num = (v: string | undefined) => (v === undefined ? null : Number(v));
    this.entries.push({
      proto: m[1]!, state, timeout: Number(m[3]), orig: tuple(tuples[0]!), reply: tuple(tuples[1]!), flags,
      zone: num(extra['zone'] ?? extra['zone-orig']), mark: num(extra['mark']), secctx: extra['secctx'] ?? null, line, text,
    });
    return true;
  }
}
