// A deep check of a PreviewState before the webview renders it. protocol.ts checks the message's
// shape; this checks every field the panes read, so a malformed state is refused as a whole (with the
// field that is wrong, for the banner) instead of half-rendering.
/** A check answers null for a valid value, else where and why it is not (the reason shown to the user). */
type Check = (v: unknown) => string | null;

const obj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const is = (what: string, test: (v: unknown) => boolean): Check => v => (test(v) ? null : `expected ${what}, got ${describe(v)}`);
const str = is('a string', v => typeof v === 'string');
const num = is('a number', v => typeof v === 'number' && Number.isFinite(v));
const int = is('an integer', v => Number.isInteger(v));
const bool = is('true or false', v => typeof v === 'boolean');
const nullable = (c: Check): Check => v => (v === null ? null : c(v));
const optional = (c: Check): Check => v => (v === undefined ? null : c(v));
const arrayOf = (c: Check): Check => v => {
  if (!Array.isArray(v)) return `expected a list, got ${describe(v)}`;
  for (let i = 0; i < v.length; i++) { const e = c(v[i]); if (e) return at(`[${i}]`, e); }
  return null;
};
const oneOf = (...values: string[]): Check => is(values.map(x => JSON.stringify(x)).join(' or '), v => typeof v === 'string' && values.includes(v));
const shape = (fields: Record<string, Check>): Check => v => {
  if (!obj(v)) return `expected a mapping, got ${describe(v)}`;
  for (const [k, c] of Object.entries(fields)) { const e = c(v[k]); if (e) return at(`.${k}`, e); }
  return null;
};
const mapOf = (c: Check): Check => v => {
  if (!obj(v)) return `expected a mapping, got ${describe(v)}`;
  for (const [k, x] of Object.entries(v)) { const e = c(x); if (e) return at(`.${k}`, e); }
  return null;
};
/** Prefixes a nested failure with its key: ".walk" + ".outcomes[0]: expected ..." */
const at = (key: string, error: string) => (error.startsWith('.') || error.startsWith('[') ? key + error : `${key}: ${error}`);
const nonNegative: Check = v => int(v) ?? ((v as number) >= 0 ? null : `expected 0 or more, got ${describe(v)}`);

function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return typeof v === 'string' ? `a string` : `${typeof v} ${String(v)}`;
}

const proxyMode = oneOf('iptables', 'nftables', 'ipvs');
const packet = shape({ proto: str, src: str, sport: int, dst: str, dport: int });
const hop = shape({ node: str, hook: str, table: str, chain: str, line: nullable(nonNegative), rule: str, action: str, before: packet, after: packet });
const outcome = shape({
  probability: num, verdict: str, endpoint: nullable(str), endpointNode: nullable(str), natNode: nullable(str), masqueraded: bool,
  snatAddress: nullable(str), sourceSeen: nullable(str), delivered: str, hops: arrayOf(hop),
  reply: arrayOf(shape({ node: nullable(str), description: str, packet })), replyBroken: bool,
});
const walk = shape({
  sourceId: str, entryId: str, sourceLabel: str, entryLabel: str, packet, firstNode: str, verdict: str,
  endpoints: arrayOf(shape({ endpoint: str, probability: num, node: nullable(str) })), masquerade: bool,
  outcomes: arrayOf(outcome), summary: str,
});
const choice = shape({ id: str, label: str, detail: str });
const node = shape({ name: str, ips: arrayOf(str), podCIDR: nullable(str), podGateway: nullable(str) });
const rules = shape({
  mode: proxyMode, format: oneOf('restore', 'save'), node: str, text: str,
  lines: arrayOf(shape({ chain: nullable(str), service: optional(str), endpoint: optional(str) })),
  chains: mapOf(nonNegative),
  unavailable: optional(str),
});
const debug = shape({
  service: str, port: nullable(str), node: str, mode: proxyMode, text: str,
  commands: arrayOf(shape({ title: str, command: str, lookFor: str, where: oneOf('workstation', 'node', 'outside'), runOn: str, expected: arrayOf(str) })),
});
const profile = shape({
  source: str, proxyMode, nodeName: str, clusterCIDR: nullable(str),
  masqueradeAll: bool, localhostNodePorts: bool, iptablesRandomFully: bool, nodes: arrayOf(node),
});
const state = shape({
  locale: oneOf('en', 'de'),
  fileName: str,
  services: arrayOf(shape({ key: str, ports: arrayOf(shape({ index: int, label: str })) })),
  selectedService: nullable(str), selectedPort: int, profile, rules,
  sources: arrayOf(choice), entries: arrayOf(choice), walk: nullable(walk), debug: nullable(debug),
  assumptions: arrayOf(shape({ subject: str, field: str, value: str, reason: str })),
  problems: arrayOf(str),
});

/** Null when the webview can render `v`, else the field that is wrong and how ("state.walk.outcomes[0].hops[2].node: expected a string, got number 1"). */
export function previewStateError(v: unknown): string | null {
  const e = state(v);
  return e === null ? null : at('state', e);
}
