// The NAT findings follow the profile's proxy mode: each is built from walks over that mode's rules.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseManifest } from '../../extension/src/engine/manifest/manifest';
import { parseProfile, withProxyMode, type ProxyMode } from '../../extension/src/engine/model/profile';
import { buildClusterModel } from '../../extension/src/engine/model/cluster';
import { analyzeFile } from '../../extension/src/engine/findings/analyze';

const root = new URL('../../', import.meta.url).pathname;
const profile = parseProfile(readFileSync(`${root}examples/cluster.yaml`, 'utf8')).profile;
const file = parseManifest(readFileSync(`${root}test/fixtures/findings/nat.yaml`, 'utf8'), 'nat.yaml');

function finding(mode: ProxyMode, rule: string) {
  const found = analyzeFile(file, buildClusterModel(file.objects, withProxyMode(profile, mode))).filter(f => f.rule === rule);
  assert.equal(found.length, 1, `${mode}: one ${rule}`);
  return found[0]!;
}

test('externalTrafficPolicy Local without a local endpoint: iptables and nftables drop, IPVS falls back and the reply is lost', () => {
  assert.match(finding('iptables', 'local-policy-imbalance').message, /node-b has no local endpoint and drops the connections \(DROP in filter KUBE-EXTERNAL-SERVICES\): clients time out/);
  assert.match(finding('nftables', 'local-policy-imbalance').message, /node-b has no local endpoint and drops the connections \(DROP in filter nodeport-endpoints-check\)/);
  const ipvs = finding('ipvs', 'local-policy-imbalance');
  assert.match(ipvs.message, /node-b has no local endpoint and sends them to 10\.244\.0\.10:8080 \(node-a\) without SNAT: kube-proxy's ipvs mode falls back to the other nodes' endpoints \(kubernetes\/kubernetes#97081\), and the reply does not come back through node-b, so the connections fail/);
  assert.doesNotMatch(ipvs.message, /drops|DROP/);
});

test('internalTrafficPolicy Local without a local endpoint: dropped in iptables and nftables mode, refused in IPVS mode', () => {
  assert.match(finding('iptables', 'internal-local-dropped').message, /connections to 10\.96\.1\.3:80 are dropped \(DROP in filter KUBE-SERVICES\), not sent to another node\.$/);
  assert.match(finding('nftables', 'internal-local-dropped').message, /are dropped \(DROP in filter service-endpoints-check\)/);
  assert.match(finding('ipvs', 'internal-local-dropped').message, /are refused \(REJECT in nat IPVS\), not sent to another node\.$/);
});
