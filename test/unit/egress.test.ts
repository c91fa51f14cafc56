// Egress SNAT by the CNI: each model's decision against its documented defaults and against the
// CNI's own objects in the workspace, with the exact range of every setting read.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseManifest, type ManifestFile } from '../../extension/src/engine/manifest/manifest';
import type { SourceRange } from '../../extension/src/engine/manifest/source';
import { parseProfile } from '../../extension/src/engine/model/profile';
import {
  egressDecision, egressHoverAt, readCniConfig, resolveCni, resolveCniProfile, CILIUM_IP_MASQ_AGENT_DEFAULT_CIDRS,
  type CniConfig, type CniProfile, type EgressDecision, type Setting,
} from '../../extension/src/engine/egress';

const root = new URL('../../', import.meta.url).pathname;
const dir = `${root}test/fixtures/egress/`;
const profile = parseProfile(readFileSync(`${dir}profile.yaml`, 'utf8')).profile;
const load = (name: string): ManifestFile => parseManifest(readFileSync(dir + name, 'utf8'), name);
const POD = { ip: '10.244.0.10', node: 'node-a' };

function config(cni: CniProfile, files: ManifestFile[] = []) {
  return resolveCni(cni, files.length ? readCniConfig(files) : null, profile);
}
function decide(cfg: CniConfig, dst: string, pod = POD): EgressDecision {
  return egressDecision(cfg, profile, pod, dst);
}
/** [line, character, line, character] (0-based) and the text the range covers. */
function where(file: ManifestFile, s: Setting<unknown>): [number, number, number, number, string] {
  assert.equal(s.origin, 'workspace', `${s.key} was not read from the workspace`);
  const r: SourceRange = s.source!.range;
  return [r.start.line, r.start.character, r.end.line, r.end.character, file.text.slice(r.start.offset, r.end.offset)];
}

// ---------------------------------------------------------------------------------------------
// Calico

test('Calico IPPools from the workspace: ranges, and NAT towards everything outside every pool', () => {
  const file = load('calico.yaml');
  const ws = readCniConfig([file]);
  assert.deepEqual(ws.detected, ['calico']);
  assert.deepEqual(ws.problems, []);
  const [main, onPrem, routable] = ws.calicoPools;
  assert.deepEqual(ws.calicoPools.map(p => p.name), ['default-ipv4-ippool', 'on-prem-no-nat', 'routable']);
  assert.deepEqual(where(file, main!.cidr), [6, 8, 6, 21, '10.244.0.0/16']);
  assert.deepEqual(where(file, main!.natOutgoing), [8, 15, 8, 19, 'true']);
  assert.deepEqual(where(file, main!.disabled), [9, 12, 9, 17, 'false']);
  assert.deepEqual(where(file, onPrem!.disabled), [17, 12, 17, 16, 'true']);
  // crd.projectcalico.org/v1 is read too; an absent natOutgoing is the resource default, false
  assert.deepEqual(onPrem!.natOutgoing, { value: false, origin: 'default', key: 'IPPool.spec.natOutgoing' });
  assert.deepEqual(where(file, routable!.natOutgoing), [25, 15, 25, 20, 'false']);

  const { config: cfg, assumptions } = config({ type: 'auto' }, [file]);
  assert.equal(cfg.type, 'calico');
  assert.deepEqual(assumptions, []);
  const internet = decide(cfg, '8.8.8.8');
  assert.deepEqual([internet.verdict, internet.sourceSeen, internet.translation, internet.natNode], ['snat', '192.168.0.2', 'masquerade', 'node-a']);
  assert.equal(internet.reason, "the pod's pool default-ipv4-ippool has natOutgoing: true and 8.8.8.8 is outside every Calico pool: MASQUERADE");
  assert.deepEqual(internet.decidedBy.map(d => [d.key, d.value, d.source?.range.start.line]), [['IPPool.spec.natOutgoing', 'true', 8]]);
  // a node address outside the pools is NATed too (natOutgoingExclusions defaults to IPPoolsOnly)
  assert.equal(decide(cfg, '192.168.0.3').verdict, 'snat');
  const pod = decide(cfg, '10.244.1.10');
  assert.deepEqual([pod.verdict, pod.sourceSeen], ['own-ip', '10.244.0.10']);
  assert.match(pod.reason, /is in the IP pool default-ipv4-ippool \(10\.244\.0\.0\/16\): Calico never NATs traffic to an address inside any of its pools/);
  const exempt = decide(cfg, '172.20.3.4');
  assert.equal(exempt.verdict, 'own-ip');
  assert.match(exempt.reason, /in the disabled IP pool on-prem-no-nat \(172\.20\.0\.0\/16\), which still counts as a Calico pool/);
  assert.deepEqual(exempt.decidedBy.map(d => d.key), ['IPPool.spec.cidr', 'IPPool.spec.disabled']);
  // a pod of the natOutgoing: false pool keeps its address everywhere
  const fromRoutable = decide(cfg, '8.8.8.8', { ip: '10.128.0.5', node: 'node-b' });
  assert.equal(fromRoutable.verdict, 'own-ip');
  assert.match(fromRoutable.reason, /the pod's pool routable \(10\.128\.0\.0\/16\) has natOutgoing: false: Calico leaves its traffic unNATed everywhere/);
  // a source in no pool (host network) is never NATed by Calico
  assert.match(decide(cfg, '8.8.8.8', { ip: '192.168.0.2', node: 'node-a' }).reason, /is in no Calico IP pool/);
});

test('Calico defaults: the install\'s default pool (clusterCIDR, natOutgoing on) when the workspace has none', () => {
  const { config: cfg, assumptions } = config({ type: 'calico' });
  assert.equal(cfg.type, 'calico');
  if (cfg.type !== 'calico') return;
  assert.deepEqual(cfg.pools.map(p => [p.name, p.cidr.value, p.natOutgoing.value, p.natOutgoing.origin]), [['default-ipv4-ippool', '10.244.0.0/16', true, 'default']]);
  assert.deepEqual([cfg.natOutgoingAddress.value, cfg.natOutgoingExclusions.value], [null, 'IPPoolsOnly']);
  assert.equal(assumptions.length, 1);
  assert.match(assumptions[0]!, /^No IPPool in the workspace or the profile: assuming the pool an install creates, 10\.244\.0\.0\/16/);
  assert.equal(decide(cfg, '8.8.8.8').reason, "the pod's pool default-ipv4-ippool has natOutgoing: true (default) and 8.8.8.8 is outside every Calico pool: MASQUERADE");
  // profile pools: natOutgoing left out is the resource default (false)
  const fromProfile = config({ type: 'calico', ipPools: [{ cidr: '10.244.0.0/16' }] }).config;
  assert.match(decide(fromProfile, '8.8.8.8').reason, /has natOutgoing: false \(default\)/);
});

test('Calico FelixConfiguration: natOutgoingAddress SNATs to a fixed address; IPPoolsAndHostIPs spares the nodes', () => {
  const file = load('calico-felix.yaml');
  const ws = readCniConfig([file]);
  assert.deepEqual(where(file, ws.felix.natOutgoingAddress!), [5, 22, 5, 34, '192.168.50.7']);
  assert.deepEqual(where(file, ws.felix.natOutgoingExclusions!), [6, 25, 6, 42, 'IPPoolsAndHostIPs']);
  const cfg = config({ type: 'auto' }, [file]).config;
  const d = decide(cfg, '8.8.8.8');
  assert.deepEqual([d.verdict, d.sourceSeen, d.translation], ['snat', '192.168.50.7', 'snat-to-source']);
  assert.match(d.reason, /FelixConfiguration natOutgoingAddress makes it SNAT --to-source 192\.168\.50\.7$/);
  const toNode = decide(cfg, '192.168.0.3');
  assert.equal(toNode.verdict, 'own-ip');
  assert.equal(toNode.reason, "192.168.0.3 is node node-b's address and natOutgoingExclusions is IPPoolsAndHostIPs");
});

// ---------------------------------------------------------------------------------------------
// Cilium

test('Cilium defaults: masquerade on, the local pod CIDR and the cluster\'s nodes excluded, tunnel traffic untouched', () => {
  const cfg = config({ type: 'cilium' }).config;
  assert.equal(cfg.type, 'cilium');
  if (cfg.type !== 'cilium') return;
  assert.deepEqual([cfg.masquerade.value, cfg.bpfMasquerade.value, cfg.nativeRoutingCIDR.value, cfg.routingMode.value, cfg.ipMasqAgent.value],
    [true, false, null, 'tunnel', false]);
  const internet = decide(cfg, '8.8.8.8');
  assert.deepEqual([internet.verdict, internet.sourceSeen], ['snat', '192.168.0.2']);
  assert.equal(internet.reason, "enable-ipv4-masquerade: true (default) and 8.8.8.8 is outside the local pod CIDR 10.244.0.0/24: iptables masquerading to the output device's address");
  assert.match(decide(cfg, '10.244.0.77').reason, /ipv4-native-routing-cidr is not set, so Cilium excludes the local node's pod CIDR 10\.244\.0\.0\/24/);
  assert.match(decide(cfg, '10.244.1.10').reason, /^routing-mode tunnel \(default\): 10\.244\.1\.10 is a pod address/);
  assert.match(decide(cfg, '192.168.0.3').reason, /is cluster node node-b: Cilium excludes traffic to cluster nodes/);
  // native routing without a native-routing CIDR masquerades pod-to-pod traffic across nodes
  const native = config({ type: 'cilium', routingMode: 'native' }).config;
  assert.equal(decide(native, '10.244.1.10').verdict, 'snat');
  assert.equal(decide(config({ type: 'cilium', routingMode: 'native', nativeRoutingCIDR: '10.244.0.0/16' }).config, '10.244.1.10').verdict, 'own-ip');
  assert.equal(decide(config({ type: 'cilium', masquerade: false }).config, '8.8.8.8').reason, 'enable-ipv4-masquerade: false (profile): Cilium does not masquerade');
});

test('Cilium eBPF ip-masq-agent: its default reserved-range list when it has no configuration; ignored without BPF masquerading', () => {
  const cfg = config({ type: 'cilium', bpfMasquerade: true, ipMasqAgent: true }).config;
  assert.equal(CILIUM_IP_MASQ_AGENT_DEFAULT_CIDRS.length, 11);
  const reserved = decide(cfg, '203.0.113.5');
  assert.equal(reserved.verdict, 'own-ip');
  assert.equal(reserved.reason, "203.0.113.5 is in the ip-masq-agent's nonMasqueradeCIDRs entry 203.0.113.0/24 (the agent's default list)");
  assert.match(decide(cfg, '169.254.169.254').reason, /is link-local \(169\.254\.0\.0\/16\) and masqLinkLocal is false \(default\)/);
  assert.equal(decide(cfg, '8.8.8.8').verdict, 'snat');
  // with the agent, only a configured native-routing CIDR is excluded (not the local pod CIDR): 10/8 is in the list anyway
  assert.match(decide(cfg, '10.244.0.77').reason, /nonMasqueradeCIDRs entry 10\.0\.0\.0\/8/);
  const noBpf = decide(config({ type: 'cilium', ipMasqAgent: true }).config, '203.0.113.5');
  assert.equal(noBpf.verdict, 'snat');
  assert.match(noBpf.notes[0]!, /enable-ip-masq-agent: true has no effect without eBPF masquerading/);
});

test('Cilium from cilium-config and the ip-masq-agent ConfigMap, with ranges', () => {
  const file = load('cilium.yaml');
  const ws = readCniConfig([file]);
  assert.deepEqual(ws.detected, ['cilium']);
  const cfg = resolveCni({ type: 'auto' }, ws, profile).config;
  if (cfg.type !== 'cilium') return assert.fail(cfg.type);
  assert.deepEqual(where(file, cfg.masquerade), [6, 26, 6, 32, '"true"']);
  assert.deepEqual(where(file, cfg.bpfMasquerade), [7, 25, 7, 31, '"true"']);
  assert.deepEqual(where(file, cfg.ipMasqAgent), [8, 24, 8, 30, '"true"']);
  assert.deepEqual(where(file, cfg.routingMode), [9, 16, 9, 22, 'native']);
  assert.deepEqual(where(file, cfg.nativeRoutingCIDR), [10, 28, 10, 41, '10.244.0.0/16']);
  assert.deepEqual(where(file, cfg.nonMasqueradeCIDRs), [19, 24, 19, 52, '[10.0.0.0/8, 192.168.0.0/16]']);
  assert.match(decide(cfg, '10.244.1.10').reason, /inside ipv4-native-routing-cidr 10\.244\.0\.0\/16/);
  assert.equal(decide(cfg, '172.20.1.1').verdict, 'snat');
  assert.equal(decide(cfg, '192.168.7.7').reason, "192.168.7.7 is in the ip-masq-agent's nonMasqueradeCIDRs entry 192.168.0.0/16");
});

// ---------------------------------------------------------------------------------------------
// flannel

test('flannel defaults (kube-flannel.yml passes --ip-masq): the flannel network and multicast stay unNATed', () => {
  const { config: cfg, assumptions } = config({ type: 'flannel' });
  if (cfg.type !== 'flannel') return assert.fail(cfg.type);
  assert.deepEqual([cfg.ipMasq.value, cfg.ipMasq.origin, cfg.network.value], [true, 'default', '10.244.0.0/16']);
  assert.deepEqual(assumptions, []);
  assert.equal(decide(cfg, '8.8.8.8').reason, 'flanneld --ip-masq (default): 8.8.8.8 is outside the flannel network 10.244.0.0/16');
  assert.equal(decide(cfg, '10.244.1.10').verdict, 'own-ip');
  assert.match(decide(cfg, '239.1.2.3').reason, /multicast \(224\.0\.0\.0\/4\), which flannel exempts/);
  assert.equal(decide(config({ type: 'flannel', ipMasq: false }).config, '8.8.8.8').verdict, 'own-ip');
  // cni unset and no CNI object: flannel, said as an assumption
  const auto = config({ type: 'auto' });
  assert.equal(auto.config.type, 'flannel');
  assert.match(auto.assumptions[0]!, /^cni\.type is not set and no CNI object is in the workspace: assuming flannel/);
});

test('flannel from kube-flannel-cfg (net-conf.json Network inside the string) and the DaemonSet\'s --ip-masq', () => {
  const file = load('flannel.yaml');
  const cfg = config({ type: 'auto' }, [file]).config;
  if (cfg.type !== 'flannel') return assert.fail(cfg.type);
  assert.deepEqual(where(file, cfg.network), [8, 17, 8, 31, '"10.42.0.0/16"']);
  assert.deepEqual(where(file, cfg.ipMasq), [29, 14, 29, 23, '--ip-masq']);
  const pod = { ip: '10.42.0.10', node: 'node-a' };
  assert.equal(decide(cfg, '8.8.8.8', pod).verdict, 'snat');
  assert.equal(decide(cfg, '10.42.3.3', pod).reason, '10.42.3.3 is inside the flannel network 10.42.0.0/16: pod-to-pod traffic is never masqueraded');
  // without the flag, flanneld's own default (false) applies
  const noFlag = parseManifest(file.text.replace('            - --ip-masq\n', ''), 'flannel.yaml');
  const off = config({ type: 'auto' }, [noFlag]).config;
  if (off.type !== 'flannel') return assert.fail(off.type);
  assert.deepEqual([off.ipMasq.value, off.ipMasq.origin], [false, 'workspace']);
  assert.equal(decide(off, '8.8.8.8', pod).reason, 'flanneld runs without --ip-masq: flannel installs no masquerade rules');
});

// ---------------------------------------------------------------------------------------------
// AWS VPC CNI

test('AWS VPC CNI defaults: SNAT --to-source the primary ENI address outside the VPC', () => {
  const { config: cfg, assumptions } = config({ type: 'aws-vpc-cni', vpcCIDRs: ['10.244.0.0/16', '10.250.0.0/16'] });
  if (cfg.type !== 'aws-vpc-cni') return assert.fail(cfg.type);
  assert.deepEqual([cfg.externalSNAT.value, cfg.randomizeSNAT.value, cfg.excludeSNATCIDRs.value], [false, 'prng', []]);
  assert.deepEqual(assumptions, []);
  const d = decide(cfg, '8.8.8.8');
  assert.deepEqual([d.verdict, d.sourceSeen, d.translation], ['snat', '192.168.0.2', 'snat-to-source']);
  assert.equal(d.reason, "AWS_VPC_K8S_CNI_EXTERNALSNAT=false (default) and 8.8.8.8 is outside the VPC (10.244.0.0/16, 10.250.0.0/16): SNAT --to-source 192.168.0.2 --random-fully, the primary IP of node-a's primary ENI");
  assert.equal(decide(cfg, '10.250.1.1').reason, '10.250.1.1 is inside the VPC CIDR 10.250.0.0/16: traffic within the VPC is not SNATed');
  const external = decide(config({ type: 'aws-vpc-cni', externalSNAT: true }).config, '8.8.8.8');
  assert.equal(external.verdict, 'own-ip');
  assert.match(external.reason, /^AWS_VPC_K8S_CNI_EXTERNALSNAT=true: aws-node installs no SNAT rule; a NAT gateway/);
  // without vpcCIDRs, the clusterCIDR stands in and the assumption says so
  assert.match(config({ type: 'aws-vpc-cni' }).assumptions[0]!, /set cni\.vpcCIDRs/);
});

test('AWS VPC CNI from the aws-node DaemonSet environment', () => {
  const file = load('aws-node.yaml');
  const cfg = config({ type: 'auto', vpcCIDRs: ['10.244.0.0/16'] }, [file]).config;
  if (cfg.type !== 'aws-vpc-cni') return assert.fail(cfg.type);
  assert.deepEqual(where(file, cfg.externalSNAT), [19, 21, 19, 28, '"false"']);
  assert.deepEqual(where(file, cfg.excludeSNATCIDRs), [21, 21, 21, 50, '"10.100.0.0/16,172.31.0.0/16"']);
  assert.deepEqual(where(file, cfg.randomizeSNAT), [23, 21, 23, 31, 'hashrandom']);
  assert.deepEqual(cfg.excludeSNATCIDRs.value, ['10.100.0.0/16', '172.31.0.0/16']);
  assert.equal(decide(cfg, '172.31.9.9').reason, '172.31.9.9 is in AWS_VPC_K8S_CNI_EXCLUDE_SNAT_CIDRS entry 172.31.0.0/16');
  assert.match(decide(cfg, '8.8.8.8').reason, /SNAT --to-source 192\.168\.0\.2 --random, /);
  const bad = parseManifest(file.text.replace('value: "false"', 'value: "nope"'), 'aws-node.yaml');
  const ws = readCniConfig([bad]);
  assert.deepEqual(ws.problems.map(p => [p.code, p.message, p.range.start.line]), [['cni-setting-invalid', 'AWS_VPC_K8S_CNI_EXTERNALSNAT: "nope" is not a boolean; aws-node falls back to false', 19]]);
});

// ---------------------------------------------------------------------------------------------
// ip-masq-agent

test('ip-masq-agent defaults: RFC 1918 and link-local keep the pod IP, the rest is masqueraded', () => {
  const cfg = config({ type: 'ip-masq-agent' }).config;
  if (cfg.type !== 'ip-masq-agent') return assert.fail(cfg.type);
  assert.deepEqual([cfg.nonMasqueradeCIDRs.value, cfg.masqLinkLocal.value, cfg.resyncInterval.value], [['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'], false, '60s']);
  assert.equal(decide(cfg, '172.20.1.1').reason, '172.20.1.1 is in nonMasqueradeCIDRs entry 172.16.0.0/12 (default)');
  assert.equal(decide(cfg, '169.254.169.254').reason, '169.254.169.254 is link-local (169.254.0.0/16) and masqLinkLocal is false (default)');
  const cgnat = decide(cfg, '100.64.1.1');
  assert.deepEqual([cgnat.verdict, cgnat.sourceSeen], ['snat', '192.168.0.2']);
  assert.equal(cgnat.reason, '100.64.1.1 is in no nonMasqueradeCIDRs entry (default): the last IP-MASQ-AGENT rule MASQUERADEs it');
  // --nomasq-all-reserved-ranges widens the default list
  assert.equal(decide(config({ type: 'ip-masq-agent', nomasqAllReservedRanges: true }).config, '100.64.1.1').verdict, 'own-ip');
});

test('ip-masq-agent ConfigMap (YAML in a block scalar): ranges inside the config string', () => {
  const file = load('ip-masq-agent.yaml');
  const cfg = config({ type: 'auto' }, [file]).config;
  if (cfg.type !== 'ip-masq-agent') return assert.fail(cfg.type);
  assert.deepEqual(where(file, cfg.nonMasqueradeCIDRs), [9, 6, 10, 21, '- 10.0.0.0/8\n      - 100.64.0.0/10']);
  assert.deepEqual(where(file, cfg.masqLinkLocal), [11, 19, 11, 23, 'true']);
  assert.deepEqual(where(file, cfg.resyncInterval), [12, 20, 12, 23, '30s']);
  assert.deepEqual(cfg.nonMasqueradeCIDRs.source!.path, ['data', 'config', 'nonMasqueradeCIDRs']);
  assert.equal(decide(cfg, '100.64.1.1').verdict, 'own-ip');
  assert.equal(decide(cfg, '172.20.1.1').verdict, 'snat'); // the configured list replaces the default
  assert.equal(decide(cfg, '169.254.169.254').verdict, 'snat'); // masqLinkLocal: true
  assert.match(decide(cfg, 'fd00::9', { ip: 'fd00:10:244::a', node: 'node-a' }).reason, /IPv6 rules only when started with --enable-ipv6/);
});

test('ip-masq-agent ConfigMap as JSON (field names case-insensitive, as Go reads them) and the DaemonSet flag', () => {
  const file = load('ip-masq-agent-json.yaml');
  const cfg = config({ type: 'auto' }, [file]).config;
  if (cfg.type !== 'ip-masq-agent') return assert.fail(cfg.type);
  assert.deepEqual(where(file, cfg.nonMasqueradeCIDRs), [4, 33, 4, 51, '["192.168.0.0/16"]']);
  assert.deepEqual(where(file, cfg.resyncInterval), [4, 69, 4, 75, '"1m0s"']);
  assert.deepEqual(where(file, cfg.nomasqAllReservedRanges), [19, 14, 19, 42, '--nomasq-all-reserved-ranges']);
  assert.deepEqual([cfg.masqLinkLocal.value, cfg.masqLinkLocal.origin], [false, 'default']);
  // the configured list replaces the default even with the flag: 10/8 is masqueraded
  assert.equal(decide(cfg, '10.9.9.9').verdict, 'snat');
  assert.equal(decide(cfg, '192.168.0.3').verdict, 'own-ip');
});

// ---------------------------------------------------------------------------------------------
// Common cases and the profile field

test('Service addresses and the pod\'s own node are not egress NAT cases', () => {
  for (const type of ['calico', 'cilium', 'flannel', 'aws-vpc-cni', 'ip-masq-agent', 'none'] as const) {
    const cfg = config({ type }).config;
    const svc = decide(cfg, '10.96.0.10');
    assert.equal(svc.verdict, 'not-egress', type);
    assert.equal(svc.reason, "10.96.0.10 is in the Service CIDR 10.96.0.0/12: kube-proxy DNATs it on node-a first, and the CNI's egress rules then see the endpoint's address");
    assert.equal(decide(cfg, '192.168.0.2').verdict, 'own-ip', type);
  }
  assert.equal(decide(config({ type: 'none' }).config, '8.8.8.8').verdict, 'own-ip');
  assert.equal(decide(config({ type: 'none' }).config, 'fd00::1').verdict, 'not-egress');
});

test('resolveCniProfile: shorthand, per-type keys, and messages for bad values', () => {
  const problems: [string, string][] = [];
  const report = (path: (string | number)[], message: string) => problems.push([path.join('.'), message]);
  assert.deepEqual(resolveCniProfile(undefined, report), { type: 'auto' });
  assert.equal(resolveCniProfile('cilium', report).type, 'cilium');
  const p = resolveCniProfile({ type: 'calico', ipPools: [{ cidr: '10.0.0.0/16', natOutgoing: true }, { cidr: 'x' }], natOutgoingAddress: '10.1.1.1', bpfMasquerade: true, colour: 'red' }, report);
  assert.deepEqual(p.ipPools, [{ name: undefined, cidr: '10.0.0.0/16', natOutgoing: true, disabled: undefined }]);
  assert.equal(p.natOutgoingAddress, '10.1.1.1');
  assert.equal(p.bpfMasquerade, undefined);
  resolveCniProfile({ type: 'weave' }, report);
  resolveCniProfile({ type: 'aws-vpc-cni', vpcCIDRs: ['10.0.0.0/8', 'nope'], randomizeSNAT: 'yes' }, report);
  assert.deepEqual(problems, [
    ['cni.bpfMasquerade', 'cni.bpfMasquerade applies to type cilium, not calico'],
    ['cni.colour', 'Unknown cni field "colour"; known fields: type, ipPools, natOutgoingAddress, natOutgoingExclusions, masquerade, bpfMasquerade, nativeRoutingCIDR, routingMode, ipMasqAgent, nonMasqueradeCIDRs, masqLinkLocal, ipMasq, network, backend, externalSNAT, excludeSNATCIDRs, vpcCIDRs, randomizeSNAT, masqLinkLocalIPv6, resyncInterval, nomasqAllReservedRanges'],
    ['cni.ipPools.1', 'cni.ipPools: each pool needs a cidr'],
    ['cni.type', 'cni.type: expected auto, calico, cilium, flannel, aws-vpc-cni, ip-masq-agent, none; got "weave"'],
    ['cni.vpcCIDRs', 'cni.vpcCIDRs: expected a list of CIDRs, got ["10.0.0.0/8","nope"]'],
    ['cni.randomizeSNAT', 'cni.randomizeSNAT: expected prng, hashrandom or none, got "yes"'],
  ]);
});

// ---------------------------------------------------------------------------------------------
// Hovers

function hover(name: string, needle: string, cni?: CniProfile) {
  const file = load(name);
  const at = file.text.indexOf(needle);
  assert.ok(at >= 0, needle);
  const h = egressHoverAt(file, at + 1, { profile, cni });
  assert.ok(h, `no hover on ${needle}`);
  return { ...h, text: file.text.slice(h.range.start.offset, h.range.end.offset), all: [h.summary, ...h.details].join('\n') };
}

test('hover on IPPool natOutgoing and disabled: who keeps its IP, and why replies return through the node', () => {
  const h = hover('calico.yaml', 'natOutgoing: true');
  assert.equal(h.text, 'natOutgoing');
  assert.deepEqual([h.range.start.line, h.range.start.character], [8, 2]);
  assert.equal(h.summary, "natOutgoing: true — pods in 10.244.0.0/16 reach addresses outside every Calico pool as their node's address (MASQUERADE), and every pool (10.244.0.0/16, 172.20.0.0/16, 10.128.0.0/16) with their own IP.");
  assert.match(h.all, /From a pod at `10\.244\.0\.10` on node-a \(node address `192\.168\.0\.2`\), new connections to:/);
  assert.match(h.all, /- An internet address `8\.8\.8\.8`: \*\*SNAT to `192\.168\.0\.2`\*\*/);
  assert.match(h.all, /- A pod on node-b `10\.244\.1\.10`: \*\*own IP\*\* `10\.244\.0\.10`/);
  assert.match(h.all, /- An address in 172\.20\.0\.0\/16 `172\.20\.0\.10`: \*\*own IP\*\*/);
  assert.match(h.all, /Replies come back to `192\.168\.0\.2`; conntrack on node-a holds the translation and rewrites them back to `10\.244\.0\.10`\. So they must return through node-a/);
  const d = hover('calico.yaml', 'disabled: true');
  assert.equal(d.summary, 'disabled: true — Calico assigns no new addresses from 172.20.0.0/16, but it is still a pool: natOutgoing pools reach 172.20.0.0/16 without NAT.');
  // the sample pod is in the natOutgoing pool, to show the exemption
  assert.match(d.all, /- An address in 172\.20\.0\.0\/16 `172\.20\.0\.10`: \*\*own IP\*\* `10\.244\.0\.10` — 172\.20\.0\.10 is in the disabled IP pool/);
  assert.equal(hover('calico.yaml', 'natOutgoing: false').summary, 'natOutgoing: false — pods in 10.128.0.0/16 keep their own IP for every destination: the network must route 10.128.0.0/16 back to the nodes.');
});

test('hover inside the ip-masq-agent config string and on the aws-node environment', () => {
  const n = hover('ip-masq-agent.yaml', 'nonMasqueradeCIDRs');
  assert.equal(n.text, 'nonMasqueradeCIDRs');
  assert.deepEqual([n.range.start.line, n.range.start.character], [8, 4]);
  assert.equal(n.summary, "nonMasqueradeCIDRs: 10.0.0.0/8, 100.64.0.0/10 — pods reach these with their own IP; every other off-node destination as the node's address.");
  assert.match(n.all, /- An address in 100\.64\.0\.0\/10 `100\.64\.0\.10`: \*\*own IP\*\*/);
  const m = hover('ip-masq-agent.yaml', 'masqLinkLocal');
  assert.equal(m.summary, 'masqLinkLocal: true — link-local destinations (169.254.0.0/16) are masqueraded like the rest.');
  assert.match(m.all, /Link-local \(169\.254\.0\.0\/16, e\.g\. a cloud metadata server\) `169\.254\.169\.254`: \*\*SNAT to `192\.168\.0\.2`\*\*/);
  assert.equal(hover('ip-masq-agent.yaml', 'resyncInterval').summary, 'resyncInterval: 30s — how often the agent re-reads this file and rewrites its IP-MASQ-AGENT chain (read from ConfigMap/kube-system/ip-masq-agent in ip-masq-agent.yaml (line 13)).');
  const json = hover('ip-masq-agent-json.yaml', 'NonMasq');
  assert.equal(json.text, '"NonMasqueradeCIDRs"');
  const aws = hover('aws-node.yaml', 'AWS_VPC_K8S_CNI_EXTERNALSNAT', { type: 'auto', vpcCIDRs: ['10.244.0.0/16'] });
  assert.equal(aws.text, 'AWS_VPC_K8S_CNI_EXTERNALSNAT');
  assert.equal(aws.summary, "AWS_VPC_K8S_CNI_EXTERNALSNAT=false — outside the VPC (10.244.0.0/16) pods leave as the node's primary ENI address; inside it with their own IP.");
  assert.match(aws.all, /- An internet address `8\.8\.8\.8`: \*\*SNAT to `192\.168\.0\.2`\*\*/);
  assert.equal(hover('aws-node.yaml', '"10.100').summary, 'AWS_VPC_K8S_CNI_EXCLUDE_SNAT_CIDRS — besides the VPC, pods reach 10.100.0.0/16, 172.31.0.0/16 with their own IP.');
  assert.equal(hover('flannel.yaml', '--ip-masq').summary, "--ip-masq — flannel masquerades pod traffic leaving the flannel network 10.42.0.0/16 to the node's address; pod-to-pod traffic keeps its IP.");
  assert.match(hover('cilium.yaml', 'enable-ip-masq-agent').summary, /^enable-ip-masq-agent: true — nonMasqueradeCIDRs \(10\.0\.0\.0\/8, 192\.168\.0\.0\/16\) decide\.$/);
  // not a NAT field: no hover
  const file = load('calico.yaml');
  assert.equal(egressHoverAt(file, file.text.indexOf('ipipMode') + 1, { profile }), null);
});
