// natlens trace: a connection's first packet walked through the generated rules, node by node.
import { egressDeciderFor } from '../../engine/egress';
import { Walker } from '../../engine/walk/walk';
import { WalkError } from '../../engine/walk/netfilter';
import { requestFromAddresses } from '../../engine/walk/request';
import { formatReturning, formatWalk } from '../../engine/walk/format';
import { UsageError } from '../args';
import { CLUSTER, LANG, MODE, NODE, VERBOSE, loadModel, messagesOf, type Command } from '../command';
import { InputError } from '../load';

export const trace: Command = {
  name: 'trace',
  summary: "Walk a connection's first packet through those rules, node by node",
  description: `Walk a connection's first packet through those rules, node by node: every endpoint it
can reach and how likely, whether it is masqueraded, the source the pod sees, the reply.
The source decides where the walk starts: a node's address (host network), a pod
address or name (web-0 or namespace/web-0: its node), or anything else (an external
client entering --node, or the node that owns the destination address).`,
  options: [
    CLUSTER, MODE,
    { name: 'src', value: 'IP|POD', required: true, help: 'the client: an address, or a pod by name (web-0 or namespace/web-0)' },
    { name: 'dst', value: 'IP', required: true, help: 'the destination address' },
    { name: 'dport', value: 'PORT', required: true, help: 'the destination port' },
    { name: 'proto', value: 'tcp|udp|sctp', help: 'the protocol (default tcp)' },
    NODE,
    { name: 'again', help: "also walk the client's next connection, with what the first left in the session-affinity lists" },
    { name: 'json', help: 'the result as JSON (verdict, endpoints, masquerade, sourceSeenByPod, hops, ...)' },
    LANG, VERBOSE,
  ],
  run(args, io) {
    const m = messagesOf(args, io);
    const proto = (args.flags.get('proto') ?? 'tcp') as string;
    if (proto !== 'tcp' && proto !== 'udp' && proto !== 'sctp') throw new UsageError('--proto is tcp, udp or sctp');
    const loaded = loadModel(args, 'trace', io);
    if (!loaded) return 2;
    try {
      const walker = new Walker(loaded.model, new Map(), loaded.model.profile.proxyMode, egressDeciderFor(loaded.files, loaded.model.profile));
      const request = requestFromAddresses(walker.network, {
        src: String(args.flags.get('src')), dst: String(args.flags.get('dst')), dport: Number(args.flags.get('dport')), proto,
        ...(loaded.nodeName ? { node: loaded.nodeName } : {}),
      });
      const result = walker.trace(request);
      const again = args.flags.has('again') ? walker.returning(request) : null;
      if (args.flags.has('json')) {
        const next = again?.map(r => ({ after: r.first.endpoint, probability: r.first.probability, next: r.again }));
        io.out(JSON.stringify(next ? { ...result, again: next } : result, null, 2) + '\n');
      } else {
        io.out(formatWalk(result, m) + (again ? formatReturning(again, m) : ''));
      }
      return 0;
    } catch (e) {
      // the walk could not follow the packet: a fact about the input, not a mistake in the command line
      if (e instanceof WalkError) throw new InputError(`trace: the walk stopped: ${e.message}`);
      throw e;
    }
  },
};
