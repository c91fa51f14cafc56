// Golden tests from kube-proxy's own pkg/proxy/topology_test.go TestCategorizeEndpoints (v1.34.4), its
// cases restated as data in golden/topology/categorize-endpoints.json: the cluster, local and
// all-reachable endpoint sets our categorizeEndpoints gives must be upstream's, case by case.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { categorizeEndpoints, type EndpointInfo } from '../../extension/src/engine/model/endpoints';
import type { ServicePortInfo } from '../../extension/src/engine/model/service';

interface Case {
  name: string;
  preferSameTrafficDistribution: boolean;
  nodeName: string;
  zone: string | null;
  port: { externalPolicyLocal: boolean; internalPolicyLocal: boolean; nodePort: number };
  endpoints: { endpoint: string; zoneHints: string[]; nodeHints: string[]; ready: boolean; serving: boolean; terminating: boolean; local: boolean }[];
  expected: { cluster: string[] | null; local: string[] | null; all: string[] | null };
  onlyRemoteEndpoints: boolean;
}

const table = JSON.parse(readFileSync(join(import.meta.dirname, 'topology', 'categorize-endpoints.json'), 'utf8')) as { cases: Case[] };
// upstream marks endpoints local with a flag; ours compares node names: a local endpoint is on the case's node
const NODE = (c: Case) => c.nodeName || 'this-node';

function port(c: Case): ServicePortInfo {
  return {
    namespace: 'ns', serviceName: 'svc', portName: 'p', portIndex: 0, protocol: 'TCP', nameString: 'ns/svc:p', clusterIP: '10.96.0.10', port: 80,
    targetPort: 80, nodePort: c.port.nodePort, externalIPs: [], loadBalancerVIPs: [], loadBalancerSourceRanges: [], sessionAffinityClientIP: false,
    stickyMaxAgeSeconds: 0, healthCheckNodePort: 0, externalPolicyLocal: c.port.externalPolicyLocal, internalPolicyLocal: c.port.internalPolicyLocal,
  };
}

function endpoint(c: Case, e: Case['endpoints'][number]): EndpointInfo {
  const [ip, p] = e.endpoint.split(':');
  return {
    ip: ip!, port: Number(p), key: e.endpoint, nodeName: e.local ? NODE(c) : 'other-node', ready: e.ready, serving: e.serving, terminating: e.terminating,
    zoneHints: e.zoneHints, nodeHints: e.nodeHints, origin: 'EndpointSlice', from: 'slice',
  };
}

const keys = (eps: readonly EndpointInfo[]) => eps.map(e => e.key).sort();

test('the table holds every upstream case', () => {
  assert.equal(table.cases.length, 31);
  assert.equal(new Set(table.cases.map(c => c.name)).size, table.cases.length);
});

for (const c of table.cases) {
  test(`CategorizeEndpoints: ${c.name}`, () => {
    const got = categorizeEndpoints(c.endpoints.map(e => endpoint(c, e)), port(c), NODE(c), { zone: c.zone ?? '', preferSameNode: c.preferSameTrafficDistribution });
    const { cluster, local } = c.expected;
    // upstream's nil ("does not use that kind") is an empty list here
    assert.deepEqual(keys(got.clusterEndpoints), (cluster ?? []).sort(), 'cluster endpoints');
    assert.deepEqual(keys(got.localEndpoints), (local ?? []).sort(), 'local endpoints');
    const all = cluster !== null && local === null ? cluster : local !== null && cluster === null ? local : c.expected.all ?? [];
    assert.deepEqual(keys(got.allReachable), [...all].sort(), 'all reachable endpoints');
    assert.equal(got.hasAnyEndpoints, all.length > 0 || c.onlyRemoteEndpoints, 'hasAnyEndpoints');
  });
}
