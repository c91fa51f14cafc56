// The reference harness: one control plane, and per input ("batch") the real EndpointSlice
// controller's slices and the real kube-proxy's rules on every node, next to NAT Lens's for the same
// input, in canonical order.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1';
import { buildClusterModel, type ClusterModel } from '../../extension/src/engine/model/cluster';
import { endpointsFromSlices, sortEndpoints, type EndpointInfo } from '../../extension/src/engine/model/endpoints';
import { NFACCT_COUNTERS, withProxyMode, type ClusterProfile } from '../../extension/src/engine/model/profile';
import type { AnyManifestObject } from '../../extension/src/engine/manifest/manifest';
import { generateIptables } from '../../extension/src/engine/proxy/iptables/generator';
import { toIptablesSave } from '../../extension/src/engine/proxy/iptables/save';
import { generateNftables } from '../../extension/src/engine/proxy/nftables/generator';
import { withLab, withScratchNamespace, type Lab, type LabSpec } from '../kernel/lab';
import type { Built } from './build';
import { applyModel, clearInputs, objectKey, settledSlices, type Rejections } from './cluster';
import { canonicalIptables, canonicalNft, unifiedDiff } from './canonical';
import { ControlPlane, type ControlPlaneOptions } from './controlPlane';
import { NodeProxy, type ReferenceMode } from './kubeProxy';

export interface NodeResult {
  readonly node: string;
  readonly mode: ReferenceMode;
  readonly real: string;
  readonly predicted: string;
  /** Unified diff real → NAT Lens; '' when identical. */
  readonly diff: string;
}

export interface BatchResult {
  readonly nodes: readonly NodeResult[];
  /** Where the controller's slices differ from the endpoints NAT Lens derived from the workloads. */
  readonly sliceFindings: readonly string[];
  /** Objects the API server refused (left out on both sides). */
  readonly rejected: Rejections;
  /** Settings of the profile the real cluster here overrides (from this machine, or what the API server does), each with its reason. */
  readonly environment: readonly string[];
  readonly timings: Record<string, number>;
}

export interface BatchOptions {
  readonly modes: readonly ReferenceMode[];
  /** Only these nodes (default: every node of the profile). */
  readonly nodes?: readonly string[];
  /**
   * Writes each node's ruleset as kube-proxy left it, in the form `natlens node` reads: `iptables-save
   * -c` to DIR/NODE.iptables, `nft list ruleset` to DIR/NODE.nft.
   */
  readonly dumpDir?: string;
  /** Runs while the cluster and kube-proxy are still up (the CLI's --keep, the real-packets test). */
  readonly whileRunning?: (ctx: { labs: ReadonlyMap<ReferenceMode, Lab>; model: (mode: ReferenceMode) => ClusterModel; result: BatchResult }) => Promise<void>;
}

/** "1.34" matches v1.34.4; "1.34.4" and "v1.34.4" too; "1.31" does not. */
export function versionMatches(profileVersion: string, built: string): boolean {
  const want = profileVersion.replace(/^v/, '').split('.');
  const have = built.replace(/^v/, '').split(/[.+-]/);
  return want.length >= 2 && want.every((part, i) => part === have[i]);
}

/**
 * The profile as the real cluster here has it. The API server always allocates (profile `allocate`).
 * And what kube-proxy finds on this machine rather than in its configuration: iptables here supports
 * --random-fully (pkg/util/iptables: iptables >= 1.6.2), and which nfacct counters the kernel lets
 * it create (pkg/proxy/iptables NewProxier ensures each one; probed with kube-proxy's own nfacct
 * code in a scratch namespace). The profile is set to match, and each change is said.
 */
export async function environmentProfile(built: Built, profile: ClusterProfile): Promise<{ profile: ClusterProfile; notes: string[] }> {
  const nfacctCounters = await allowedNfacctCounters(built);
  const notes: string[] = [];
  if (!profile.iptablesRandomFully) notes.push('iptablesRandomFully: true (iptables here supports --random-fully)');
  if (profile.nfacctCounters.join() !== nfacctCounters.join()) notes.push(`nfacctCounters: [${nfacctCounters.join(', ')}] (what the kernel here allows)`);
  if (!profile.allocate) notes.push('allocate: true (the real API server allocates the ClusterIPs and node ports the manifests leave unset)');
  return { profile: { ...profile, iptablesRandomFully: true, nfacctCounters, allocate: true }, notes };
}

/** The kernel does not change under a run: probed once per binary. */
const nfacctProbes = new Map<string, Promise<string[]>>();
function allowedNfacctCounters(built: Built): Promise<string[]> {
  let probe = nfacctProbes.get(built.binary);
  if (!probe) {
    probe = withScratchNamespace(run => run(built.binary, ['nfacct-probe', ...NFACCT_COUNTERS]))
      .then(r => NFACCT_COUNTERS.filter(c => r.stdout.split('\n').includes(c)));
    nfacctProbes.set(built.binary, probe);
  }
  return probe;
}

function labSpec(profile: ClusterProfile, nodes: readonly string[]): LabSpec {
  return {
    nodes: profile.nodes.filter(n => nodes.includes(n.name)).map((n, i) => ({
      // a node known only by a loopback address still needs one on the lab's node network
      name: n.name, ip: n.ips.find(ip => /^\d+\.\d+\.\d+\.\d+$/.test(ip) && !ip.startsWith('127.')) ?? `192.0.2.${10 + i}`,
      podCIDR: n.podCIDR ?? `10.255.${i}.0/24`, podGateway: n.podGateway === 'none' ? 'none' as const : 'ip' as const, pods: [],
    })),
    clients: [],
    serviceCIDR: profile.serviceCIDRs[0] ?? '10.96.0.0/12',
  };
}

/** One lab per mode, nested (node addresses must be unique within a lab). */
async function withLabs<T>(modes: readonly ReferenceMode[], spec: LabSpec, fn: (labs: Map<ReferenceMode, Lab>) => Promise<T>, acc = new Map<ReferenceMode, Lab>()): Promise<T> {
  const [mode, ...rest] = modes;
  if (!mode) return fn(acc);
  return withLab(spec, lab => withLabs(rest, spec, fn, new Map([...acc, [mode, lab]])), { maxRuntimeMs: 15 * 60_000 });
}

/** NAT Lens's rules for one node, read back through the kernel like the real ones. */
async function predictedRules(model: ClusterModel, mode: ReferenceMode, nodeName: string): Promise<string> {
  if (mode === 'iptables') return canonicalIptables(toIptablesSave(generateIptables(model, { nodeName }), model.profile.ipFamily));
  const { script } = generateNftables(model, { nodeName });
  return withScratchNamespace(async run => {
    const load = await run('nft', ['-f', '-'], script);
    if (load.code !== 0) return `nft -f refused NAT Lens's script: ${load.stderr.trim()}\n`;
    return canonicalNft((await run('nft', ['-s', 'list', 'table', 'ip', 'kube-proxy'])).stdout);
  });
}

/** The node's whole ruleset, unordered and with counters, as an operator would capture it. */
async function dumpRules(lab: Lab, labNode: string, mode: ReferenceMode, dir: string): Promise<void> {
  const [cmd, args, ext] = mode === 'iptables' ? ['iptables-save', ['-c'], 'iptables'] as const : ['nft', ['list', 'ruleset'], 'nft'] as const;
  const r = await lab.run({ node: labNode }, cmd, [...args]);
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(' ')} on ${labNode}: ${r.stderr.trim()}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${labNode}.${ext}`), r.stdout);
}

async function realRules(lab: Lab, labNode: string, mode: ReferenceMode): Promise<string> {
  if (mode === 'iptables') return canonicalIptables((await lab.run({ node: labNode }, 'iptables-save', [])).stdout);
  const r = await lab.run({ node: labNode }, 'nft', ['-s', 'list', 'table', 'ip', 'kube-proxy']);
  return r.code === 0 ? canonicalNft(r.stdout) : `nft list table ip kube-proxy failed: ${r.stderr.trim()}\n`;
}

const endpointText = (e: EndpointInfo) => `${e.key} node=${e.nodeName ?? '-'} ready=${e.ready} serving=${e.serving} terminating=${e.terminating}${e.zoneHints.length ? ` zones=${e.zoneHints.join('|')}` : ''}${e.nodeHints.length ? ` nodes=${e.nodeHints.join('|')}` : ''}`;

/** Endpoint by endpoint, for every derived port: the controller's slices against NAT Lens's derivation. */
function compareSlices(model: ClusterModel, slices: Record<string, unknown>[]): string[] {
  const findings: string[] = [];
  for (const s of model.services) {
    const key = `${s.obj.namespace}/${s.obj.name}`;
    const own = slices.filter(sl => {
      const m = sl['metadata'] as { namespace?: string; labels?: Record<string, string> };
      return m.namespace === s.obj.namespace && m.labels?.['kubernetes.io/service-name'] === s.obj.name;
    }) as unknown as EndpointSlice[];
    for (const p of s.ports) {
      if (p.endpointOrigin !== 'derived' && !(p.endpointOrigin === 'none' && own.some(sl => (sl.endpoints ?? []).length > 0))) continue;
      const real = sortEndpoints(endpointsFromSlices(p.info, own, model.profile.ipFamily)).map(endpointText);
      const derived = p.endpoints.map(endpointText);
      if (real.join('\n') !== derived.join('\n')) {
        findings.push(`${key} port ${p.info.nameString}: controller [${real.join('; ')}], NAT Lens [${derived.join('; ')}]`);
      }
    }
  }
  return findings;
}

export class ReferenceHarness {
  private constructor(readonly built: Built, readonly cp: ControlPlane) {}

  /** `audit`: the API server's audit log (the snapshot tests). */
  static async start(built: Built, profile: ClusterProfile, audit: Pick<ControlPlaneOptions, 'auditLog'> = {}): Promise<ReferenceHarness> {
    return new ReferenceHarness(built, await ControlPlane.start(built.binary, { serviceCIDRs: profile.serviceCIDRs.slice(0, 1), nodePortRange: profile.nodePortRange, ...audit }));
  }

  async stop(): Promise<void> { await this.cp.stop(); }

  /**
   * Clears the previous input and applies this one; objects the API server refuses are left out of
   * the input and the rest applied again, so NAT Lens sees what the cluster has.
   */
  async apply(objects: readonly AnyManifestObject[], profile: ClusterProfile): Promise<{ input: readonly AnyManifestObject[]; model: ClusterModel; rejected: Rejections; slices: Record<string, unknown>[] }> {
    await clearInputs(this.cp);
    let input = objects;
    let model = buildClusterModel(input, profile);
    let applied = await applyModel(this.cp, model, input);
    if (applied.rejected.size > 0) {
      const refused = applied.rejected;
      input = objects.filter(o => !refused.has(objectKey(o.kind, o.namespace, o.name)) && !model.workloads.some(w => w.obj === o && w.pods.some(p => refused.has(objectKey('Pod', o.namespace, p.name)))));
      await clearInputs(this.cp);
      model = buildClusterModel(input, profile);
      const again = await applyModel(this.cp, model, input);
      applied = { ...again, rejected: new Map([...refused, ...again.rejected]) };
    }
    return { input, model, rejected: applied.rejected, slices: await settledSlices(this.cp, applied.controllerServices) };
  }

  /** kube-proxy on each node of a lab (the profile's other IPv4 addresses added to eth0), after its first sync. */
  async startProxies(lab: Lab, profile: ClusterProfile, mode: ReferenceMode, nodes: readonly string[]): Promise<NodeProxy[]> {
    const p = withProxyMode(profile, mode);
    const proxies: NodeProxy[] = [];
    try {
      for (const node of nodes) {
        for (const ip of p.nodes.find(n => n.name === node)!.ips.slice(1).filter(ip => /^\d+\.\d+\.\d+\.\d+$/.test(ip) && !ip.startsWith('127.'))) {
          await lab.run({ node }, 'ip', ['addr', 'add', `${ip}/32`, 'dev', 'eth0']);
        }
        proxies.push(NodeProxy.start(this.built.binary, this.cp, lab, node, node, p, mode));
      }
      await Promise.all(proxies.map(px => px.synced(profile.ipFamily)));
      if (mode === 'nftables') await Promise.all(proxies.map(px => this.withServiceCIDRs(lab, px, profile)));
      return proxies;
    } catch (e) {
      await Promise.all(proxies.map(px => px.stop()));
      throw e;
    }
  }

  /**
   * kube-proxy's nftables mode learns the ServiceCIDRs from an informer of their own whose update
   * does not sync (pkg/proxy/nftables proxier.go OnServiceCIDRsChanged); when they arrive after the
   * first sync, the "unallocated ClusterIPs" rule waits for the next full sync (FullSyncPeriod, an
   * hour). NAT Lens shows the steady state, so the harness brings that sync forward: a change of the
   * node's zone label, and back, makes kube-proxy resync in full (OnTopologyChange).
   */
  private async withServiceCIDRs(lab: Lab, proxy: NodeProxy, profile: ClusterProfile): Promise<void> {
    const chain = await lab.run({ node: proxy.node }, 'nft', ['list', 'chain', 'ip', 'kube-proxy', 'cluster-ips-check']);
    if (chain.code !== 0 || chain.stdout.includes('unallocated ClusterIPs')) return;
    const zoneLabel = 'topology.kubernetes.io/zone';
    const node = await this.cp.call<{ metadata: { labels?: Record<string, string> } }>('GET', `/api/v1/nodes/${proxy.node}`);
    const zone = node.metadata.labels?.[zoneLabel] ?? null;
    for (const value of ['natlens-reference-resync', zone]) {
      const before = Date.now() / 1000;
      await this.cp.call('PATCH', `/api/v1/nodes/${proxy.node}`, { metadata: { labels: { [zoneLabel]: value } } }, 'application/merge-patch+json');
      await proxy.synced(profile.ipFamily, 60_000, before);
    }
  }

  async runBatch(objects: readonly AnyManifestObject[], profileIn: ClusterProfile, opts: BatchOptions): Promise<BatchResult> {
    if (profileIn.ipFamily !== 'IPv4') throw new Error('the reference harness runs IPv4 clusters only (the kernel lab is IPv4)');
    const { profile, notes } = await environmentProfile(this.built, profileIn);
    const timings: Record<string, number> = {};
    const t0 = performance.now();
    const lap = (name: string) => { timings[name] = Math.round(performance.now() - t0); };
    const { input, model, rejected, slices } = await this.apply(objects, profile);
    lap('applied');
    const sliceFindings = compareSlices(model, slices);
    const nodes = opts.nodes ?? profile.nodes.map(n => n.name);
    const results: NodeResult[] = [];
    await withLabs(opts.modes, labSpec(profile, nodes), async labs => {
      lap('labs');
      const proxies: NodeProxy[] = [];
      try {
        // both modes' kube-proxies start at once: most of a start is waiting for informers
        const started = await Promise.allSettled([...labs].map(([mode, lab]) => this.startProxies(lab, profile, mode, nodes)));
        for (const s of started) if (s.status === 'fulfilled') proxies.push(...s.value);
        for (const s of started) if (s.status === 'rejected') throw s.reason;
        lap('synced');
        const models = new Map(opts.modes.map(mode => [mode, buildClusterModel(input, withProxyMode(profile, mode))]));
        // every node of every mode at once: each is a few short processes
        results.push(...await Promise.all([...labs].flatMap(([mode, lab]) => nodes.map(async (node): Promise<NodeResult> => {
          const [real, predicted] = await Promise.all([realRules(lab, node, mode), predictedRules(models.get(mode)!, mode, node)]);
          if (opts.dumpDir) await dumpRules(lab, node, mode, opts.dumpDir);
          return { node, mode, real, predicted, diff: unifiedDiff(real, predicted, `kube-proxy ${this.built.kubernetesVersion} ${mode} ${node}`, `natlens rules ${mode} ${node}`) };
        }))));
        lap('compared');
        if (opts.whileRunning) await opts.whileRunning({ labs, model: mode => models.get(mode)!, result: { nodes: results, sliceFindings, rejected, environment: notes, timings } });
      } finally {
        await Promise.all(proxies.map(px => px.stop()));
      }
    });
    return { nodes: results, sliceFindings, rejected, environment: notes, timings };
  }
}
