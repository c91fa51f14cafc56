// natlens debug: the commands to check a Service's prediction on a real node.
import { debugCommands, formatDebugText } from '../../engine/debug';
import { UsageError } from '../args';
import { CLUSTER, LANG, MODE, NODE, VERBOSE, loadModel, messagesOf, type Command } from '../command';

export const debug: Command = {
  name: 'debug',
  summary: "The commands to check a Service's prediction on a real node",
  description: `The commands to check a Service's prediction on a real node (iptables/nft/ipvsadm,
conntrack, tcpdump, kubectl), filled with its chain names, addresses and ports, each with
what to look for.`,
  options: [
    CLUSTER, MODE, NODE,
    { name: 'service', value: 'NS/NAME', help: 'only this Service (default: every Service in FILE...)' },
    { name: 'port', value: 'NAME|NUMBER', help: 'only this port of the Service (default: its first)' },
    LANG, VERBOSE,
  ],
  run(args, io) {
    const m = messagesOf(args, io);
    const loaded = loadModel(args, 'debug', io);
    if (!loaded) return 2;
    const fileNames = new Set(loaded.files.map(f => f.fileName));
    const wanted = args.flags.get('service') as string | undefined;
    const services = loaded.model.services.filter(s => fileNames.has(s.obj.fileName) && (!wanted || `${s.obj.namespace}/${s.obj.name}` === wanted));
    if (services.length === 0) throw new UsageError(wanted ? `debug: no Service ${wanted} in the files` : 'debug: no Service in the files');
    const port = args.flags.get('port') as string | undefined;
    for (const s of services) {
      const node = loaded.nodeName ?? loaded.model.profile.nodeName;
      const list = debugCommands(loaded.model, s, { nodeName: node, proxyMode: loaded.model.profile.proxyMode, messages: m, ...(port ? { port: /^\d+$/.test(port) ? Number(port) : port } : {}) });
      io.out(formatDebugText(list, { heading: m.debugHeading({ service: `${s.obj.namespace}/${s.obj.name}`, port: null, node, mode: loaded.model.profile.proxyMode }), messages: m }) + '\n');
    }
    return 0;
  },
};
