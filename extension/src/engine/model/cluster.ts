// The cluster model: Services as kube-proxy receives them (after defaulting and, optionally, the
// allocations the API server would make), their endpoints (EndpointSlices, legacy Endpoints, or
// derived from the workloads in the input) and the nodes from the profile.
import type { Endpoints, Service } from 'kubernetes-types/core/v1';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1';
import { ofKind, podTemplateOf, WORKLOAD_KINDS, type AnyManifestObject, type KnownKind, type ManifestObject, type WorkloadKind } from '../manifest/manifest';
import { sha256 } from '../util/sha256';
import { cidrContains, formatIP, ipFromNumberV4, ipToNumberV4, joinHostPort, offsetIP, parseCIDR, parseIP } from '../util/ip';
import type { ClusterProfile, NodeProfile } from './profile';
import { defaultService, hiddenFromKubeProxy, kubeProxySkips, serviceType, servicePortInfos, type ServicePortInfo, type SkipReason } from './service';
import { endpointsFromLegacy, endpointsFromSlices, sortEndpoints, type EndpointInfo, type EndpointOrigin } from './endpoints';
import { controllerLabels, matchPod } from './controllers';
import { deriveHints, hintPolicy, type HintPolicy } from './topology';
import { withNodeObjects } from './nodes';
import { podNetworkOf, type PodNetwork } from '../egress/podNetwork';
import type { CniWorkspace } from '../egress/workspace';
import type { IPFamily } from '../util/ip';
// the English words straight from their table: the catalog's index imports model types
import { modelEn, type AssumptionReason } from '../i18n/model.en';

export interface Assumption {
  /** "ns/name" of the Service (or workload) it concerns. */
  readonly subject: string;
  readonly field: string;
  readonly value: string;
  /** In English; `because`, where set, is what the catalog words in other languages (model/assumptions.ts). */
  readonly reason: string;
  readonly because?: AssumptionReason | undefined;
}

export interface PortEntry {
  readonly info: ServicePortInfo;
  /** What decides the endpoints' topology hints; for derived endpoints, what the EndpointSlice controller wrote or why it wrote none. */
  readonly hints?: { readonly policy: HintPolicy; readonly removed?: string; readonly assumptions?: readonly string[] };
  /** Sorted like kube-proxy's endpoint cache; may hold one ip:port on several nodes before dedup. */
  readonly endpoints: readonly EndpointInfo[];
  readonly endpointOrigin: EndpointOrigin | 'none';
}

export interface ServiceEntry {
  readonly obj: ManifestObject<'Service'>;
  /** The object with allocations filled in; equal to obj.object when nothing was allocated. */
  readonly service: Service;
  readonly ports: readonly PortEntry[];
  /** Workloads with at least one pod the selector matches (same namespace), controller labels included. */
  readonly selectedWorkloads: readonly Workload[];
  /** Workloads whose pods match only if labels a controller sets at run time have the selected values. */
  readonly possiblySelectedWorkloads: readonly Workload[];
  /** The IP families the Service asks for when the profile's family is not among them: kube-proxy of this family skips it. */
  readonly unservedFamilies: readonly string[] | null;
  /** Why kube-proxy writes no rules for the Service (its label filter, headless, ExternalName, no ClusterIP); null: it does. */
  readonly skipped: SkipReason | null;
  /** EndpointSlices of the Service that kube-proxy's label filter hides (their endpoints are not programmed). */
  readonly hiddenSlices: readonly string[];
}

/** A second object of the same kind, namespace and name: the model holds the first only, as an apply would keep one. */
export interface DuplicateObject {
  readonly obj: AnyManifestObject;
  readonly first: AnyManifestObject;
}

export interface ContainerPortInfo {
  readonly name: string | undefined;
  readonly containerPort: number;
  readonly protocol: string;
  readonly container: string;
}

export interface DerivedPod {
  readonly name: string;
  readonly ip: string;
  readonly nodeName: string;
  /** Template labels plus those the controller sets with a value known from the files. */
  readonly labels: Readonly<Record<string, string>>;
}

export interface Workload {
  readonly obj: ManifestObject<WorkloadKind>;
  readonly labels: Readonly<Record<string, string>>;
  readonly replicas: number;
  readonly ports: readonly ContainerPortInfo[];
  readonly pods: readonly DerivedPod[];
  /** Label keys the controller sets on every pod with a value known only at run time. */
  readonly runtimeLabels: readonly string[];
  /** spec.hostNetwork: the pods use their node's address, and so do their endpoints. */
  readonly hostNetwork: boolean;
}

/** A documented bound the input exceeded (docs/limits.md): what was cut, at the field that asked for more. */
export interface LimitExceeded {
  readonly obj: ManifestObject<WorkloadKind>;
  readonly path: readonly (string | number)[];
  readonly message: string;
}

export interface ClusterModel {
  readonly profile: ClusterProfile;
  readonly services: readonly ServiceEntry[];
  readonly workloads: readonly Workload[];
  readonly assumptions: readonly Assumption[];
  readonly duplicates: readonly DuplicateObject[];
  /** Where the input asked for more than NAT Lens models (pods across all workloads). */
  readonly limits?: readonly LimitExceeded[];
  /** How pod traffic crosses nodes (the overlay device MASQUERADE takes its address from); absent: routed, the CNI unknown. */
  readonly podNetwork?: PodNetwork;
}

/**
 * Pods derived from all workloads together: more would make every rule set and walk slow, not more exact.
 * Trace and the preview still walk each endpoint branch in full (about 0.5 ms each), so 1,000 keeps
 * them (and trace --again, which walks twice) well inside the 2 s a call may take; the facts group
 * equivalent branches and would bear more.
 */
export const MAX_TOTAL_PODS = 1_000;

/**
 * Values by namespace, then name: the parts are the parsed strings, whose hashes V8 keeps, so a
 * rebuild after a keystroke builds no "namespace/name" keys for every object.
 */
class ByName<T> {
  private readonly namespaces = new Map<string, Map<string, T>>();

  get(namespace: string, name: string): T | undefined {
    return this.namespaces.get(namespace)?.get(name);
  }

  /** The value there, else `make()`'s, stored. */
  at(namespace: string, name: string, make: () => T): T {
    let names = this.namespaces.get(namespace);
    if (!names) this.namespaces.set(namespace, (names = new Map()));
    let value = names.get(name);
    if (value === undefined) names.set(name, (value = make()));
    return value;
  }
}

/** The input by kind, in input order, and the duplicates (same kind, namespace and name as an earlier object) set apart. */
function byKind(objects: readonly AnyManifestObject[]): { unique: AnyManifestObject[]; duplicates: DuplicateObject[]; kinds: Map<string, AnyManifestObject[]> } {
  const seen = new Map<string, ByName<AnyManifestObject>>();
  const unique: AnyManifestObject[] = [];
  const duplicates: DuplicateObject[] = [];
  const kinds = new Map<string, AnyManifestObject[]>();
  for (const obj of objects) {
    let names = seen.get(obj.kind);
    if (!names) seen.set(obj.kind, (names = new ByName()));
    const first = names.at(obj.namespace, obj.name, () => obj);
    if (first !== obj && obj.name) { duplicates.push({ obj, first }); continue; }
    unique.push(obj);
    (kinds.get(obj.kind) ?? kinds.set(obj.kind, []).get(obj.kind)!).push(obj);
  }
  return { unique, duplicates, kinds };
}

/** The families a Service asks for when the profile's is not one of them (spec.ipFamilies, else its cluster IPs). */
function unservedFamilies(svc: Service, family: IPFamily): string[] | null {
  if (!proxiedByKubeProxyType(svc)) return null;
  const spec = svc.spec ?? {};
  const asked = spec.ipFamilies?.length ? spec.ipFamilies.map(String)
    : [...new Set([spec.clusterIP ?? '', ...(spec.clusterIPs ?? [])].map(ip => parseIP(ip)?.family).filter((f): f is IPFamily => f !== undefined))];
  return asked.length > 0 && !asked.includes(family) ? asked : null;
}

/** kube-proxy handles the Service at all: not ExternalName, not headless. */
function proxiedByKubeProxyType(svc: Service): boolean {
  return serviceType(svc) !== 'ExternalName' && svc.spec?.clusterIP !== 'None' && svc.spec?.clusterIPs?.[0] !== 'None';
}

/** What a Service's entry was built from, so that the next build reuses it while they stay the same. */
interface EntryInputs extends Omit<ServiceEntry, 'obj' | 'selectedWorkloads' | 'possiblySelectedWorkloads'> {
  readonly slices: readonly EndpointSlice[] | undefined;
  readonly legacy: Endpoints | undefined;
  /** Indexes into the model's workloads. */
  readonly selected: readonly number[];
  readonly possiblySelected: readonly number[];
  /** The assumptions made for its endpoints. */
  readonly assumptions: readonly Assumption[];
}

/** Per model, by the parsed Service object (a reused document yields the same object again). */
const entryInputs = new WeakMap<ClusterModel, Map<Service, EntryInputs>>();

export interface BuildOptions {
  /**
   * The model of an earlier build with this profile: the entries of Services whose object, EndpointSlices
   * and Endpoints are the same objects as then (and the workloads the same) are reused, so that an
   * edit in the editor rebuilds only the Services it touches.
   */
  readonly previous?: ClusterModel;
  /** The workspace's CNI objects (egress/workspace readCniConfig): they decide the pod network. */
  readonly cni?: CniWorkspace;
}

function sameItems<T>(a: readonly T[] | undefined, b: readonly T[] | undefined): boolean {
  if (a === b) return true;
  if (!a || !b || a.length !== b.length) return false;
  // a loop, not every(): called for each Service on every keystroke
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The fields the allocator fills in: equal ones mean the same allocation. */
const sameAllocation = (a: Service, b: Service) => a.spec?.clusterIP === b.spec?.clusterIP && sameItems(a.spec?.clusterIPs, b.spec?.clusterIPs)
  && a.spec?.healthCheckNodePort === b.spec?.healthCheckNodePort && sameItems(a.spec?.ports?.map(p => p?.nodePort), b.spec?.ports?.map(p => p?.nodePort));

const NO_WORKLOADS: readonly Workload[] = [];
const workloadsAt = (indexes: readonly number[], workloads: readonly Workload[]) => (indexes.length === 0 ? NO_WORKLOADS : indexes.map(i => workloads[i]!));

/** What a model's profile was derived from: the profile given and the input's Node objects. */
interface ProfileDerivation {
  readonly given: ClusterProfile;
  readonly nodes: readonly ManifestObject<'Node'>['object'][];
  readonly fileNames: readonly string[];
  readonly derived: ReturnType<typeof withNodeObjects>;
}
const derivations = new WeakMap<ClusterModel, ProfileDerivation>();

/**
 * The profile with the input's Node objects (model/nodes.ts). The previous model's derived profile
 * when it came from the same profile and Node objects: caches that key on `model.profile` (the
 * entries below, FindingsCache) keep working in a workspace with Node objects.
 */
function deriveProfile(given: ClusterProfile, input: readonly AnyManifestObject[], previous: ClusterModel | undefined): ProfileDerivation {
  const nodeObjects = ofKind(input, 'Node');
  const nodes = nodeObjects.map(o => o.object), fileNames = nodeObjects.map(o => o.fileName);
  const before = previous ? derivations.get(previous) : undefined;
  if (before && before.given === given && sameItems(before.nodes, nodes) && sameItems(before.fileNames, fileNames)) return before;
  return { given, nodes, fileNames, derived: withNodeObjects(given, input) };
}

export function buildClusterModel(input: readonly AnyManifestObject[], givenProfile: ClusterProfile, options: BuildOptions = {}): ClusterModel {
  const derivation = deriveProfile(givenProfile, input, options.previous);
  const { profile, notes } = derivation.derived;
  const assumptions: Assumption[] = [...profileAssumptions(profile), ...notes];
  const limits: LimitExceeded[] = [];
  const { unique: objects, duplicates, kinds } = byKind(input);
  const ofKindHere = <K extends KnownKind>(kind: K) => (kinds.get(kind) ?? []) as ManifestObject<K>[];
  const workloads = deriveWorkloads(objects, profile, limits);
  for (const d of duplicates) {
    assumptions.push({ subject: `${d.obj.namespace}/${d.obj.name}`, field: d.obj.kind, value: `${d.first.fileName}`, reason: `also in ${d.obj.fileName}; modelled once, from the first file (an apply keeps one object per kind, namespace and name)` });
  }
  const slicesByService = new ByName<EndpointSlice[]>();
  const hiddenSlicesByService = new ByName<string[]>();
  for (const s of ofKindHere('EndpointSlice')) {
    const owner = s.object.metadata?.labels?.['kubernetes.io/service-name'];
    if (!owner) continue;
    slicesByService.at(s.namespace, owner, () => []).push(s.object);
    if (hiddenFromKubeProxy(s.object.metadata?.labels)) hiddenSlicesByService.at(s.namespace, owner, () => []).push(s.name);
  }
  const legacy = new ByName<Endpoints>();
  for (const e of ofKindHere('Endpoints')) legacy.at(e.namespace, e.name, () => e.object);
  const hostNetworkPods = new Set(workloads.filter(w => w.hostNetwork).flatMap(w => w.pods.map(p => `${w.obj.kind}/${w.obj.name} pod ${p.name}`)));
  const serviceObjs = ofKindHere('Service');
  const allocated = profile.allocate ? allocate(serviceObjs, profile, assumptions) : new Map<ManifestObject<'Service'>, Service>();

  const previous = options.previous?.profile === profile && sameItems(options.previous.workloads.map(w => w.obj.object), workloads.map(w => w.obj.object))
    ? entryInputs.get(options.previous) : undefined;
  const inputs = new Map<Service, EntryInputs>();

  const services = serviceObjs.map((obj): ServiceEntry => {
    const allSlices = slicesByService.get(obj.namespace, obj.name);
    const legacyEndpoints = legacy.get(obj.namespace, obj.name);
    const allocation = allocated.get(obj);
    const before = previous?.get(obj.object);
    if (before && sameItems(before.slices, allSlices) && before.legacy === legacyEndpoints
      && (allocation ? sameAllocation(allocation, before.service) : before.service === obj.object)) {
      inputs.set(obj.object, before);
      for (const a of before.assumptions) assumptions.push(a);
      // field by field: an object rest and spread here cost more than the rest of a keystroke's rebuild
      return {
        obj, service: before.service, ports: before.ports, unservedFamilies: before.unservedFamilies, skipped: before.skipped, hiddenSlices: before.hiddenSlices,
        selectedWorkloads: workloadsAt(before.selected, workloads), possiblySelectedWorkloads: workloadsAt(before.possiblySelected, workloads),
      };
    }
    const key = `${obj.namespace}/${obj.name}`;
    const service = allocation ?? obj.object;
    const effective = { ...obj, object: service };
    const madeBefore = assumptions.length;
    const selector = defaultService(service).selector;
    const selectedPods = new Map<Workload, DerivedPod[]>();
    const possiblySelectedWorkloads: Workload[] = [];
    if (selector && Object.keys(selector).length > 0) {
      for (const w of workloads) {
        if (w.obj.namespace !== obj.namespace) continue;
        const matches = w.pods.map(pod => matchPod(pod.labels, w.runtimeLabels, selector));
        // a workload scaled to zero matches on its template; it just has no endpoints
        const template = w.pods.length === 0 ? matchPod(w.labels, w.runtimeLabels, selector) : null;
        if (matches.includes('match') || template === 'match') selectedPods.set(w, w.pods.filter((_, i) => matches[i] === 'match'));
        else if (matches.includes('unknown') || template === 'unknown') possiblySelectedWorkloads.push(w);
      }
    }
    const selectedWorkloads = [...selectedPods.keys()];
    // a slice kube-proxy's label filter hides still exists (the controller derives nothing instead of it), but has no endpoints for kube-proxy
    const hiddenSlices = hiddenSlicesByService.get(obj.namespace, obj.name) ?? [];
    const slices = allSlices?.filter(sl => !hiddenFromKubeProxy(sl.metadata?.labels));
    const policy = hintPolicy(service, profile);
    const ports = servicePortInfos(effective, profile.ipFamily).map((info): PortEntry => {
      if (slices) return { info, endpoints: sortEndpoints(endpointsFromSlices(info, slices, profile.ipFamily)), endpointOrigin: 'EndpointSlice', hints: { policy } };
      if (legacyEndpoints) return { info, endpoints: sortEndpoints(endpointsFromLegacy(info, legacyEndpoints, profile.ipFamily)), endpointOrigin: 'Endpoints', hints: { policy } };
      if (selectedWorkloads.length > 0) {
        const derived = deriveHints(sortEndpoints(deriveEndpoints(info, selectedPods)), policy, profile.nodes);
        const eps = derived.endpoints;
        for (const ep of eps) {
          const because: AssumptionReason = { kind: 'derived', from: ep.from, hostNetwork: hostNetworkPods.has(ep.from), hints: hintsText(ep) };
          assumptions.push({ subject: key, field: `endpoint ${info.nameString}`, value: `${ep.key} on ${ep.nodeName}`, reason: modelEn.assumedBecause(because), because });
        }
        for (const a of derived.assumptions) assumptions.push({ subject: key, field: `topology hints ${info.nameString}`, value: policy.kind === 'auto' ? `${policy.annotation}: Auto` : '', reason: a });
        return { info, endpoints: eps, endpointOrigin: 'derived', hints: { policy, ...(derived.removed ? { removed: derived.removed } : {}), ...(derived.assumptions.length ? { assumptions: derived.assumptions } : {}) } };
      }
      return { info, endpoints: [], endpointOrigin: 'none' };
    });
    for (const name of hiddenSlices) assumptions.push({ subject: key, field: `EndpointSlice ${name}`, value: 'not seen by kube-proxy', reason: 'it carries service.kubernetes.io/service-proxy-name or service.kubernetes.io/headless, which kube-proxy\'s informers filter out' });
    const entry: ServiceEntry = { obj, service, ports, selectedWorkloads, possiblySelectedWorkloads, unservedFamilies: unservedFamilies(service, profile.ipFamily), skipped: kubeProxySkips(service), hiddenSlices };
    const { obj: _obj, selectedWorkloads: _selected, possiblySelectedWorkloads: _possibly, ...kept } = entry;
    inputs.set(obj.object, {
      ...kept, slices: allSlices, legacy: legacyEndpoints,
      selected: selectedWorkloads.map(w => workloads.indexOf(w)), possiblySelected: possiblySelectedWorkloads.map(w => workloads.indexOf(w)),
      assumptions: assumptions.slice(madeBefore),
    });
    return entry;
  });
  const podNetwork = podNetworkOf(profile, options.cni ?? null);
  const model: ClusterModel = { profile, services, workloads, assumptions, duplicates, ...(limits.length ? { limits } : {}), ...(podNetwork ? { podNetwork } : {}) };
  entryInputs.set(model, inputs);
  derivations.set(model, derivation);
  return model;
}

/** A snapshot's settings the cluster did not say: each is an assumption the surfaces show. */
function profileAssumptions(profile: ClusterProfile): Assumption[] {
  const subject = profile.snapshot ? `cluster ${profile.snapshot.cluster}` : 'cluster profile';
  return Object.entries(profile.sources ?? {}).filter(([, source]) => source.startsWith('unknown, because ')).map(([field, source]) => ({
    subject, field, value: JSON.stringify((profile as unknown as Record<string, unknown>)[field] ?? null), reason: source,
  }));
}

/** The hints the EndpointSlice controller would write on a derived endpoint, for its assumption line. */
/** A field the API server would allocate, taken as allocated from `range`. */
function allocated(subject: string, field: string, value: string, range: string): Assumption {
  const because: AssumptionReason = { kind: 'allocated', range };
  return { subject, field, value, reason: modelEn.assumedBecause(because), because };
}

function hintsText(ep: EndpointInfo): string {
  const parts = [...(ep.zoneHints.length ? [`forZones ${ep.zoneHints.join(', ')}`] : []), ...(ep.nodeHints.length ? [`forNodes ${ep.nodeHints.join(', ')}`] : [])];
  return parts.length ? `; hints ${parts.join(', ')}` : '';
}

export function matchesSelector(labels: Readonly<Record<string, string>>, selector: Readonly<Record<string, string>>): boolean {
  return Object.entries(selector).every(([k, v]) => labels[k] === String(v));
}

// ---------------------------------------------------------------------------------------------
// Workloads and the pods they would run

/** The Job controller (manageJob) runs min(parallelism, completions - succeeded) pods; none have succeeded yet. */
function activeJobPods(spec: Record<string, unknown>): number {
  const parallelism = typeof spec['parallelism'] === 'number' ? spec['parallelism'] : 1;
  return typeof spec['completions'] === 'number' ? Math.min(parallelism, spec['completions']) : parallelism;
}

function replicasOf(o: ManifestObject<WorkloadKind>, nodeCount: number): number {
  const spec = (o.object as { spec?: Record<string, unknown> }).spec ?? {};
  switch (o.kind) {
    case 'Pod': return 1;
    case 'DaemonSet': return nodeCount;
    case 'Job': return activeJobPods(spec);
    case 'CronJob': {
      const jobSpec = ((spec['jobTemplate'] as { spec?: Record<string, unknown> } | undefined)?.spec) ?? {};
      return activeJobPods(jobSpec);
    }
    default: return typeof spec['replicas'] === 'number' ? spec['replicas'] : 1;
  }
}

/** The field that sets a workload's pod count, to report a limit at. */
function replicasPath(o: ManifestObject<WorkloadKind>): (string | number)[] {
  switch (o.kind) {
    case 'Job': return ['spec', 'parallelism'];
    case 'CronJob': return ['spec', 'jobTemplate', 'spec', 'parallelism'];
    case 'DaemonSet': case 'Pod': return ['kind'];
    default: return ['spec', 'replicas'];
  }
}

/**
 * Pods are placed deterministically: pod k of a workload goes to node (k mod N) in profile order
 * (a DaemonSet puts one on each node; a Pod with spec.nodeName stays there), and gets the next free
 * address of that node's pod CIDR, starting at .10, in the order workloads appear in the input.
 */
function deriveWorkloads(objects: readonly AnyManifestObject[], profile: ClusterProfile, limits: LimitExceeded[]): Workload[] {
  let podBudget = MAX_TOTAL_PODS;
  const nodes = profile.nodes;
  const nextHost = new Map<string, number>();
  const podIP = (node: NodeProfile): string => {
    const c = node.podCIDR ? parseCIDR(node.podCIDR) : null;
    const n = nextHost.get(node.name) ?? 10;
    nextHost.set(node.name, n + 1);
    return c ? formatIP(offsetIP(c.ip, n)) : '';
  };
  const out: Workload[] = [];
  const nodeIP = (node: NodeProfile): string => node.ips.find(ip => parseIP(ip)?.family === profile.ipFamily) ?? '';
  for (const obj of objects) {
    if (!(WORKLOAD_KINDS as readonly string[]).includes(obj.kind)) continue;
    const o = obj as ManifestObject<WorkloadKind>;
    const template = podTemplateOf(o);
    const labels = Object.fromEntries(Object.entries(template?.metadata?.labels ?? {}).map(([k, v]) => [k, String(v)]));
    const ports: ContainerPortInfo[] = [];
    // FindPort (pkg/api/v1/pod/util.go): the app containers, then sidecars (init containers that restart
    // Always); a plain init container has exited before the pod serves
    const sidecars = (template?.spec?.initContainers ?? []).filter(c => c?.restartPolicy === 'Always');
    for (const c of [...(template?.spec?.containers ?? []), ...sidecars]) {
      for (const p of c?.ports ?? []) {
        if (typeof p?.containerPort === 'number') ports.push({ name: p.name, containerPort: p.containerPort, protocol: p.protocol ?? 'TCP', container: c.name });
      }
    }
    const wanted = Math.max(0, replicasOf(o, nodes.length));
    const replicas = Math.min(wanted, podBudget);
    podBudget -= replicas;
    if (replicas < wanted) {
      limits.push({
        obj: o, path: replicasPath(o),
        message: `${o.kind} ${o.namespace}/${o.name} asks for ${wanted} pods; NAT Lens models at most ${MAX_TOTAL_PODS} pods across all workloads, so it models ${replicas} of them`,
      });
    }
    const pod = o.kind === 'Pod' ? (o as ManifestObject<'Pod'>).object : undefined;
    const fixedNode = pod ? nodes.find(n => n.name === (pod.spec?.nodeName ?? '')) : undefined;
    const hostNetwork = template?.spec?.hostNetwork === true;
    const pods: DerivedPod[] = [];
    let runtimeLabels: readonly string[] = [];
    for (let k = 0; k < replicas; k++) {
      const node = fixedNode ?? nodes[k % nodes.length]!;
      const ownIP = pod?.status?.podIP;
      const name = o.kind === 'Pod' ? o.name : `${o.name}-${k}`;
      const added = controllerLabels(o, name, k);
      runtimeLabels = added.runtime;
      // a hostNetwork pod has its node's address (the kubelet reports the node IP as the pod IP)
      const ip = ownIP && parseIP(ownIP) ? ownIP : hostNetwork ? nodeIP(node) : podIP(node);
      pods.push({ name, ip, nodeName: node.name, labels: { ...labels, ...added.known } });
    }
    if (replicas === 0) runtimeLabels = controllerLabels(o, `${o.name}-0`, 0).runtime;
    out.push({ obj: o, labels, replicas, ports, pods, runtimeLabels, hostNetwork });
  }
  return out;
}

/** What the EndpointSlice controller would write for this port: a named targetPort resolves per pod. */
function deriveEndpoints(info: ServicePortInfo, selected: ReadonlyMap<Workload, readonly DerivedPod[]>): EndpointInfo[] {
  const out: EndpointInfo[] = [];
  for (const [w, pods] of selected) {
    const port = typeof info.targetPort === 'number'
      ? info.targetPort
      : w.ports.find(p => p.name === info.targetPort && p.protocol === info.protocol)?.containerPort;
    if (!port) continue;
    for (const pod of pods) {
      if (!pod.ip) continue;
      out.push({
        ip: pod.ip, port, key: joinHostPort(pod.ip, port), nodeName: pod.nodeName, ready: true, serving: true, terminating: false,
        zoneHints: [], nodeHints: [], origin: 'derived', from: `${w.obj.kind}/${w.obj.name} pod ${pod.name}`,
      });
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// What the API server would allocate

function hash32(text: string): number {
  const h = sha256(text);
  return ((h[0]! << 24) | (h[1]! << 16) | (h[2]! << 8) | h[3]!) >>> 0;
}

function allocate(services: readonly ManifestObject<'Service'>[], profile: ClusterProfile, assumptions: Assumption[]): Map<ManifestObject<'Service'>, Service> {
  const out = new Map<ManifestObject<'Service'>, Service>();
  const usedIPs = new Set<string>(services.flatMap(s => [s.object.spec?.clusterIP ?? '', ...(s.object.spec?.clusterIPs ?? [])]));
  const usedNodePorts = new Set<number>(services.flatMap(s => (s.object.spec?.ports ?? []).map(p => p?.nodePort ?? 0)));
  const cidr = profile.serviceCIDRs.map(parseCIDR).find(c => c !== null && c.ip.family === profile.ipFamily) ?? null;
  const { min, max } = profile.nodePortRange;
  const nextNodePort = (seed: string): number => {
    const size = max - min + 1;
    for (let i = 0, start = hash32(seed) % size; i < size; i++) {
      const candidate = min + ((start + i) % size);
      if (!usedNodePorts.has(candidate)) { usedNodePorts.add(candidate); return candidate; }
    }
    return 0;
  };
  for (const obj of services) {
    const svc = obj.object;
    const spec = svc.spec ?? {};
    const key = `${obj.namespace}/${obj.name}`;
    const d = defaultService(svc);
    const next: Service = { ...svc, spec: { ...spec } };
    const nextSpec = next.spec!;
    let changed = false;
    if (!spec.clusterIP && d.type !== 'ExternalName' && cidr && !unservedFamilies(svc, profile.ipFamily)) {
      const ip = allocateIP(cidr, key, usedIPs);
      if (ip) {
        nextSpec.clusterIP = ip;
        nextSpec.clusterIPs = [ip];
        assumptions.push(allocated(key, 'spec.clusterIP', ip, profile.serviceCIDRs.join(', ')));
        changed = true;
      }
    }
    const wantsNodePorts = d.type === 'NodePort' || (d.type === 'LoadBalancer' && spec.allocateLoadBalancerNodePorts !== false);
    // a headless Service (or one without a ClusterIP) gets no node ports: kube-proxy skips it
    if (wantsNodePorts && nextSpec.clusterIP && nextSpec.clusterIP !== 'None') {
      nextSpec.ports = (spec.ports ?? []).map(p => {
        if (!p || p.nodePort) return p;
        const nodePort = nextNodePort(`${key}:${p.name ?? ''}/${p.protocol ?? 'TCP'}`);
        assumptions.push(allocated(key, `spec.ports[${p.name ?? p.port}].nodePort`, String(nodePort), `${min}-${max}`));
        changed = true;
        return { ...p, nodePort };
      });
    }
    if (d.type === 'LoadBalancer' && d.externalTrafficPolicy === 'Local' && !spec.healthCheckNodePort) {
      const hc = nextNodePort(`${key}/healthCheckNodePort`);
      nextSpec.healthCheckNodePort = hc;
      assumptions.push(allocated(key, 'spec.healthCheckNodePort', String(hc), `${min}-${max}`));
      changed = true;
    }
    if (changed) out.set(obj, next);
  }
  return out;
}

function allocateIP(cidr: NonNullable<ReturnType<typeof parseCIDR>>, seed: string, used: Set<string>): string | null {
  if (cidr.ip.family === 'IPv4') {
    const size = 2 ** (32 - cidr.prefix);
    if (size < 4) return null;
    const base = ipToNumberV4(cidr.ip);
    // skip the network address and .1 (the `kubernetes` Service), like the allocator's reserved range
    for (let i = 0, start = hash32(seed) % (size - 3); i < size - 3; i++) {
      const ip = formatIP(ipFromNumberV4(base + 2 + ((start + i) % (size - 3))));
      if (!used.has(ip)) { used.add(ip); return ip; }
    }
    return null;
  }
  const bytes = cidr.ip.bytes.slice();
  for (let i = 0; i < 1000; i++) {
    const h = hash32(`${seed}#${i}`);
    const candidate = bytes.slice();
    candidate[12] = cidr.prefix <= 96 ? (h >>> 24) & 255 : candidate[12]!;
    candidate[13] = cidr.prefix <= 104 ? (h >>> 16) & 255 : candidate[13]!;
    candidate[14] = (h >>> 8) & 255;
    candidate[15] = (h & 255) | 2;
    const ip = { family: 'IPv6' as const, bytes: candidate };
    if (!cidrContains(cidr, ip)) continue;
    const text = formatIP(ip);
    if (!used.has(text)) { used.add(text); return text; }
  }
  return null;
}

const readyCounts = new WeakMap<ClusterModel, Map<string, Map<string, number>>>();

/**
 * Services with at least one ready endpoint on `nodeName` (pkg/proxy EndpointsMap.LocalReadyEndpoints):
 * the health check node port answers 200 for these and 503 for the others. Counted for every node at
 * once, per model: surfaces ask node by node, and a profile may list thousands.
 */
export function localReadyEndpointCounts(model: ClusterModel, nodeName: string): ReadonlyMap<string, number> {
  let byNode = readyCounts.get(model);
  if (!byNode) {
    byNode = new Map();
    for (const s of model.services) {
      const key = `${s.obj.namespace}/${s.obj.name}`;
      const local = new Map<string, Set<string>>();
      for (const p of s.ports) for (const ep of p.endpoints) {
        if (!ep.ready || !ep.nodeName) continue;
        (local.get(ep.nodeName) ?? local.set(ep.nodeName, new Set()).get(ep.nodeName)!).add(ep.ip);
      }
      for (const [node, ips] of local) (byNode.get(node) ?? byNode.set(node, new Map()).get(node)!).set(key, ips.size);
    }
    readyCounts.set(model, byNode);
  }
  return byNode.get(nodeName) ?? new Map();
}
