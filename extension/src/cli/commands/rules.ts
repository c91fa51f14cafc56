// natlens rules: the rules kube-proxy would program on a node, in each back end's own text forms.
import { backendFor } from '../../engine/proxy/backends';
import { skippedSentence } from '../../engine/facts/skipped';
import { podNetworkParagraph } from '../../engine/facts/podNetwork';
import { UsageError } from '../args';
import { CLUSTER, LANG, MODE, NODE, VERBOSE, loadModel, messagesOf, type Command } from '../command';

export const rules: Command = {
  name: 'rules',
  summary: 'Print the rules kube-proxy would program on a node for the Services in FILE...',
  description: `Print the rules kube-proxy would program on a node for the Services in FILE...
  iptables --format restore (default): the iptables-restore payload kube-proxy writes
  iptables --format save: the same rules as iptables-save prints them back from the kernel
  nftables --format dump (default): kube-proxy's table, object by object, as its tests print it
  nftables --format script: the same table as an nft -f file
  ipvs --format all (default) | ipvsadm | ipset | iptables: ipvsadm -Ln, ipset save, and the
  iptables rules IPVS mode still writes`,
  options: [CLUSTER, MODE, { name: 'format', value: 'FORMAT', help: 'the output form, per mode (above)' }, NODE, LANG, VERBOSE],
  run(args, io) {
    const loaded = loadModel(args, 'rules', io);
    if (!loaded) return 2;
    const { model } = loaded;
    const backend = backendFor(model.profile.proxyMode);
    const format = (args.flags.get('format') as string | undefined) ?? backend.formats[0];
    if (!backend.formats.includes(format)) throw new UsageError(`--format for ${backend.mode} mode is ${backend.formats.join(' or ')}`);
    // a Service kube-proxy skips has no line in the rules: say why, beside them
    const m = messagesOf(args, io);
    for (const s of model.services) if (s.skipped) io.err(`note: ${s.obj.namespace}/${s.obj.name}: ${skippedSentence(s.skipped, m)}\n`);
    // the rules are kube-proxy's whatever the CNI; which address their MASQUERADE gives is the pod network's
    if (model.podNetwork) io.err(`note: ${podNetworkParagraph(model.podNetwork, m)}\n`);
    io.out(backend.rulesText(model, loaded.nodeName ?? model.profile.nodeName, format).text);
    return 0;
  },
};
