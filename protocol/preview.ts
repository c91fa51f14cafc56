// The one message protocol between the extension host and the preview webview. Both sides import
// this module; every message is validated on arrival. The webview never receives HTML: only data,
// which it renders as text.

export type ProxyMode = 'iptables' | 'nftables' | 'ipvs';
export type RulesFormat = 'restore' | 'save';

export interface PacketView { proto: string; src: string; sport: number; dst: string; dport: number }

export interface HopView {
  node: string;
  hook: string;
  table: string;
  chain: string;
  /** 0-based line in the rules text shown for `node` (the preview's node), or null (a built-in jump, or another node). */
  line: number | null;
  rule: string;
  action: string;
  before: PacketView;
  after: PacketView;
}

export interface OutcomeView {
  probability: number;
  verdict: string;
  endpoint: string | null;
  endpointNode: string | null;
  natNode: string | null;
  masqueraded: boolean;
  snatAddress: string | null;
  sourceSeen: string | null;
  delivered: string;
  hops: HopView[];
  reply: { node: string | null; description: string; packet: PacketView }[];
  replyBroken: boolean;
}

export interface WalkView {
  sourceId: string;
  entryId: string;
  sourceLabel: string;
  entryLabel: string;
  packet: PacketView;
  firstNode: string;
  verdict: string;
  endpoints: { endpoint: string; probability: number; node: string | null }[];
  masquerade: boolean;
  outcomes: OutcomeView[];
  summary: string;
}

export interface ChoiceView { id: string; label: string; detail: string }

export interface NodeView { name: string; ips: string[]; podCIDR: string | null; podGateway: string | null }

export interface ServiceView {
  key: string;
  ports: { index: number; label: string }[];
}

/** Settings shown in the Assumptions pane; edits come back as a ProfilePatch. */
export interface ProfileView {
  source: string;
  proxyMode: ProxyMode;
  nodeName: string;
  clusterCIDR: string | null;
  masqueradeAll: boolean;
  localhostNodePorts: boolean;
  iptablesRandomFully: boolean;
  nodes: NodeView[];
}

export interface RulesView {
  mode: ProxyMode;
  format: RulesFormat;
  node: string;
  /** The text shown in the rules pane. */
  text: string;
  /** Per line of `text`: its chain (null for headers), service and endpoint. */
  lines: { chain: string | null; service?: string; endpoint?: string }[];
  /** Chain name -> 0-based line of its declaration, for "go to chain". */
  chains: Record<string, number>;
  /** Set when the mode is not available yet. */
  unavailable?: string;
}

/** One check of the prediction on a real cluster (the engine's DebugCommand). */
export interface DebugCommandView {
  title: string;
  /** One shell command line, copy-paste ready. */
  command: string;
  /** What the output shows if the prediction holds. */
  lookFor: string;
  /** Where it runs, for the icon: the workstation (kubectl), a node's root shell, or outside the cluster. */
  where: 'workstation' | 'node' | 'outside';
  /** The same in the state's language, with why when it matters. */
  runOn: string;
  /** Output lines NAT Lens predicts; empty when it has none. */
  expected: string[];
}

/** The debug commands for one Service port, on the preview's node and in its proxy mode. */
export interface DebugView {
  /** "namespace/name": the selected Service, or the one the port select shows when all are. */
  service: string;
  /** The checked port as the port select labels it, or null when the Service has none kube-proxy programs. */
  port: string | null;
  node: string;
  mode: ProxyMode;
  commands: DebugCommandView[];
  /** Every command as `natlens debug` prints it, for "Copy all". */
  text: string;
}

export interface PreviewState {
  /** The language the engine wrote the state's words in. */
  locale: 'en' | 'de';
  fileName: string;
  services: ServiceView[];
  selectedService: string | null;
  selectedPort: number;
  profile: ProfileView;
  rules: RulesView;
  sources: ChoiceView[];
  entries: ChoiceView[];
  walk: WalkView | null;
  /** Null when the file has no Service. */
  debug: DebugView | null;
  assumptions: { subject: string; field: string; value: string; reason: string }[];
  problems: string[];
}

export type ProfilePatch = Partial<Pick<ProfileView, 'clusterCIDR' | 'masqueradeAll' | 'localhostNodePorts' | 'iptablesRandomFully' | 'nodeName'>> & {
  node?: { name: string; ips?: string[]; podCIDR?: string | null; podGateway?: string | null };
};

export type HostMessage =
  | { type: 'state'; state: PreviewState }
  | { type: 'error'; message: string }
  /** What the host needs to re-create the panel after a reload: the webview keeps it in setState({ host }). */
  | { type: 'persist'; state: unknown };

export type WebviewMessage =
  | { type: 'ready' }
  | { type: 'select'; service?: string; port?: number; node?: string; mode?: ProxyMode; format?: RulesFormat }
  | { type: 'trace'; source: string; entry: string }
  | { type: 'editProfile'; patch: ProfilePatch }
  | { type: 'saveProfile' }
  | { type: 'openText' }
  | { type: 'copy'; text: string };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const optional = (v: unknown, check: (x: unknown) => boolean) => v === undefined || check(v);
const isString = (v: unknown): v is string => typeof v === 'string';
const MODES = ['iptables', 'nftables', 'ipvs'];

function isPatch(v: unknown): v is ProfilePatch {
  if (!isObject(v)) return false;
  const allowed = ['clusterCIDR', 'masqueradeAll', 'localhostNodePorts', 'iptablesRandomFully', 'nodeName', 'node'];
  if (Object.keys(v).some(k => !allowed.includes(k))) return false;
  if (!optional(v['clusterCIDR'], x => x === null || isString(x))) return false;
  for (const k of ['masqueradeAll', 'localhostNodePorts', 'iptablesRandomFully']) if (!optional(v[k], x => typeof x === 'boolean')) return false;
  if (!optional(v['nodeName'], isString)) return false;
  const node = v['node'];
  if (node !== undefined) {
    if (!isObject(node) || !isString(node['name'])) return false;
    if (!optional(node['ips'], x => Array.isArray(x) && x.every(isString))) return false;
    if (!optional(node['podCIDR'], x => x === null || isString(x))) return false;
    if (!optional(node['podGateway'], x => x === null || isString(x))) return false;
  }
  return true;
}

/** Validates a message from the webview (untrusted: it renders manifest strings). */
export function parseWebviewMessage(v: unknown): WebviewMessage | null {
  if (!isObject(v) || !isString(v['type'])) return null;
  switch (v['type']) {
    case 'ready': case 'saveProfile': case 'openText':
      return { type: v['type'] };
    case 'select':
      if (!optional(v['service'], isString) || !optional(v['port'], x => Number.isInteger(x)) || !optional(v['node'], isString)
        || !optional(v['mode'], x => MODES.includes(x as string)) || !optional(v['format'], x => x === 'restore' || x === 'save')) return null;
      return v as WebviewMessage;
    case 'trace':
      return isString(v['source']) && isString(v['entry']) ? { type: 'trace', source: v['source'], entry: v['entry'] } : null;
    case 'editProfile':
      return isPatch(v['patch']) ? { type: 'editProfile', patch: v['patch'] } : null;
    case 'copy':
      return isString(v['text']) && v['text'].length < 64 * 1024 * 1024 ? { type: 'copy', text: v['text'] } : null;
    default:
      return null;
  }
}

/** Validates a message from the host (defence in depth: the webview trusts nothing it did not check). */
export function parseHostMessage(v: unknown): HostMessage | null {
  if (!isObject(v)) return null;
  if (v['type'] === 'error') return isString(v['message']) ? { type: 'error', message: v['message'] } : null;
  if (v['type'] === 'persist') return { type: 'persist', state: v['state'] };
  if (v['type'] !== 'state' || !isObject(v['state'])) return null;
  const s = v['state'];
  const ok = isString(s['fileName']) && Array.isArray(s['services']) && isObject(s['profile']) && isObject(s['rules'])
    && isString((s['rules'] as Record<string, unknown>)['text']) && Array.isArray((s['rules'] as Record<string, unknown>)['lines'])
    && Array.isArray(s['sources']) && Array.isArray(s['entries']) && (s['walk'] === null || isObject(s['walk'])) && (s['debug'] === null || isObject(s['debug']))
    && Array.isArray(s['assumptions']) && Array.isArray(s['problems']);
  return ok ? { type: 'state', state: s as unknown as PreviewState } : null;
}
