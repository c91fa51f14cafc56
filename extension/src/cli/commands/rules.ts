// natlens rules: the rules kube-proxy would program on a node, in each back end's own text forms.
import { generateIptables } from '../../engine/proxy/iptables/generator';
import { toIptablesSave } from '../../engine/proxy/iptables/save';
import { generateNftables } from '../../engine/proxy/nftables/generator';
import { generateIpvs } from '../../engine/proxy/ipvs';
import type { ProxyMode } from '../../engine/model/profile';
import { UsageError } from '../args';
import { CLUSTER, MODE, NODE, VERBOSE, loadModel, type Command } from '../command';

const FORMATS: Record<ProxyMode, readonly string[]> = { iptables: ['restore', 'save'], nftables: ['dump', 'script'], ipvs: ['all', 'ipvsadm', 'ipset', 'iptables'] };

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
  options: [CLUSTER, MODE, { name: 'format', value: 'FORMAT', help: 'the output form, per mode (above)' }, NODE, VERBOSE],
  run(args, io) {
    const loaded = loadModel(args, 'rules', io);
    if (!loaded) return 2;
    const { model } = loaded;
    const mode = model.profile.proxyMode;
    const format = (args.flags.get('format') as string | undefined) ?? FORMATS[mode][0];
    if (format !== undefined && !FORMATS[mode].includes(format)) throw new UsageError(`--format for ${mode} mode is ${FORMATS[mode].join(' or ') || 'not selectable'}`);
    const nodeName = loaded.nodeName ?? model.profile.nodeName;
    if (mode === 'iptables') {
      const ruleset = generateIptables(model, { nodeName });
      io.out(format === 'save' ? toIptablesSave(ruleset, model.profile.ipFamily) : ruleset.payload);
    } else if (mode === 'nftables') {
      const ruleset = generateNftables(model, { nodeName });
      io.out(format === 'script' ? ruleset.script : ruleset.ruleset);
    } else {
      const ipvs = generateIpvs(model, { nodeName });
      const parts: Record<string, string> = {
        ipvsadm: ipvs.ipvsadm, ipset: ipvs.ipsetSave, iptables: ipvs.iptables.payload,
      };
      io.out(format === 'all'
        ? `# ipvsadm -Ln\n${parts['ipvsadm']}\n# ipset save\n${parts['ipset']}\n# iptables-restore payload\n${parts['iptables']}`
        : parts[format]!);
    }
    return 0;
  },
};
