// Puts NAT Lens's view of an input into the real API server: the profile's nodes, the Services with
// the allocations NAT Lens assumed, the input's EndpointSlices/Endpoints, and a Pod for every pod NAT
// Lens places (status.podIP, Ready, nodeName set through the status subresource), so the real
// EndpointSlice controller writes the slices and the real kube-proxy reads them.
import type { ClusterModel } from '../../extension/src/engine/model/cluster';
import { LABEL_ZONE } from '../../extension/src/engine/model/topology';
import { podTemplateOf, type AnyManifestObject, type ManifestObject, type WorkloadKind } from '../../extension/src/engine/manifest/manifest';
import { ApiError, type ControlPlane } from './controlPlane';

type Obj = Record<string, unknown>;

/** Objects the API server refused, by "Kind ns/name", with its message. */
export type Rejections = Map<string, string>;

export const objectKey = (kind: string, namespace: string, name: string) => `${kind} ${namespace}/${name}`;

const SERVICE_PROXY_NAME = 'service.kubernetes.io/service-proxy-name';

/** A namespaced collection: its cluster-wide list, and its deletion in one namespace. */
type Collection = readonly [list: string, remove: (ns: string) => string];
const PODS: Collection = ['/api/v1/pods', ns => `/api/v1/namespaces/${ns}/pods?gracePeriodSeconds=0`];
const SLICES: Collection = ['/apis/discovery.k8s.io/v1/endpointslices', ns => `/apis/discovery.k8s.io/v1/namespaces/${ns}/endpointslices`];
const ENDPOINTS: Collection = ['/api/v1/endpoints', ns => `/api/v1/namespaces/${ns}/endpoints`];

/** The namespaces that hold at least one object of a namespaced collection (one cluster-wide list). */
async function namespacesWith(cp: ControlPlane, collection: string): Promise<string[]> {
  const items = (await cp.call<{ items: Obj[] }>('GET', collection)).items;
  return [...new Set(items.map(o => (o['metadata'] as Obj)['namespace'] as string))];
}

/**
 * Removes everything a previous input left (nodes, pods, Services, slices, Endpoints). Namespaces
 * stay (without a namespace controller they could not finish deleting) and pile up over a run, so
 * collections are deleted only in the namespaces that hold something.
 */
export async function clearInputs(cp: ControlPlane): Promise<void> {
  const services = (await cp.call<{ items: Obj[] }>('GET', '/api/v1/services')).items;
  await Promise.all(services.map(s => {
    const m = s['metadata'] as Obj;
    if (((m['labels'] as Obj | undefined) ?? {})[SERVICE_PROXY_NAME]) return undefined; // default/kubernetes, hidden from kube-proxy
    return cp.call('DELETE', `/api/v1/namespaces/${m['namespace']}/services/${m['name']}`).catch(ignoreNotFound);
  }));
  await Promise.all([PODS, SLICES, ENDPOINTS].map(async ([list, remove]) => {
    await Promise.all((await namespacesWith(cp, list)).map(ns => cp.call('DELETE', remove(ns))));
  }));
  await cp.call('DELETE', '/api/v1/nodes');
  // a controller sync that was under way may still write a slice for a deleted Service
  for (let i = 0; i < 50; i++) {
    const left = await namespacesWith(cp, SLICES[0]);
    if (left.length === 0) { cp.resetControllerRetries(); return; }
    await Promise.all(left.map(ns => cp.call('DELETE', SLICES[1](ns))));
    await new Promise(r => setTimeout(r, 100));
  }
  throw new Error('EndpointSlices of the previous input keep coming back');
}

function ignoreNotFound(e: unknown): void {
  if (!(e instanceof ApiError && e.status === 404)) throw e;
}

async function create(cp: ControlPlane, path: string, body: Obj, rejected: Rejections, key: string): Promise<Obj | null> {
  try {
    return await cp.call<Obj>('POST', path, body);
  } catch (e) {
    if (e instanceof ApiError && e.status < 500) { rejected.set(key, e.message); return null; }
    throw e;
  }
}

/** The object as a client would send it: without server-owned metadata and status. */
function forCreate(obj: Obj): Obj {
  const { status: _status, ...rest } = obj;
  const meta = { ...((obj['metadata'] as Obj | undefined) ?? {}) };
  for (const k of ['resourceVersion', 'uid', 'creationTimestamp', 'generation', 'managedFields', 'selfLink', 'deletionTimestamp', 'ownerReferences']) delete meta[k];
  return { ...rest, metadata: meta };
}

export async function ensureNamespaces(cp: ControlPlane, names: Iterable<string>): Promise<void> {
  await Promise.all([...new Set(names)].map(name => cp.call('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } })
    .catch(e => { if (!(e instanceof ApiError && e.status === 409)) throw e; })));
}

/**
 * The profile's nodes, with their addresses and pod CIDRs (kube-proxy reads both from its Node), their
 * labels and zone (kube-proxy's topology filter, the controller's hints) and allocatable CPU (the
 * controller weighs zones by it for topology-mode Auto).
 */
async function createNodes(cp: ControlPlane, model: ClusterModel): Promise<void> {
  await Promise.all(model.profile.nodes.map(async n => {
    const labels = { ...n.labels, 'kubernetes.io/hostname': n.name, ...(n.zone ? { [LABEL_ZONE]: n.zone } : {}) };
    await cp.call('POST', '/api/v1/nodes', {
      apiVersion: 'v1', kind: 'Node', metadata: { name: n.name, labels },
      spec: n.podCIDR ? { podCIDR: n.podCIDR, podCIDRs: [n.podCIDR] } : {},
    });
    const cpu = n.allocatableMilliCPU === undefined ? {} : { capacity: { cpu: `${n.allocatableMilliCPU}m` }, allocatable: { cpu: `${n.allocatableMilliCPU}m` } };
    await cp.call('PATCH', `/api/v1/nodes/${n.name}/status`, {
      status: {
        ...cpu,
        addresses: [...n.ips.map(address => ({ type: 'InternalIP', address })), { type: 'Hostname', address: n.name }],
        conditions: [{ type: 'Ready', status: 'True', reason: 'NatLensReference', message: 'no kubelet; set by the reference harness', lastHeartbeatTime: new Date().toISOString(), lastTransitionTime: new Date().toISOString() }],
      },
    }, 'application/merge-patch+json');
  }));
}

/** A Pod for NAT Lens's derived pod: the template's labels and containers, on its node, Running and Ready. */
function podFor(w: ManifestObject<WorkloadKind>, podName: string, nodeName: string): Obj {
  const template = podTemplateOf(w);
  const spec = (template?.spec ?? {}) as Obj;
  const container = (c: Obj, i: number, sidecar: boolean) => ({
    name: typeof c['name'] === 'string' && c['name'] ? c['name'] : `c${i}`,
    image: typeof c['image'] === 'string' && c['image'] ? c['image'] : 'natlens.invalid/none',
    ...(Array.isArray(c['ports']) ? { ports: c['ports'] } : {}),
    ...(sidecar ? { restartPolicy: 'Always' } : {}),
  });
  const containers = ((spec['containers'] as Obj[] | undefined) ?? []).map((c, i) => container(c, i, false));
  const sidecars = ((spec['initContainers'] as Obj[] | undefined) ?? []).filter(c => c?.['restartPolicy'] === 'Always').map((c, i) => container(c, i, true));
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name: podName, namespace: w.namespace, labels: template?.metadata?.labels ?? {} },
    spec: {
      nodeName,
      containers: containers.length > 0 ? containers : [{ name: 'c0', image: 'natlens.invalid/none' }],
      ...(sidecars.length > 0 ? { initContainers: sidecars } : {}),
      ...(spec['hostNetwork'] === true ? { hostNetwork: true } : {}),
    },
  };
}

export interface Applied {
  readonly rejected: Rejections;
  /** Services with a selector: the controller writes their slices. */
  readonly controllerServices: readonly string[];
}

/**
 * Creates the model's nodes, then its pods (Running and Ready), then the Services (as allocated) and
 * the input's slices/Endpoints. Pods before Services: the controller then syncs each Service once
 * with every pod in place, instead of racing pod updates against its own slice writes (a sync on a
 * stale slice cache fails and is retried only after its backoff).
 */
export async function applyModel(cp: ControlPlane, model: ClusterModel, objects: readonly AnyManifestObject[]): Promise<Applied> {
  const rejected: Rejections = new Map();
  await ensureNamespaces(cp, objects.map(o => o.namespace).filter(ns => ns));
  await createNodes(cp, model);
  await Promise.all(model.workloads.flatMap(w => w.pods.map(async pod => {
    const key = objectKey('Pod', w.obj.namespace, pod.name);
    const created = await create(cp, `/api/v1/namespaces/${w.obj.namespace}/pods`, podFor(w.obj, pod.name, pod.nodeName), rejected, key);
    if (!created || !pod.ip) return;
    const now = new Date().toISOString();
    await cp.call('PATCH', `/api/v1/namespaces/${w.obj.namespace}/pods/${pod.name}/status`, {
      status: {
        phase: 'Running', podIP: pod.ip, podIPs: [{ ip: pod.ip }], hostIP: model.profile.nodes.find(n => n.name === pod.nodeName)?.ips[0],
        conditions: ['PodScheduled', 'Initialized', 'ContainersReady', 'Ready'].map(type => ({ type, status: 'True', lastTransitionTime: now })),
      },
    }, 'application/merge-patch+json');
  })));
  const controllerServices: string[] = [];
  await Promise.all(model.services.map(async s => {
    const key = objectKey('Service', s.obj.namespace, s.obj.name);
    const body = forCreate(s.service as unknown as Obj);
    const created = await create(cp, `/api/v1/namespaces/${s.obj.namespace}/services`, body, rejected, key);
    if (!created) return;
    const selector = (s.service.spec?.selector ?? {}) as Obj;
    if (Object.keys(selector).length > 0) controllerServices.push(`${s.obj.namespace}/${s.obj.name}`);
    const status = (s.service as unknown as Obj)['status'];
    if (status && typeof status === 'object') {
      await cp.call('PATCH', `/api/v1/namespaces/${s.obj.namespace}/services/${s.obj.name}/status`, { status }, 'application/merge-patch+json')
        .catch(e => { if (e instanceof ApiError && e.status < 500) rejected.set(key + ' status', e.message); else throw e; });
    }
  }));
  for (const o of objects) {
    if (o.kind === 'EndpointSlice') await create(cp, `/apis/discovery.k8s.io/v1/namespaces/${o.namespace}/endpointslices`, forCreate(o.object as unknown as Obj), rejected, objectKey(o.kind, o.namespace, o.name));
    if (o.kind === 'Endpoints') await create(cp, `/api/v1/namespaces/${o.namespace}/endpoints`, forCreate(o.object as unknown as Obj), rejected, objectKey(o.kind, o.namespace, o.name));
  }
  return { rejected, controllerServices };
}

/**
 * Waits until the controller has written a slice for every selector Service, the slices stopped
 * changing (two reads 300 ms apart agree) and no sync it failed is still waiting for its retry,
 * then returns them.
 */
export async function settledSlices(cp: ControlPlane, controllerServices: readonly string[], timeoutMs = 60_000): Promise<Obj[]> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    const list = await cp.call<{ items: Obj[] }>('GET', '/apis/discovery.k8s.io/v1/endpointslices');
    const items = list.items;
    const owners = new Set(items.map(s => `${(s['metadata'] as Obj)['namespace']}/${(((s['metadata'] as Obj)['labels'] as Obj | undefined) ?? {})['kubernetes.io/service-name']}`));
    const state = JSON.stringify(items.map(s => [(s['metadata'] as Obj)['uid'], (s['metadata'] as Obj)['resourceVersion']]).sort());
    if (controllerServices.every(k => owners.has(k)) && state === last && Date.now() > cp.controllerRetriesDueBy()) return items;
    last = state;
    if (Date.now() > deadline) throw new Error(`EndpointSlice controller: no settled slices after ${timeoutMs / 1000} s (missing: ${controllerServices.filter(k => !owners.has(k)).join(', ')})`);
    await new Promise(r => setTimeout(r, 300));
  }
}
