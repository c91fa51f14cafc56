import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_PROFILE, parseProfile } from '../../extension/src/engine/model/profile';

test('an empty profile is all defaults', () => {
  const { profile, problems } = parseProfile('');
  assert.deepEqual(problems, []);
  assert.deepEqual(profile, DEFAULT_PROFILE);
  assert.equal(profile.masqueradeBit, 14);
  assert.deepEqual(profile.nodePortRange, { min: 30000, max: 32767 });
});

test('every documented field is accepted, in YAML and JSON', () => {
  const yaml = `proxyMode: iptables
ipFamily: IPv4
nodeName: node-a
nodeIPs: [192.168.0.2]
clusterCIDR: 10.244.0.0/16
detectLocalMode: ClusterCIDR
masqueradeAll: false
masqueradeBit: 14
localhostNodePorts: true
nodePortAddresses: []
iptablesRandomFully: true
nfacctCounters: []
conntrackTCPLiberal: false
serviceCIDRs: [10.96.0.0/12]
nodePortRange: 30000-32767
allocate: true
nodes:
  - { name: node-b, ips: [192.168.0.3], podCIDR: 10.244.1.0/24 }
`;
  const { profile, problems } = parseProfile(yaml);
  assert.deepEqual(problems, []);
  assert.deepEqual(profile.nodes.map(n => [n.name, n.ips.join(), n.podCIDR, n.podGateway]), [
    ['node-a', '192.168.0.2', '10.244.0.0/24', '10.244.0.1'],
    ['node-b', '192.168.0.3', '10.244.1.0/24', '10.244.1.1'],
  ]);
  const json = parseProfile(JSON.stringify({ nodeName: 'n1', clusterCIDR: null, masqueradeAll: true }));
  assert.deepEqual(json.problems, []);
  assert.equal(json.profile.clusterCIDR, null);
  assert.equal(json.profile.masqueradeAll, true);
});

test('unknown fields and wrong values are located errors', () => {
  const { problems } = parseProfile('nodeName: a\nmasqueradeBitt: 3\nmasqueradeBit: 99\nnodeIPs: [not-an-ip]\n');
  const byLine = [...problems].sort((a, b) => a.range.start.line - b.range.start.line);
  assert.deepEqual(byLine.map(p => [p.range.start.line, p.message.split(/[:;]/)[0]]), [
    [1, 'Unknown profile field "masqueradeBitt"'],
    [2, 'masqueradeBit'],
    [3, 'nodeIPs'],
  ]);
});

test('another proxy mode brings its own nodePortAddresses default (platformApplyDefaults), an explicit value stays', async () => {
  const { withProxyMode } = await import('../../extension/src/engine/model/profile');
  const iptables = parseProfile('nodeName: a\n').profile;
  assert.deepEqual(iptables.nodePortAddresses, []);
  const nft = withProxyMode(iptables, 'nftables');
  assert.equal(nft.proxyMode, 'nftables');
  assert.deepEqual(nft.nodePortAddresses, ['primary']);
  assert.deepEqual(nft, parseProfile('nodeName: a\nproxyMode: nftables\n').profile, 'the same as a profile that says nftables');
  assert.deepEqual(withProxyMode(nft, 'iptables'), iptables, 'and back');
  assert.deepEqual(withProxyMode(nft, 'ipvs').nodePortAddresses, []);
  const explicit = parseProfile('nodeName: a\nnodePortAddresses: [192.168.0.0/24]\n').profile;
  assert.deepEqual(withProxyMode(explicit, 'nftables').nodePortAddresses, ['192.168.0.0/24']);
  assert.equal(withProxyMode(iptables, 'iptables'), iptables);
});

test('kubernetesVersion names the modelled release: 1.34 unless the profile says otherwise, and must look like a version', () => {
  assert.equal(DEFAULT_PROFILE.kubernetesVersion, '1.34');
  assert.equal(parseProfile('kubernetesVersion: "1.31"\n').profile.kubernetesVersion, '1.31');
  assert.equal(parseProfile('kubernetesVersion: v1.34.4\n').profile.kubernetesVersion, 'v1.34.4');
  const bad = parseProfile('kubernetesVersion: latest\n');
  assert.equal(bad.profile.kubernetesVersion, '1.34');
  assert.match(bad.problems.map(p => p.message).join('\n'), /kubernetesVersion: expected a Kubernetes version such as 1\.34, got "latest"/);
});
