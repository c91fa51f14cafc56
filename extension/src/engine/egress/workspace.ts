// Reads the CNI's own objects from the workspace's manifests, with the range of every setting:
// Calico IPPool and FelixConfiguration, the cilium-config ConfigMap, the ip-masq-agent ConfigMap
// (upstream and Cilium's eBPF agent read the same one), flannel's kube-flannel-cfg and its DaemonSet
// arguments, and the aws-node DaemonSet's environment. parseManifest drops these kinds (or, for
// DaemonSets, does not look at their environment), so this module reads the YAML values itself.
import { isRecord, objectLocator, type ManifestFile, type ManifestProblem } from '../manifest/manifest';
import { LineIndex, type FieldPath, type SourceRange } from '../manifest/source';
import { parseYamlDocuments, type YamlDocument } from '../manifest/yamlAdapter';
import { parseCIDR, parseIP } from '../util/ip';
import { CALICO_ENCAPSULATION_MODES, type AwsRandomizeSNAT, type CalicoEncapsulationMode, type CalicoNatExclusions, type CalicoPool, type CiliumRoutingMode, type CniType, type Setting, type SettingSource } from './types';

export interface CniWorkspace {
  readonly calicoPools: readonly CalicoPool[];
  /** FelixConfiguration "default". */
  readonly felix: {
    readonly natOutgoingAddress?: Setting<string | null> | undefined;
    readonly natOutgoingExclusions?: Setting<CalicoNatExclusions> | undefined;
  };
  readonly cilium: {
    readonly masquerade?: Setting<boolean> | undefined;
    readonly bpfMasquerade?: Setting<boolean> | undefined;
    readonly nativeRoutingCIDR?: Setting<string | null> | undefined;
    readonly routingMode?: Setting<CiliumRoutingMode> | undefined;
    readonly ipMasqAgent?: Setting<boolean> | undefined;
  } | null;
  readonly ipMasqAgent: {
    /** The ConfigMap's config key (or the ConfigMap); absent when only the DaemonSet is in the workspace. */
    readonly configMap?: SettingSource | undefined;
    readonly nonMasqueradeCIDRs?: Setting<readonly string[]> | undefined;
    readonly masqLinkLocal?: Setting<boolean> | undefined;
    readonly masqLinkLocalIPv6?: Setting<boolean> | undefined;
    readonly resyncInterval?: Setting<string> | undefined;
    readonly nomasqAllReservedRanges?: Setting<boolean> | undefined;
  } | null;
  readonly flannel: {
    readonly ipMasq?: Setting<boolean> | undefined;
    readonly network?: Setting<string | null> | undefined;
    readonly backend?: Setting<string> | undefined;
    readonly directRouting?: Setting<boolean> | undefined;
    readonly vni?: Setting<number> | undefined;
  } | null;
  /** Calico IPAMBlocks with a host affinity: a node's blocks, from which Calico IPAM gives its tunnel address. */
  readonly calicoBlocks: readonly CalicoBlock[];
  /** What CNIs published about each node (Node annotations, CiliumNode addresses): node → key → value. */
  readonly nodeAddresses: ReadonlyMap<string, ReadonlyMap<string, Setting<string>>>;
  readonly aws: {
    readonly externalSNAT?: Setting<boolean> | undefined;
    readonly excludeSNATCIDRs?: Setting<readonly string[]> | undefined;
    readonly randomizeSNAT?: Setting<AwsRandomizeSNAT> | undefined;
  } | null;
  /** CNIs whose objects were found, most specific first (for cni.type: auto). */
  readonly detected: readonly CniType[];
  readonly problems: readonly (ManifestProblem & { readonly fileName: string })[];
}

export interface CalicoBlock {
  readonly cidr: string;
  readonly node: string;
  readonly source: SettingSource;
}

/** The key under which a CiliumNode's CiliumInternalIP (the cilium_host address) is kept in nodeAddresses. */
export const CILIUM_NODE_INTERNAL_IP = 'CiliumNode spec.addresses CiliumInternalIP';

export const CALICO_API_VERSIONS = ['projectcalico.org/v3', 'crd.projectcalico.org/v1'] as const;
export const AWS_ENV = {
  externalSNAT: 'AWS_VPC_K8S_CNI_EXTERNALSNAT',
  excludeSNATCIDRs: 'AWS_VPC_K8S_CNI_EXCLUDE_SNAT_CIDRS',
  randomizeSNAT: 'AWS_VPC_K8S_CNI_RANDOMIZESNAT',
} as const;
export const CILIUM_KEYS = {
  masquerade: 'enable-ipv4-masquerade',
  bpfMasquerade: 'enable-bpf-masquerade',
  nativeRoutingCIDR: 'ipv4-native-routing-cidr',
  ipMasqAgent: 'enable-ip-masq-agent',
  routingMode: 'routing-mode',
  tunnel: 'tunnel',
} as const;

const HELM_TEMPLATE = /\{\{-?\s|\{\{[^}]*\}\}/;

/** One object of any kind in a file, read straight from its YAML document. */
export interface RawObject {
  readonly file: ManifestFile;
  readonly doc: YamlDocument;
  readonly basePath: FieldPath;
  readonly value: Record<string, unknown>;
  readonly kind: string;
  readonly apiVersion: string;
  readonly name: string;
  readonly namespace: string;
  readonly range: SourceRange;
  rangeOf(path: FieldPath, part?: 'key' | 'value'): SourceRange | undefined;
  pathAt(offset: number): FieldPath | undefined;
  /** "Kind/name" or "Kind/namespace/name" for namespaced kinds. */
  readonly label: string;
}

export function* rawObjects(file: ManifestFile): Generator<RawObject> {
  for (const doc of file.documents) {
    if (HELM_TEMPLATE.test(doc.text) || doc.value === undefined || doc.value === null) continue;
    yield* collect(file, doc, doc.value, []);
  }
}

function* collect(file: ManifestFile, doc: YamlDocument, value: unknown, basePath: FieldPath): Generator<RawObject> {
  if (!isRecord(value) || typeof value['kind'] !== 'string') return;
  const kind = value['kind'];
  if (kind === 'List' || kind.endsWith('List')) {
    const items = value['items'];
    if (Array.isArray(items)) for (const [i, item] of items.entries()) yield* collect(file, doc, item, [...basePath, 'items', i]);
    return;
  }
  const metadata = isRecord(value['metadata']) ? value['metadata'] : {};
  const name = typeof metadata['name'] === 'string' ? metadata['name'] : '';
  const ns = typeof metadata['namespace'] === 'string' && metadata['namespace'] ? metadata['namespace'] : '';
  const clusterScoped = kind === 'IPPool' || kind === 'FelixConfiguration';
  yield {
    file, doc, basePath, value, kind, name,
    apiVersion: typeof value['apiVersion'] === 'string' ? value['apiVersion'] : '',
    namespace: ns || 'default',
    ...objectLocator(doc, basePath),
    label: clusterScoped ? `${kind}/${name}` : `${kind}/${ns || 'default'}/${name}`,
  };
}

// ---------------------------------------------------------------------------------------------
// Embedded configuration strings (data.config, net-conf.json): parse them as YAML (JSON is YAML)
// and map offsets inside the string back to the file, for a block scalar or an escape-free quoted
// string. When the mapping fails, settings point at the whole string.

export interface EmbeddedConfig {
  readonly text: string;
  readonly doc: YamlDocument | undefined;
  /** Range of the whole string value in the file. */
  readonly valueRange: SourceRange;
  toFile(innerOffset: number): number | null;
  toInner(fileOffset: number): number | null;
  /** File range of a value (or key) inside the string; the whole string when unmappable. */
  rangeOf(path: FieldPath, part?: 'key' | 'value'): SourceRange;
}

export function embeddedConfig(file: ManifestFile, obj: RawObject, path: FieldPath): EmbeddedConfig | null {
  let cur: unknown = obj.value;
  for (const p of path) cur = isRecord(cur) && typeof p === 'string' ? cur[p] : undefined;
  if (typeof cur !== 'string') return null;
  const text = cur;
  const valueRange = obj.rangeOf(path);
  if (!valueRange) return null;
  const lines = new LineIndex(text);
  const docs = parseYamlDocuments(text, lines);
  const doc = docs.find(d => d.value !== undefined && d.value !== null);
  const map = offsetMap(file, valueRange, text);
  const whole = valueRange;
  return {
    text, doc, valueRange,
    toFile: inner => map?.toFile(inner) ?? null,
    toInner: outer => map?.toInner(outer) ?? null,
    rangeOf: (p, part) => {
      const r = doc?.rangeOf(p, part);
      if (!r || !map) return whole;
      // a block collection's node ends where the next key starts: drop the trailing whitespace
      let end = r.end.offset;
      while (end > r.start.offset && /\s/.test(text[end - 1]!)) end--;
      const s = map.toFile(r.start.offset), e = map.toFile(end);
      return s === null || e === null ? whole : file.lines.range(s, e);
    },
  };
}

interface OffsetMap { toFile(inner: number): number | null; toInner(outer: number): number | null }

function offsetMap(file: ManifestFile, valueRange: SourceRange, inner: string): OffsetMap | null {
  const start = valueRange.start.offset, end = valueRange.end.offset;
  const raw = file.text.slice(start, end);
  // plain scalar, or a quoted one without escapes
  const shift = raw === inner ? 0 : (raw.startsWith("'") || raw.startsWith('"')) && raw.slice(1, -1) === inner ? 1 : -1;
  if (shift >= 0) {
    return {
      toFile: k => (k >= 0 && k <= inner.length ? start + shift + k : null),
      toInner: o => (o >= start + shift && o <= start + shift + inner.length ? o - start - shift : null),
    };
  }
  // literal block scalar: a header line "|", "|-", "|+" or "|2", then the lines with a fixed indentation
  if (!/^\|[-+0-9]*[ \t]*(#.*)?$/.test(raw.split('\n', 1)[0]!)) return null;
  const headerLine = valueRange.start.line;
  const innerLines = inner.split('\n');
  let indent = -1;
  for (let k = 0; k < innerLines.length; k++) {
    const line = lineText(file, headerLine + 1 + k);
    if (line === null) return innerLines.slice(k).every(l => l === '') ? finishBlock() : null;
    if (innerLines[k] === '') continue;
    if (indent < 0) indent = line.length - innerLines[k]!.length;
    if (indent < 0 || line.slice(indent) !== innerLines[k]) return null;
  }
  return finishBlock();

  function finishBlock(): OffsetMap {
    const ind = Math.max(indent, 0);
    const innerStarts = [0];
    for (let i = inner.indexOf('\n'); i >= 0; i = inner.indexOf('\n', i + 1)) innerStarts.push(i + 1);
    return {
      toFile: k => {
        if (k < 0 || k > inner.length) return null;
        let line = 0;
        while (line + 1 < innerStarts.length && innerStarts[line + 1]! <= k) line++;
        const lineStart = file.lines.offsetAt(headerLine + 1 + line, 0);
        const text = lineText(file, headerLine + 1 + line) ?? '';
        return lineStart + Math.min(ind, text.length) + (k - innerStarts[line]!);
      },
      toInner: o => {
        const pos = file.lines.position(o);
        const line = pos.line - headerLine - 1;
        if (line < 0 || line >= innerStarts.length || pos.character < ind) return null;
        const k = innerStarts[line]! + pos.character - ind;
        const lineEnd = line + 1 < innerStarts.length ? innerStarts[line + 1]! - 1 : inner.length;
        return k <= lineEnd ? k : null;
      },
    };
  }
}

function lineText(file: ManifestFile, line: number): string | null {
  if (line >= file.lines.lineCount) return null;
  const s = file.lines.offsetAt(line, 0);
  const e = line + 1 < file.lines.lineCount ? file.lines.offsetAt(line + 1, 0) - 1 : file.text.length;
  return file.text.slice(s, e).replace(/\r$/, '');
}

// ---------------------------------------------------------------------------------------------

type Problems = (ManifestProblem & { fileName: string })[];

/** Reads every CNI object in the files; later files do not override earlier ones (first wins). */
export function readCniConfig(files: readonly ManifestFile[]): CniWorkspace {
  const problems: Problems = [];
  const calicoPools: CalicoPool[] = [];
  const felix: { -readonly [K in keyof CniWorkspace['felix']]: CniWorkspace['felix'][K] } = {};
  let cilium: { -readonly [K in keyof NonNullable<CniWorkspace['cilium']>]: NonNullable<CniWorkspace['cilium']>[K] } | null = null;
  let agent: { -readonly [K in keyof NonNullable<CniWorkspace['ipMasqAgent']>]: NonNullable<CniWorkspace['ipMasqAgent']>[K] } | null = null;
  let agentFlag: Setting<boolean> | undefined;
  let flannel: { -readonly [K in keyof NonNullable<CniWorkspace['flannel']>]: NonNullable<CniWorkspace['flannel']>[K] } | null = null;
  let aws: { -readonly [K in keyof NonNullable<CniWorkspace['aws']>]: NonNullable<CniWorkspace['aws']>[K] } | null = null;
  const detected = new Set<CniType>();
  const calicoBlocks: CalicoBlock[] = [];
  const nodeAddresses = new Map<string, Map<string, Setting<string>>>();
  const publish = (node: string, key: string, value: Setting<string>) => {
    const known = nodeAddresses.get(node) ?? nodeAddresses.set(node, new Map()).get(node)!;
    if (!known.has(key)) known.set(key, value);
  };

  for (const file of files) {
    for (const obj of rawObjects(file)) {
      const src = (path: FieldPath, range?: SourceRange): SettingSource => ({ fileName: file.fileName, object: obj.label, path, range: range ?? obj.rangeOf(path) ?? obj.range });
      const warn = (path: FieldPath, message: string) => problems.push({ fileName: file.fileName, code: 'cni-setting-invalid', severity: 'warning', message, range: obj.rangeOf(path) ?? obj.range });
      const spec = isRecord(obj.value['spec']) ? obj.value['spec'] : {};
      const data = isRecord(obj.value['data']) ? obj.value['data'] : {};

      if (obj.kind === 'IPPool' && (CALICO_API_VERSIONS as readonly string[]).includes(obj.apiVersion)) {
        detected.add('calico');
        const cidr = spec['cidr'];
        if (typeof cidr !== 'string' || !parseCIDR(cidr)) { warn(['spec', 'cidr'], `IPPool ${obj.name}: spec.cidr is not a CIDR; pool ignored`); continue; }
        const flag = (field: 'natOutgoing' | 'disabled'): Setting<boolean> => {
          const key = `IPPool.spec.${field}`;
          const v = spec[field];
          if (v === undefined) return { value: false, origin: 'default', key }; // CAL: both default to false
          if (typeof v !== 'boolean') { warn(['spec', field], `IPPool ${obj.name}: spec.${field} must be true or false`); return { value: false, origin: 'default', key }; }
          return { value: v, origin: 'workspace', key, source: src(['spec', field]) };
        };
        const mode = (field: 'ipipMode' | 'vxlanMode'): Setting<CalicoEncapsulationMode> => {
          const key = `IPPool.spec.${field}`;
          const v = spec[field];
          if (v === undefined) return { value: 'Never', origin: 'default', key }; // CAL: both default to Never
          if (!(CALICO_ENCAPSULATION_MODES as readonly unknown[]).includes(v)) { warn(['spec', field], `IPPool ${obj.name}: spec.${field} is ${CALICO_ENCAPSULATION_MODES.join(', ')}`); return { value: 'Never', origin: 'default', key }; }
          return { value: v as CalicoEncapsulationMode, origin: 'workspace', key, source: src(['spec', field]) };
        };
        calicoPools.push({
          name: obj.name,
          cidr: { value: cidr, origin: 'workspace', key: 'IPPool.spec.cidr', source: src(['spec', 'cidr']) },
          natOutgoing: flag('natOutgoing'),
          disabled: flag('disabled'),
          ipipMode: mode('ipipMode'),
          vxlanMode: mode('vxlanMode'),
        });
        if (spec['natOutgoingAddress'] !== undefined) {
          problems.push({ fileName: file.fileName, code: 'cni-setting-ignored', severity: 'info', range: obj.rangeOf(['spec', 'natOutgoingAddress'], 'key') ?? obj.range,
            message: 'natOutgoingAddress is a FelixConfiguration setting in Calico; on an IPPool it is not read' });
        }
        continue;
      }
      if (obj.kind === 'IPAMBlock' && (CALICO_API_VERSIONS as readonly string[]).includes(obj.apiVersion)) {
        // libcalico-go IPAMBlock: spec.affinity "host:<node>" for a block affine to a node
        const cidr = spec['cidr'], affinity = spec['affinity'];
        if (typeof cidr === 'string' && parseCIDR(cidr) && typeof affinity === 'string' && affinity.startsWith('host:')) {
          calicoBlocks.push({ cidr, node: affinity.slice('host:'.length), source: src(['spec', 'cidr']) });
        }
        continue;
      }
      if (obj.kind === 'Node' && obj.apiVersion === 'v1') {
        const metadata = isRecord(obj.value['metadata']) ? obj.value['metadata'] : {};
        const annotations = isRecord(metadata['annotations']) ? metadata['annotations'] : {};
        for (const [key, value] of Object.entries(annotations)) {
          if (typeof value === 'string') publish(obj.name, key, { value, origin: 'workspace', key: `Node ${obj.name} annotation ${key}`, source: src(['metadata', 'annotations', key]) });
        }
        continue;
      }
      if (obj.kind === 'CiliumNode' && obj.apiVersion.startsWith('cilium.io/')) {
        const addresses = Array.isArray(spec['addresses']) ? spec['addresses'] : [];
        for (const [i, a] of addresses.entries()) {
          if (isRecord(a) && a['type'] === 'CiliumInternalIP' && typeof a['ip'] === 'string' && parseIP(a['ip'])?.family === 'IPv4') {
            publish(obj.name, CILIUM_NODE_INTERNAL_IP, { value: a['ip'], origin: 'workspace', key: `CiliumNode ${obj.name} CiliumInternalIP`, source: src(['spec', 'addresses', i, 'ip']) });
          }
        }
        continue;
      }
      if (obj.kind === 'FelixConfiguration' && (CALICO_API_VERSIONS as readonly string[]).includes(obj.apiVersion)) {
        detected.add('calico');
        if (obj.name !== 'default') continue; // per-node "node.<name>" overrides are not modelled
        const addr = spec['natOutgoingAddress'];
        if (typeof addr === 'string' && parseIP(addr)) felix.natOutgoingAddress ??= { value: addr, origin: 'workspace', key: 'FelixConfiguration.spec.natOutgoingAddress', source: src(['spec', 'natOutgoingAddress']) };
        else if (addr !== undefined) warn(['spec', 'natOutgoingAddress'], 'natOutgoingAddress is not an IP address');
        const excl = spec['natOutgoingExclusions'];
        if (excl === 'IPPoolsOnly' || excl === 'IPPoolsAndHostIPs') felix.natOutgoingExclusions ??= { value: excl, origin: 'workspace', key: 'FelixConfiguration.spec.natOutgoingExclusions', source: src(['spec', 'natOutgoingExclusions']) };
        else if (excl !== undefined) warn(['spec', 'natOutgoingExclusions'], 'natOutgoingExclusions is IPPoolsOnly or IPPoolsAndHostIPs');
        continue;
      }
      if (obj.kind === 'ConfigMap' && obj.apiVersion === 'v1' && obj.name === 'cilium-config' && !cilium) {
        detected.add('cilium');
        cilium = {};
        const bool = (key: string): Setting<boolean> | undefined => {
          const v = data[key];
          if (v === undefined) return undefined;
          if (v !== 'true' && v !== 'false' && typeof v !== 'boolean') { warn(['data', key], `${key}: expected "true" or "false"`); return undefined; }
          return { value: v === true || v === 'true', origin: 'workspace', key, source: src(['data', key]) };
        };
        cilium.masquerade = bool(CILIUM_KEYS.masquerade);
        cilium.bpfMasquerade = bool(CILIUM_KEYS.bpfMasquerade);
        cilium.ipMasqAgent = bool(CILIUM_KEYS.ipMasqAgent);
        const nrc = data[CILIUM_KEYS.nativeRoutingCIDR];
        if (typeof nrc === 'string' && parseCIDR(nrc)) cilium.nativeRoutingCIDR = { value: nrc, origin: 'workspace', key: CILIUM_KEYS.nativeRoutingCIDR, source: src(['data', CILIUM_KEYS.nativeRoutingCIDR]) };
        else if (nrc !== undefined && nrc !== '') warn(['data', CILIUM_KEYS.nativeRoutingCIDR], `${CILIUM_KEYS.nativeRoutingCIDR}: not a CIDR`);
        const rm = data[CILIUM_KEYS.routingMode], tunnel = data[CILIUM_KEYS.tunnel];
        if (rm === 'tunnel' || rm === 'native') cilium.routingMode = { value: rm, origin: 'workspace', key: CILIUM_KEYS.routingMode, source: src(['data', CILIUM_KEYS.routingMode]) };
        // before routing-mode existed: tunnel: disabled meant native routing
        else if (typeof tunnel === 'string') cilium.routingMode = { value: tunnel === 'disabled' ? 'native' : 'tunnel', origin: 'workspace', key: CILIUM_KEYS.tunnel, source: src(['data', CILIUM_KEYS.tunnel]) };
        continue;
      }
      if (obj.kind === 'ConfigMap' && obj.apiVersion === 'v1' && obj.name === 'ip-masq-agent' && !agent) {
        detected.add('ip-masq-agent');
        const cfg = embeddedConfig(file, obj, ['data', 'config']);
        agent = { configMap: src(cfg ? ['data', 'config'] : []) };
        if (data['config'] !== undefined && !cfg) warn(['data', 'config'], 'ip-masq-agent: data.config must be a YAML or JSON string');
        if (cfg && cfg.doc === undefined && cfg.text.trim() !== '') warn(['data', 'config'], 'ip-masq-agent: data.config does not parse as YAML or JSON; the agent refuses such a file and keeps its previous configuration');
        const conf = cfg?.doc && isRecord(cfg.doc.value) ? cfg.doc.value : {};
        // Go's encoding/json matches field names case-insensitively (the agent unmarshals the YAML as JSON)
        const field = (name: string) => Object.keys(conf).find(k => k.toLowerCase() === name.toLowerCase());
        const inner = (name: string): { key: string; source: SettingSource } | undefined => {
          const k = field(name);
          return k === undefined || !cfg ? undefined : { key: name, source: src(['data', 'config', k], cfg.rangeOf([k])) };
        };
        const cidrKey = field('nonMasqueradeCIDRs');
        if (cidrKey !== undefined) {
          const v = conf[cidrKey];
          const at = inner('nonMasqueradeCIDRs')!;
          if (Array.isArray(v) && v.every(c => typeof c === 'string' && parseCIDR(c))) agent.nonMasqueradeCIDRs = { value: v as string[], origin: 'workspace', ...at };
          else problems.push({ fileName: file.fileName, code: 'cni-setting-invalid', severity: 'warning', range: at.source.range, message: 'ip-masq-agent: nonMasqueradeCIDRs must be a list of CIDRs; the agent rejects this configuration' });
        }
        for (const name of ['masqLinkLocal', 'masqLinkLocalIPv6'] as const) {
          const k = field(name);
          if (k === undefined) continue;
          const at = inner(name)!;
          if (typeof conf[k] === 'boolean') agent[name] = { value: conf[k] as boolean, origin: 'workspace', ...at };
          else problems.push({ fileName: file.fileName, code: 'cni-setting-invalid', severity: 'warning', range: at.source.range, message: `ip-masq-agent: ${name} must be true or false` });
        }
        const rk = field('resyncInterval');
        if (rk !== undefined && typeof conf[rk] === 'string') agent.resyncInterval = { value: conf[rk] as string, origin: 'workspace', ...inner('resyncInterval')! };
        continue;
      }
      if (obj.kind === 'ConfigMap' && obj.apiVersion === 'v1' && obj.name === 'kube-flannel-cfg') {
        detected.add('flannel');
        flannel ??= {};
        const cfg = embeddedConfig(file, obj, ['data', 'net-conf.json']);
        const conf = cfg?.doc && isRecord(cfg.doc.value) ? cfg.doc.value : {};
        const net = conf['Network'];
        if (typeof net === 'string' && parseCIDR(net) && cfg) flannel.network ??= { value: net, origin: 'workspace', key: 'net-conf.json Network', source: src(['data', 'net-conf.json', 'Network'], cfg.rangeOf(['Network'])) };
        else if (cfg) warn(['data', 'net-conf.json'], 'kube-flannel-cfg: net-conf.json has no Network CIDR');
        const backend = isRecord(conf['Backend']) ? conf['Backend'] : null;
        const at = (key: string): SettingSource => src(['data', 'net-conf.json', 'Backend', key], cfg?.rangeOf(['Backend', key]));
        if (backend && typeof backend['Type'] === 'string') flannel.backend ??= { value: backend['Type'], origin: 'workspace', key: 'net-conf.json Backend.Type', source: at('Type') };
        if (backend && typeof backend['DirectRouting'] === 'boolean') flannel.directRouting ??= { value: backend['DirectRouting'], origin: 'workspace', key: 'net-conf.json Backend.DirectRouting', source: at('DirectRouting') };
        if (backend && typeof backend['VNI'] === 'number') flannel.vni ??= { value: backend['VNI'], origin: 'workspace', key: 'net-conf.json Backend.VNI', source: at('VNI') };
        continue;
      }
      if (obj.kind === 'DaemonSet') {
        const podSpec = isRecord(spec['template']) && isRecord(spec['template']['spec']) ? spec['template']['spec'] : {};
        const containers = Array.isArray(podSpec['containers']) ? podSpec['containers'] : [];
        for (const [ci, c] of containers.entries()) {
          if (!isRecord(c)) continue;
          const words = [...(Array.isArray(c['command']) ? c['command'] : []), ...(Array.isArray(c['args']) ? c['args'] : [])].map(String);
          const cpath: FieldPath = ['spec', 'template', 'spec', 'containers', ci];
          if (words.some(w => w.endsWith('flanneld')) || c['name'] === 'kube-flannel') {
            detected.add('flannel');
            flannel ??= {};
            const args = Array.isArray(c['args']) ? c['args'] : [];
            const i = args.findIndex(a => a === '--ip-masq' || a === '--ip-masq=true' || a === '--ip-masq=false');
            if (i >= 0) flannel.ipMasq ??= { value: args[i] !== '--ip-masq=false', origin: 'workspace', key: 'flanneld --ip-masq', source: src([...cpath, 'args', i]) };
            // FL: without the flag flanneld does not masquerade (flag default false)
            else flannel.ipMasq ??= { value: false, origin: 'workspace', key: 'flanneld --ip-masq', source: src([...cpath, ...(c['args'] ? ['args'] : c['command'] ? ['command'] : [])]) };
          }
          if (obj.name === 'ip-masq-agent' && (c['name'] === 'ip-masq-agent' || words.some(w => w.includes('ip-masq-agent')))) {
            const args = Array.isArray(c['args']) ? c['args'] : [];
            const i = args.findIndex(a => a === '--nomasq-all-reserved-ranges' || a === '--nomasq-all-reserved-ranges=true');
            if (i >= 0) agentFlag ??= { value: true, origin: 'workspace', key: '--nomasq-all-reserved-ranges', source: src([...cpath, 'args', i]) };
            detected.add('ip-masq-agent');
          }
          if (obj.name === 'aws-node') {
            const env = Array.isArray(c['env']) ? c['env'] : [];
            if (c['name'] === 'aws-node' || env.some(e => isRecord(e) && typeof e['name'] === 'string' && e['name'].startsWith('AWS_VPC_'))) {
              detected.add('aws-vpc-cni');
              aws ??= {};
              for (const [ei, e] of env.entries()) {
                if (!isRecord(e) || typeof e['name'] !== 'string') continue;
                const epath: FieldPath = [...cpath, 'env', ei, 'value'];
                const name = e['name'];
                if (!(Object.values(AWS_ENV) as string[]).includes(name)) continue;
                if (e['value'] === undefined) {
                  problems.push({ fileName: file.fileName, code: 'cni-setting-unread', severity: 'info', range: obj.rangeOf([...cpath, 'env', ei]) ?? obj.range, message: `${name} is set through valueFrom; NAT Lens uses the default` });
                  continue;
                }
                const v = String(e['value']);
                if (name === AWS_ENV.externalSNAT) {
                  // AWS: parsed with strconv.ParseBool; anything else falls back to the default (false)
                  const b = ['1', 't', 'T', 'TRUE', 'true', 'True'].includes(v) ? true : ['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(v) ? false : null;
                  if (b === null) warn(epath, `${name}: "${v}" is not a boolean; aws-node falls back to false`);
                  aws.externalSNAT ??= { value: b ?? false, origin: 'workspace', key: name, source: src(epath) };
                } else if (name === AWS_ENV.excludeSNATCIDRs) {
                  const list = v.split(',').map(s => s.trim()).filter(s => s !== '');
                  const bad = list.filter(s => !parseCIDR(s));
                  if (bad.length) warn(epath, `${name}: ${bad.join(', ')} is not a CIDR; aws-node skips invalid entries`);
                  aws.excludeSNATCIDRs ??= { value: list.filter(s => parseCIDR(s)), origin: 'workspace', key: name, source: src(epath) };
                } else {
                  const mode = v === '' ? 'prng' : v === 'prng' || v === 'hashrandom' || v === 'none' ? v : null;
                  if (mode === null) warn(epath, `${name}: expected prng, hashrandom or none`);
                  aws.randomizeSNAT ??= { value: mode ?? 'prng', origin: 'workspace', key: name, source: src(epath) };
                }
              }
            }
          }
        }
      }
    }
  }
  if (agentFlag) (agent ??= {}).nomasqAllReservedRanges = agentFlag;
  // Cilium reads the ip-masq-agent ConfigMap too; when cilium-config is present it owns it.
  const order: CniType[] = ['calico', 'cilium', 'aws-vpc-cni', 'flannel', 'ip-masq-agent'];
  let found = order.filter(t => detected.has(t));
  if (found.length > 1) found = found.filter(t => t !== 'ip-masq-agent' || found.length === 1);
  return { calicoPools, felix, cilium, ipMasqAgent: agent, flannel, aws, calicoBlocks, nodeAddresses, detected: found, problems };
}
