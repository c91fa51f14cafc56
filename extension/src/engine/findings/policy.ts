// The checks behind the NetworkPolicy rules. NetworkPolicy meets SNAT: an ingress ipBlock is matched against the source the pod sees, which
// kube-proxy may have rewritten to a node address; an egress ipBlock lets pods out towards a range
// that then sees the node's address, because the CNI masquerades it. Evidence comes from walks.
import type { NetworkPolicy } from 'kubernetes-types/networking/v1';
import type { LabelSelector } from 'kubernetes-types/meta/v1';
import type { ManifestFile, ManifestObject } from '../manifest/manifest';
import type { ClusterModel, ServiceEntry, Workload } from '../model/cluster';
import { externallyAccessible } from '../model/service';
import { cidrContains, formatIP, offsetIP, parseCIDR, parseIP } from '../util/ip';
import { CNI_EGRESS_CHAIN, walkerFor } from '../walk/walk';
import { serviceWalker, walkFact } from '../facts/service';
import { egressDecision } from '../egress/decide';
import type { CniConfig } from '../egress/types';
import { appendDocument, appendListItem, inFile, setField, type TextEdit } from './edits';
import type { Report } from './rules/types';
import { unknownOverlayAddress } from '../facts/podNetwork';
import type { Messages } from '../i18n';

/** metav1.LabelSelector semantics: matchLabels and matchExpressions (In, NotIn, Exists, DoesNotExist). */
export function selectorMatches(selector: LabelSelector | undefined, labels: Readonly<Record<string, string>>): boolean {
  if (!selector) return true;
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (labels[k] !== String(v)) return false;
  for (const e of selector.matchExpressions ?? []) {
    const has = e.key in labels;
    const values = e.values ?? [];
    if (e.operator === 'In' && !(has && values.includes(labels[e.key]!))) return false;
    if (e.operator === 'NotIn' && has && values.includes(labels[e.key]!)) return false;
    if (e.operator === 'Exists' && !has) return false;
    if (e.operator === 'DoesNotExist' && has) return false;
  }
  return true;
}

function inBlock(ip: string, cidr: string, except: readonly string[]): boolean {
  const addr = parseIP(ip);
  const c = parseCIDR(cidr);
  if (!addr || !c || !cidrContains(c, addr)) return false;
  return !except.some(x => { const e = parseCIDR(x); return e !== null && cidrContains(e, addr); });
}

/** An address inside the block (not in its exceptions), to walk with. */
function addressIn(cidr: string, except: readonly string[]): string | null {
  const c = parseCIDR(cidr);
  if (!c) return null;
  for (let host = 7; host < 64; host++) {
    const ip = formatIP(offsetIP(c.ip, host));
    if (inBlock(ip, cidr, except)) return ip;
  }
  return null;
}

function selectedWorkloads(obj: ManifestObject<'NetworkPolicy'>, model: ClusterModel): Workload[] {
  const selector = (obj.object as NetworkPolicy).spec?.podSelector;
  return model.workloads.filter(w => w.obj.namespace === obj.namespace && selectorMatches(selector, w.labels));
}

/** Ingress ipBlocks against the addresses external clients arrive with, walked through each node. */
export function ingressBehindSnat(obj: ManifestObject<'NetworkPolicy'>, model: ClusterModel, m: Messages): Report[] {
  const policy = obj.object as NetworkPolicy;
  const spec = policy.spec;
  if (!spec) return [];
  const types = spec.policyTypes ?? ['Ingress'];
  if (!types.includes('Ingress')) return [];
  const targets = selectedWorkloads(obj, model);
  if (targets.length === 0) return [];
  const services: ServiceEntry[] = model.services.filter(s => externallyAccessible(s.service) && s.ports.length > 0 && s.selectedWorkloads.some(w => targets.includes(w)));
  const out: Report[] = [];
  (spec.ingress ?? []).forEach((rule, i) => (rule.from ?? []).forEach((peer, j) => {
    const block = peer.ipBlock;
    if (!block?.cidr) return;
    const except = block.except ?? [];
    const client = addressIn(block.cidr, except);
    if (!client) return;
    for (const svc of services) {
      const walker = serviceWalker(svc, model);
      const sp = svc.ports[0]!.info;
      const target = sp.nodePort ? null : sp.loadBalancerVIPs[0] ?? sp.externalIPs[0] ?? null;
      const seen = new Map<string, string>();
      const cni = model.podNetwork?.cni;
      for (const node of model.profile.nodes) {
        const r = walker.trace({
          source: { kind: 'external', ip: client }, entryNode: node.name, proto: sp.protocol.toLowerCase() as 'tcp',
          dst: target ?? walker.network.primaryIP(node), dport: target ? sp.port : sp.nodePort,
        });
        // what this client's connection gets, as the Service's facts state it
        const e = walkFact(r, target ? (sp.loadBalancerVIPs.includes(target) ? 'loadBalancer' : 'externalIP') : 'nodePort');
        for (const p of e.endpoints) {
          if (e.verdict !== 'DNAT' || !p.masquerade || !p.sourceSeen) continue;
          // Calico's iptables dataplane checks a workload's ingress policy in FORWARD, before POSTROUTING
          // MASQUERADE (felix rules: cali-FORWARD → cali-to-wl-dispatch): a pod on the entry node sees the client there
          if (cni === 'calico' && p.node === node.name) continue;
          // an overlay address the input does not tell: named, and not compared with the block
          const unknown = p.overlay ? unknownOverlayAddress(p.overlay, m) : null;
          seen.set(`${unknown ? '?' : p.sourceSeen} ${node.name}`, m.policySeenEntering({ address: unknown ?? p.sourceSeen, node: node.name }));
        }
      }
      if (seen.size === 0) continue;
      const seenIPs = [...seen.keys()].map(s => s.split(' ')[0]!).filter(ip => ip !== '?');
      const matching = seenIPs.filter(ip => inBlock(ip, block.cidr, except));
      const key = `${svc.obj.namespace}/${svc.obj.name}`;
      const localFix = inFile(setField(svc.obj, ['spec'], 'externalTrafficPolicy', 'Local'), svc.obj.fileName);
      const range = obj.rangeOf(['spec', 'ingress', i, 'from', j, 'ipBlock', 'cidr']) ?? obj.range;
      const via = `Service ${key} (${sp.nodePort ? `NodePort ${sp.nodePort}` : target})`;
      // NetworkPolicy leaves open whether SNAT comes before policy: the CNI decides (policyBehindSnatCni)
      const message = matching.length === 0 || cni === 'cilium'
        ? m.policyIngressNoMatch({ cidr: block.cidr, via, seen: [...seen.values()] })
        : m.policyIngressMatchesAll({ cidr: block.cidr, via, matching });
      out.push({
        range,
        message: `${message} ${m.policyBehindSnatCni({ cni: cni === 'calico' || cni === 'cilium' ? cni : null, matching: matching.length > 0 })}`,
        // proven only where the CNI's order of policy and SNAT is known
        ...(cni === 'calico' || cni === 'cilium' ? {} : { severity: 'information' as const }),
        fixes: localFix ? [{ title: m.fixPolicyLocal({ service: key }), edits: [localFix], preferred: false, kind: 'quickfix' }] : [],
      });
    }
  }));
  return out;
}

/**
 * Egress rules towards an ipBlock that the CNI reaches with the node's address. The policy is checked on
 * the pod's own packet, before the CNI's POSTROUTING masquerade, so the rule does let the pods out; what
 * it cannot do is make the destination see them: an allowlist there must admit node addresses.
 */
export function egressBlockBehindSnat(obj: ManifestObject<'NetworkPolicy'>, model: ClusterModel, cni: CniConfig, workspace: readonly ManifestFile[], m: Messages): Report[] {
  const spec = (obj.object as NetworkPolicy).spec;
  if (!spec) return [];
  // networking/v1: without policyTypes, Egress applies when the policy has egress rules
  const types = spec.policyTypes ?? (spec.egress ? ['Ingress', 'Egress'] : ['Ingress']);
  if (!types.includes('Egress')) return [];
  const pods = onePodPerNode(selectedWorkloads(obj, model));
  if (pods.length === 0) return [];
  // the destinations are outside the cluster: walk the pods' packets without Service rules
  const walker = walkerFor({ ...model, services: [] }, (pod, dst) => egressDecision(cni, model.profile, pod, dst));
  const out: Report[] = [];
  (spec.egress ?? []).forEach((rule, i) => (rule.to ?? []).forEach((peer, j) => {
    const block = peer.ipBlock;
    const cidr = block?.cidr ? parseCIDR(block.cidr) : null;
    // a /0 block allows everywhere: it names no destination whose view of the pods matters
    if (!block || !cidr || cidr.prefix === 0) return;
    const dst = addressIn(block.cidr, block.except ?? []);
    if (!dst) return;
    const port = rule.ports?.[0];
    const proto = (port?.protocol ?? 'TCP').toLowerCase() as 'tcp' | 'udp' | 'sctp';
    const dport = typeof port?.port === 'number' ? port.port : 443;
    const seen: string[] = [];
    let reason = '';
    for (const pod of pods) {
      const hop = walker.trace({ source: { kind: 'pod', ip: pod.ip, node: pod.nodeName }, dst, dport, proto }).outcomes[0]?.hops.find(h => h.chain === CNI_EGRESS_CHAIN);
      if (!hop || hop.after.src === hop.before.src) continue;
      seen.push(m.policySeenFromPods({ address: hop.after.src, node: pod.nodeName }));
      reason = hop.rule;
    }
    if (seen.length === 0) return;
    const range = obj.rangeOf(['spec', 'egress', i, 'to', j, 'ipBlock', 'cidr']) ?? obj.range;
    const exempt = exemptFromMasquerade(cni, block.cidr, workspace, m);
    out.push({
      range,
      message: m.policyEgressSnat({ cidr: block.cidr, reason, destination: dst, seen }),
      fixes: exempt ? [{ ...exempt, preferred: false, kind: 'quickfix' }] : [],
    });
  }));
  return out;
}

function onePodPerNode(workloads: readonly Workload[]): { ip: string; nodeName: string }[] {
  const byNode = new Map<string, { ip: string; nodeName: string }>();
  for (const pod of workloads.flatMap(w => w.pods)) if (!byNode.has(pod.nodeName)) byNode.set(pod.nodeName, pod);
  return [...byNode.values()];
}

/**
 * The edit that stops the CNI masquerading traffic to `cidr`, where the CNI's own object is in the
 * workspace: Calico exempts destinations inside any IP pool, a disabled one included (CAL,
 * see egress/profile.ts); ip-masq-agent returns early for its nonMasqueradeCIDRs. Replies then go to a pod address, so the
 * destination's network must route the pod CIDR back to the nodes: the title says so.
 */
function exemptFromMasquerade(cni: CniConfig, cidr: string, workspace: readonly ManifestFile[], m: Messages): { title: string; edits: TextEdit[] } | null {
  const fileOf = (name: string) => workspace.find(f => f.fileName === name);
  if (cni.type === 'calico') {
    const file = cni.pools.map(p => p.cidr.source && fileOf(p.cidr.source.fileName)).find(f => f !== undefined);
    if (!file) return null;
    const name = `no-nat-${cidr.toLowerCase().replace(/[^0-9a-f]+/g, '-')}`;
    const pool = `---\napiVersion: projectcalico.org/v3\nkind: IPPool\nmetadata:\n  name: ${name}\nspec:\n  cidr: ${cidr}\n  disabled: true\n`;
    return { title: m.fixCalicoPool({ cidr, file: baseName(file.fileName) }), edits: [appendDocument(file, pool)] };
  }
  const list = cni.type === 'ip-masq-agent' ? cni.nonMasqueradeCIDRs.source : undefined;
  const file = list && fileOf(list.fileName);
  const edit = list && file ? appendListItem(file, list.range, cidr) : null;
  return edit ? { title: m.fixIpMasqAgent({ cidr }), edits: [edit] } : null;
}

const baseName = (fileName: string) => fileName.split(/[\\/]/).pop() ?? fileName;
