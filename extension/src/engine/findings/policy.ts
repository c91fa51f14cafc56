// NetworkPolicy meets SNAT: a policy's ipBlock is matched against the source the pod sees, which
// kube-proxy may have rewritten to a node address. Evidence comes from walks over the rules.
import type { NetworkPolicy } from 'kubernetes-types/networking/v1';
import type { LabelSelector } from 'kubernetes-types/meta/v1';
import { ofKind, type ManifestFile, type ManifestObject } from '../manifest/manifest';
import type { SourceRange } from '../manifest/source';
import type { ClusterModel, ServiceEntry, Workload } from '../model/cluster';
import { externallyAccessible } from '../model/service';
import { cidrContains, formatIP, offsetIP, parseCIDR, parseIP } from '../util/ip';
import { walkerFor } from '../walk/walk';
import { inFile, setField, type TextEdit } from './edits';
import type { RuleId } from './catalog';

export interface PolicyDraft {
  readonly rule: RuleId;
  readonly message: string;
  readonly range: SourceRange;
  readonly fixes: readonly { title: string; edits: readonly TextEdit[]; preferred: boolean; kind: 'quickfix' | 'refactor' }[];
  readonly subject: string;
}

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

/** A client address inside the block (not in its exceptions), to walk with. */
function clientIn(cidr: string, except: readonly string[]): string | null {
  const c = parseCIDR(cidr);
  if (!c) return null;
  for (let host = 7; host < 64; host++) {
    const ip = formatIP(offsetIP(c.ip, host));
    if (inBlock(ip, cidr, except)) return ip;
  }
  return null;
}

export function policyFindings(file: ManifestFile, model: ClusterModel): PolicyDraft[] {
  const out: PolicyDraft[] = [];
  for (const obj of ofKind(file.objects, 'NetworkPolicy')) out.push(...ingressBehindSnat(obj, model));
  return out;
}

function ingressBehindSnat(obj: ManifestObject<'NetworkPolicy'>, model: ClusterModel): PolicyDraft[] {
  const policy = obj.object as NetworkPolicy;
  const spec = policy.spec;
  if (!spec) return [];
  const types = spec.policyTypes ?? ['Ingress'];
  if (!types.includes('Ingress')) return [];
  const targets: Workload[] = model.workloads.filter(w => w.obj.namespace === obj.namespace && selectorMatches(spec.podSelector, w.labels));
  if (targets.length === 0) return [];
  const services: ServiceEntry[] = model.services.filter(s => externallyAccessible(s.service) && s.ports.length > 0 && s.selectedWorkloads.some(w => targets.includes(w)));
  const out: PolicyDraft[] = [];
  (spec.ingress ?? []).forEach((rule, i) => (rule.from ?? []).forEach((peer, j) => {
    const block = peer.ipBlock;
    if (!block?.cidr) return;
    const except = block.except ?? [];
    const client = clientIn(block.cidr, except);
    if (!client) return;
    for (const svc of services) {
      const walker = walkerFor({ ...model, services: [svc] });
      const sp = svc.ports[0]!.info;
      const target = sp.nodePort ? null : sp.loadBalancerVIPs[0] ?? sp.externalIPs[0] ?? null;
      const seen = new Set<string>();
      for (const node of model.profile.nodes) {
        const r = walker.trace({
          source: { kind: 'external', ip: client }, entryNode: node.name, proto: sp.protocol.toLowerCase() as 'tcp',
          dst: target ?? walker.network.primaryIP(node), dport: target ? sp.port : sp.nodePort,
        });
        if (r.verdict !== 'DNAT' || !r.masquerade) continue;
        const byEndpoint = typeof r.sourceSeenByPod === 'string' ? [r.sourceSeenByPod] : Object.values(r.sourceSeenByPod ?? {});
        for (const ip of byEndpoint) seen.add(`${ip} (entering ${node.name})`);
      }
      if (seen.size === 0) continue;
      const seenIPs = [...seen].map(s => s.split(' ')[0]!);
      const matching = seenIPs.filter(ip => inBlock(ip, block.cidr, except));
      const key = `${svc.obj.namespace}/${svc.obj.name}`;
      const localFix = inFile(setField(svc.obj, ['spec'], 'externalTrafficPolicy', 'Local'), svc.obj.fileName);
      const range = obj.rangeOf(['spec', 'ingress', i, 'from', j, 'ipBlock', 'cidr']) ?? obj.range;
      const via = `Service ${key} (${sp.nodePort ? `NodePort ${sp.nodePort}` : target})`;
      out.push({
        rule: 'policy-ip-block-behind-snat', range, subject: `${obj.namespace}/${obj.name}`,
        message: matching.length === 0
          ? `External clients in ${block.cidr} reach these pods through ${via}, whose external traffic is masqueraded: the pods see ${[...seen].join(', ')}, never an address in ${block.cidr}. This ipBlock does not match that traffic, so the policy blocks it.`
          : `External clients reach these pods through ${via}, whose external traffic is masqueraded to node addresses, and ${matching.join(', ')} ${matching.length === 1 ? 'is' : 'are'} inside ${block.cidr}: this ipBlock lets every client through, whatever its own address.`,
        fixes: localFix ? [{ title: `Keep the client address: set externalTrafficPolicy: Local on ${key} (only nodes with a ready local endpoint answer)`, edits: [localFix], preferred: false, kind: 'quickfix' }] : [],
      });
    }
  }));
  return out;
}
