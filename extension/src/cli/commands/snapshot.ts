// natlens snapshot: reads the live cluster (get and list only, never a Secret) and writes its Services,
// EndpointSlices and Nodes as manifests plus a cluster profile that names where each setting came from.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { UsageError } from '../args';
import type { Command } from '../command';
import { KubeClient } from '../kube/client';
import { KubeconfigError, kubeconfigFiles, loadKubeconfig } from '../kube/kubeconfig';
import { takeSnapshot } from '../kube/take';
import { InputError } from '../load';

export const snapshot: Command = {
  name: 'snapshot',
  synopsis: ['natlens snapshot [--kubeconfig FILE] [--context NAME] [--namespace NS]... -o DIR'],
  summary: 'Write the live cluster\'s Services, EndpointSlices, Nodes and kube-proxy/CNI settings to DIR',
  description: `Read the live cluster (only get and list requests; Secrets are never read) and write to DIR:
  cluster.yaml          the cluster profile: nodes, addresses, pod CIDRs, kube-proxy's mode and flags,
                        the CNI; "sources" names where each setting was read, or "unknown, because ..."
  services.yaml, endpointslices.yaml, nodes.yaml   the objects as manifests
  .sources/             the ConfigMaps, DaemonSets and Pods the settings were read from
Then: natlens rules --cluster DIR/cluster.yaml DIR (and check, trace, explain the same way).
What RBAC does not allow is named on stderr and in the profile; the snapshot carries on without it.`,
  options: [
    { name: 'kubeconfig', value: 'FILE', help: 'the kubeconfig (default: $KUBECONFIG, else ~/.kube/config)' },
    { name: 'context', value: 'NAME', help: 'the kubeconfig context (default: its current-context)' },
    { name: 'namespace', value: 'NS', repeated: true, help: 'only Services and EndpointSlices of NS (repeatable; default: all namespaces)' },
    { name: 'output', short: 'o', value: 'DIR', required: true, help: 'the directory to write, also -o DIR (created when missing)' },
  ],
  async run(args, io) {
    if (args.positional.length > 0) throw new UsageError(`snapshot takes no FILE (got ${args.positional[0]})`);
    const dir = args.flags.get('output') as string;
    let snap;
    try {
      const config = loadKubeconfig(kubeconfigFiles(args.flags.get('kubeconfig') as string | undefined));
      snap = await takeSnapshot(new KubeClient(config.connection(args.flags.get('context') as string | undefined)), args.lists.get('namespace') ?? []);
    } catch (e) {
      if (e instanceof KubeconfigError) throw new InputError(e.message);
      throw e;
    }
    for (const line of snap.unreadable) io.err(`natlens: could not read ${line}\n`);
    for (const f of snap.files) {
      const path = join(dir, f.path);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, f.text);
    }
    const info = snap.profile['snapshot'] as { cluster: string; serverVersion: string; tookMs: number };
    const nodes = (snap.profile['nodes'] as unknown[] | undefined)?.length ?? 0;
    io.err(`natlens: snapshot of ${info.cluster} (Kubernetes ${info.serverVersion}, ${nodes} nodes) written to ${dir} in ${info.tookMs} ms\n`);
    return 0;
  },
};
