// A deep check of a PreviewState before the webview renders it. protocol.ts checks the message's
// shape; this checks every field the panes read, so a malformed state is ignored as a whole instead
// of half-rendering.
import type { PreviewState } from '../../protocol/preview';

type Check = (v: unknown) => boolean;

const obj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const str: Check = v => typeof v === 'string';
const num: Check = v => typeof v === 'number' && Number.isFinite(v);
const int: Check = v => Number.isInteger(v);
const bool: Check = v => typeof v === 'boolean';
const nullable = (c: Check): Check => v => v === null || c(v);
const optional = (c: Check): Check => v => v === undefined || c(v);
const arrayOf = (c: Check): Check => v => Array.isArray(v) && v.every(c);
const oneOf = (...values: string[]): Check => v => typeof v === 'string' && values.includes(v);
const shape = (fields: Record<string, Check>): Check => v => obj(v) && Object.entries(fields).every(([k, c]) => c(v[k]));

const proxyMode = oneOf('iptables', 'nftables', 'ipvs');
const packet = shape({ proto: str, src: str, sport: int, dst: str, dport: int });
const hop = shape({ node: str, hook: str, table: str, chain: str, line: nullable(v => int(v) && (v as number) >= 0), rule: str, action: str, before: packet, after: packet });
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
  chains: v => obj(v) && Object.values(v).every(x => int(x) && (x as number) >= 0),
  unavailable: optional(str),
});
const debug = shape({
  service: str, port: nullable(str), node: str, mode: proxyMode, text: str,
  commands: arrayOf(shape({ title: str, command: str, lookFor: str, runOn: str, expected: arrayOf(str) })),
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

export function isPreviewState(v: unknown): v is PreviewState {
  return state(v);
}
