// The cluster model: where each Service port's endpoints come from (EndpointSlices, legacy
// Endpoints, or pods derived from the workloads), how many pods each workload kind runs and where.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseManifest } from '../../extension/src/engine/manifest/manifest';
import { parseProfile } from '../../extension/src/engine/model/profile';
import { buildClusterModel, localReadyEndpointCounts, type ClusterModel, type PortEntry } from '../../extension/src/engine/model/cluster';

const root = new URL('../../', import.meta.url).pathname;
// two nodes: node-a (pod CIDR 10.244.0.0/24), node-b (10.244.1.0/24)
const profile = parseProfile(readFileSync(`${root}examples/cluster.yaml`, 'utf8')).profile;

function model(text: string): ClusterModel {
  const file = parseManifest(text, 'm.yaml');
  assert.deepEqual(file.problems, []);
  return buildClusterModel(file.objects, profile);
}

function port(m: ClusterModel, service: string, name: string): PortEntry {
  const entry = m.services.find(s => `${s.obj.namespace}/${s.obj.name}` === service);
  assert.ok(entry, service);
  const p = entry.ports.find(x => x.info.portName === name);
  assert.ok(p, `${service}:${name}`);
  return p;
}

/** [key, node, ready, from] per endpoint, in the model's (kube-proxy's) order. */
const eps = (p: PortEntry) => p.endpoints.map(e => [e.key, e.nodeName, e.ready, e.from]);

const service = (name: string, spec: string) => `apiVersion: v1\nkind: Service\nmetadata: {name: ${name}, namespace: t}\nspec:\n${spec}\n---\n`;

const LEGACY = service('legacy', `  clusterIP: 10.96.5.1
  ports:
    - {name: http, port: 80, targetPort: 8080}
    - {name: dns, port: 53, protocol: UDP}`) + `apiVersion: v1
kind: Endpoints
metadata: {name: legacy, namespace: t}
subsets:
  - addresses:
      - {ip: 10.244.0.5, nodeName: node-a}
      - {ip: 10.244.1.7, nodeName: node-b}
    notReadyAddresses:
      - {ip: 10.244.0.10, nodeName: node-a}
    ports:
      - {name: http, port: 8080}
      - {name: dns, port: 5353, protocol: UDP}
  - addresses:
      - {ip: 10.244.1.20}
    ports:
      - {name: http, port: 9090}
      - {name: dns, port: 5353, protocol: TCP}
---
apiVersion: v1
kind: Endpoints
metadata: {name: legacy, namespace: elsewhere}
subsets:
  - addresses: [{ip: 10.244.1.99}]
    ports: [{name: http, port: 8080}]
`;

test('legacy Endpoints: ports matched by name and protocol, notReadyAddresses kept as not ready', () => {
  const m = model(LEGACY);
  const http = port(m, 't/legacy', 'http');
  assert.equal(http.endpointOrigin, 'Endpoints');
  // the DNAT port is the Endpoints port of that name, per subset (targetPort 8080 is not read);
  // sorted by "ip:port" as bytes, so 10.244.0.10 comes before 10.244.0.5
  assert.deepEqual(eps(http), [
    ['10.244.0.10:8080', 'node-a', false, 'legacy'],
    ['10.244.0.5:8080', 'node-a', true, 'legacy'],
    ['10.244.1.20:9090', null, true, 'legacy'],
    ['10.244.1.7:8080', 'node-b', true, 'legacy'],
  ]);
  assert.ok(http.endpoints.every(e => e.origin === 'Endpoints' && e.terminating === false && e.zoneHints.length === 0 && e.nodeHints.length === 0));
  // the second subset's "dns" port is TCP: it does not feed the UDP service port
  const dns = port(m, 't/legacy', 'dns');
  assert.equal(dns.endpointOrigin, 'Endpoints');
  assert.deepEqual(eps(dns), [
    ['10.244.0.10:5353', 'node-a', false, 'legacy'],
    ['10.244.0.5:5353', 'node-a', true, 'legacy'],
    ['10.244.1.7:5353', 'node-b', true, 'legacy'],
  ]);
  // the Endpoints of another namespace are not used; nothing is assumed
  assert.ok(!http.endpoints.some(e => e.ip === '10.244.1.99'));
  assert.deepEqual(m.assumptions, []);
  // the health check counts ready local endpoints only (10.244.0.10 is not ready)
  assert.equal(localReadyEndpointCounts(m, 'node-a').get('t/legacy'), 1);
  assert.equal(localReadyEndpointCounts(m, 'node-b').get('t/legacy'), 1);
});

test('legacy Endpoints without notReadyAddresses, for an unnamed single port', () => {
  const m = model(service('single', `  clusterIP: 10.96.5.2
  ports: [{port: 443, targetPort: 8443}]`) + `apiVersion: v1
kind: Endpoints
metadata: {name: single, namespace: t}
subsets:
  - addresses: [{ip: 10.244.0.7, nodeName: node-a}, {ip: 10.244.0.6, nodeName: node-a}]
    ports: [{port: 8443}]
`);
  const p = port(m, 't/single', '');
  assert.equal(p.endpointOrigin, 'Endpoints');
  assert.deepEqual(eps(p), [
    ['10.244.0.6:8443', 'node-a', true, 'single'],
    ['10.244.0.7:8443', 'node-a', true, 'single'],
  ]);
  assert.ok(p.endpoints.every(e => e.ready && e.serving && !e.terminating));
  assert.equal(localReadyEndpointCounts(m, 'node-a').get('t/single'), 2);
  assert.equal(localReadyEndpointCounts(m, 'node-b').get('t/single'), undefined);
});

test('a notReadyAddress mirrored to an EndpointSlice has ready=false and serving unset, which kube-proxy reads as serving', () => {
  const p = port(model(LEGACY), 't/legacy', 'http');
  const notReady = p.endpoints.find(e => e.ip === '10.244.0.10')!;
  assert.deepEqual([notReady.ready, notReady.serving, notReady.terminating], [false, true, false]);
});

const WORKLOAD_WEB = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: t}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: web, ports: [{name: http, containerPort: 8080}]}]
`;

test('EndpointSlices take precedence over legacy Endpoints, which take precedence over the workloads', () => {
  const m = model(service('both', `  clusterIP: 10.96.5.3
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: http}]`) + service('legacy-only', `  clusterIP: 10.96.5.4
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: http}]`) + service('derived', `  clusterIP: 10.96.5.5
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: http}]`) + `apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: both-abc
  namespace: t
  labels: {kubernetes.io/service-name: both}
addressType: IPv4
ports: [{name: http, port: 7000, protocol: TCP}]
endpoints:
  - addresses: [10.244.1.50]
    nodeName: node-b
    conditions: {ready: true}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: unlabelled
  namespace: t
addressType: IPv4
ports: [{name: http, port: 7001}]
endpoints: [{addresses: [10.244.1.51]}]
---
apiVersion: v1
kind: Endpoints
metadata: {name: both, namespace: t}
subsets: [{addresses: [{ip: 10.244.0.60, nodeName: node-a}], ports: [{name: http, port: 7100}]}]
---
apiVersion: v1
kind: Endpoints
metadata: {name: legacy-only, namespace: t}
subsets: [{addresses: [{ip: 10.244.0.61, nodeName: node-a}], ports: [{name: http, port: 7200}]}]
---
` + WORKLOAD_WEB);
  const both = port(m, 't/both', 'http');
  assert.equal(both.endpointOrigin, 'EndpointSlice');
  assert.deepEqual(eps(both), [['10.244.1.50:7000', 'node-b', true, 'both-abc']]);
  const legacy = port(m, 't/legacy-only', 'http');
  assert.equal(legacy.endpointOrigin, 'Endpoints');
  assert.deepEqual(eps(legacy), [['10.244.0.61:7200', 'node-a', true, 'legacy-only']]);
  const derived = port(m, 't/derived', 'http');
  assert.equal(derived.endpointOrigin, 'derived');
  assert.deepEqual(eps(derived), [
    ['10.244.0.10:8080', 'node-a', true, 'Deployment/web pod web-0'],
    ['10.244.1.10:8080', 'node-b', true, 'Deployment/web pod web-1'],
  ]);
  // the workloads still count as selected, whatever the endpoint source
  for (const name of ['both', 'legacy-only', 'derived']) {
    assert.deepEqual(m.services.find(s => s.obj.name === name)!.selectedWorkloads.map(w => w.obj.name), ['web'], name);
  }
  // only derived endpoints are assumptions
  assert.deepEqual(m.assumptions.map(a => [a.subject, a.field, a.value, a.reason]), [
    ['t/derived', 'endpoint t/derived:http', '10.244.0.10:8080 on node-a', 'derived from Deployment/web pod web-0 (no EndpointSlice in the input)'],
    ['t/derived', 'endpoint t/derived:http', '10.244.1.10:8080 on node-b', 'derived from Deployment/web pod web-1 (no EndpointSlice in the input)'],
  ]);
});

test('pods per workload kind and their placement: round robin over the nodes, addresses from .10 in input order', () => {
  const m = model(`apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: t}
spec:
  replicas: 3
  template: {metadata: {labels: {app: web}}, spec: {containers: [{name: c, image: c}]}}
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent, namespace: t}
spec:
  template: {metadata: {labels: {app: agent}}, spec: {containers: [{name: c, image: c}]}}
---
apiVersion: batch/v1
kind: Job
metadata: {name: batch, namespace: t}
spec:
  parallelism: 3
  template: {metadata: {labels: {app: batch}}, spec: {containers: [{name: c, image: c}]}}
---
apiVersion: batch/v1
kind: Job
metadata: {name: once, namespace: t}
spec:
  template: {metadata: {labels: {app: once}}, spec: {containers: [{name: c, image: c}]}}
---
apiVersion: batch/v1
kind: Job
metadata: {name: paused, namespace: t}
spec:
  parallelism: 0
  template: {metadata: {labels: {app: paused}}, spec: {containers: [{name: c, image: c}]}}
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: nightly, namespace: t}
spec:
  schedule: "0 3 * * *"
  jobTemplate:
    spec:
      parallelism: 2
      template: {metadata: {labels: {app: nightly}}, spec: {containers: [{name: c, image: c}]}}
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: hourly, namespace: t}
spec:
  schedule: "0 * * * *"
  jobTemplate:
    spec:
      template: {metadata: {labels: {app: hourly}}, spec: {containers: [{name: c, image: c}]}}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, namespace: t}
spec:
  template: {metadata: {labels: {app: db}}, spec: {containers: [{name: c, image: c}]}}
---
apiVersion: v1
kind: Pod
metadata: {name: pinned, namespace: t, labels: {app: pinned}}
spec: {nodeName: node-b, containers: [{name: c, image: c}]}
---
apiVersion: v1
kind: Pod
metadata: {name: known, namespace: t, labels: {app: known}}
spec: {nodeName: node-a, containers: [{name: c, image: c}]}
status: {podIP: 10.244.0.99}
`);
  const pods = (name: string) => {
    const w = m.workloads.find(x => x.obj.name === name);
    assert.ok(w, name);
    return [w.replicas, w.pods.map(p => `${p.name} ${p.nodeName} ${p.ip}`)];
  };
  assert.deepEqual(pods('web'), [3, ['web-0 node-a 10.244.0.10', 'web-1 node-b 10.244.1.10', 'web-2 node-a 10.244.0.11']]);
  // a DaemonSet: one pod on each node of the profile
  assert.deepEqual(pods('agent'), [2, ['agent-0 node-a 10.244.0.12', 'agent-1 node-b 10.244.1.11']]);
  // a Job runs spec.parallelism pods (defaulted to 1 by the API server)
  assert.deepEqual(pods('batch'), [3, ['batch-0 node-a 10.244.0.13', 'batch-1 node-b 10.244.1.12', 'batch-2 node-a 10.244.0.14']]);
  assert.deepEqual(pods('once'), [1, ['once-0 node-a 10.244.0.15']]);
  assert.deepEqual(pods('paused'), [0, []]);
  // a CronJob: its job template's parallelism
  assert.deepEqual(pods('nightly'), [2, ['nightly-0 node-a 10.244.0.16', 'nightly-1 node-b 10.244.1.13']]);
  assert.deepEqual(pods('hourly'), [1, ['hourly-0 node-a 10.244.0.17']]);
  // replicas defaults to 1
  assert.deepEqual(pods('db'), [1, ['db-0 node-a 10.244.0.18']]);
  // a Pod stays on spec.nodeName and keeps status.podIP when it has one
  assert.deepEqual(pods('pinned'), [1, ['pinned node-b 10.244.1.14']]);
  assert.deepEqual(pods('known'), [1, ['known node-a 10.244.0.99']]);
  assert.deepEqual(m.workloads.map(w => w.labels['app']), ['web', 'agent', 'batch', 'once', 'paused', 'nightly', 'hourly', 'db', 'pinned', 'known']);
});

test('a Job with fewer completions than parallelism runs only as many pods as completions remain', () => {
  const m = model(`apiVersion: batch/v1
kind: Job
metadata: {name: pair, namespace: t}
spec:
  parallelism: 3
  completions: 2
  template: {metadata: {labels: {app: pair}}, spec: {containers: [{name: c, image: c}]}}
`);
  assert.equal(m.workloads[0]!.pods.length, 2);
});

test('a DaemonSet behind a Service: one endpoint per node, the Service port resolved per pod', () => {
  const m = model(service('agent', `  clusterIP: 10.96.5.6
  internalTrafficPolicy: Local
  selector: {app: agent}
  ports: [{name: metrics, port: 9100, targetPort: metrics}]`) + `apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent, namespace: t}
spec:
  template:
    metadata: {labels: {app: agent}}
    spec:
      containers: [{name: agent, image: agent, ports: [{name: metrics, containerPort: 9101}]}]
`);
  const p = port(m, 't/agent', 'metrics');
  assert.equal(p.endpointOrigin, 'derived');
  assert.deepEqual(eps(p), [
    ['10.244.0.10:9101', 'node-a', true, 'DaemonSet/agent pod agent-0'],
    ['10.244.1.10:9101', 'node-b', true, 'DaemonSet/agent pod agent-1'],
  ]);
  assert.equal(localReadyEndpointCounts(m, 'node-a').get('t/agent'), 1);
  assert.equal(localReadyEndpointCounts(m, 'node-b').get('t/agent'), 1);
});

test('named targetPort: resolved per workload by name and protocol, like the EndpointSlice controller', () => {
  const m = model(service('multi', `  clusterIP: 10.96.5.7
  selector: {tier: api}
  ports:
    - {name: http, port: 80, targetPort: web}
    - {name: raw, port: 81, targetPort: 9000}
    - {name: stats, port: 82, protocol: UDP, targetPort: web}`) + `apiVersion: apps/v1
kind: Deployment
metadata: {name: v1, namespace: t}
spec:
  replicas: 1
  template:
    metadata: {labels: {tier: api}}
    spec:
      containers:
        - {name: app, image: a, ports: [{name: admin, containerPort: 9999}, {name: web, containerPort: 8080}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: v2, namespace: t}
spec:
  replicas: 1
  template:
    metadata: {labels: {tier: api}}
    spec:
      containers:
        - {name: app, image: a}
        - {name: proxy, image: p, ports: [{name: web, containerPort: 9090}, {name: web, containerPort: 9091, protocol: UDP}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: v3, namespace: t}
spec:
  replicas: 1
  template:
    metadata: {labels: {tier: api}}
    spec:
      containers: [{name: app, image: a, ports: [{name: other, containerPort: 7070}]}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: v4, namespace: elsewhere}
spec:
  replicas: 1
  template:
    metadata: {labels: {tier: api}}
    spec:
      containers: [{name: app, image: a, ports: [{name: web, containerPort: 6060}]}]
`);
  // v1-0 on node-a, v2-0 on node-a (round robin restarts for each workload), v3-0 on node-a;
  // v3 has no port named "web" and is left out; v4 is in another namespace
  assert.deepEqual(eps(port(m, 't/multi', 'http')), [
    ['10.244.0.10:8080', 'node-a', true, 'Deployment/v1 pod v1-0'],
    ['10.244.0.11:9090', 'node-a', true, 'Deployment/v2 pod v2-0'],
  ]);
  // a numeric targetPort is used as is, for every selected pod
  assert.deepEqual(eps(port(m, 't/multi', 'raw')), [
    ['10.244.0.10:9000', 'node-a', true, 'Deployment/v1 pod v1-0'],
    ['10.244.0.11:9000', 'node-a', true, 'Deployment/v2 pod v2-0'],
    ['10.244.0.12:9000', 'node-a', true, 'Deployment/v3 pod v3-0'],
  ]);
  // the UDP service port takes the UDP container port named "web"
  assert.deepEqual(eps(port(m, 't/multi', 'stats')), [['10.244.0.11:9091', 'node-a', true, 'Deployment/v2 pod v2-0']]);
  assert.deepEqual(m.services[0]!.selectedWorkloads.map(w => w.obj.name), ['v1', 'v2', 'v3']);
});

test('named targetPort: a regular init container\'s ports are never used, and app containers win over sidecars', () => {
  const m = model(service('side', `  clusterIP: 10.96.5.8
  selector: {app: side}
  ports:
    - {name: http, port: 80, targetPort: web}
    - {name: setup, port: 81, targetPort: setup}
    - {name: mesh, port: 82, targetPort: mesh}`) + `apiVersion: apps/v1
kind: Deployment
metadata: {name: side, namespace: t}
spec:
  replicas: 1
  template:
    metadata: {labels: {app: side}}
    spec:
      initContainers:
        - {name: init, image: i, ports: [{name: setup, containerPort: 7000}]}
        - {name: sidecar, image: s, restartPolicy: Always, ports: [{name: web, containerPort: 15001}, {name: mesh, containerPort: 15002}]}
      containers:
        - {name: app, image: a, ports: [{name: web, containerPort: 8080}]}
`);
  assert.deepEqual(eps(port(m, 't/side', 'http')), [['10.244.0.10:8080', 'node-a', true, 'Deployment/side pod side-0']]);
  assert.deepEqual(eps(port(m, 't/side', 'setup')), []);
  assert.deepEqual(eps(port(m, 't/side', 'mesh')), [['10.244.0.10:15002', 'node-a', true, 'Deployment/side pod side-0']]);
});
