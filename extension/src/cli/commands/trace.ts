// natlens trace: a connection's first packet walked through the generated rules, node by node.
import { egressDeciderFor } from '../../engine/egress';
import { Walker, type ReturningClient, type TraceRequest, type WalkResult } from '../../engine/walk/walk';
import { entryChoices } from '../../engine/walk/choices';
import type { ClusterModel } from '../../engine/model/cluster';
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
    const walker = new Walker(loaded.model, new Map(), loaded.model.profile.proxyMode, egressDeciderFor(loaded.files, loaded.model.profile));
    let request: TraceRequest;
    try {
      request = requestFromAddresses(walker.network, {
        src: String(args.flags.get('src')), dst: String(args.flags.get('dst')), dport: Number(args.flags.get('dport')), proto,
        ...(loaded.nodeName ? { node: loaded.nodeName } : {}),
      });
    } catch (e) {
      // --src, --dst or --node name nothing the input knows: a fact about the command line
      if (e instanceof WalkError) throw new InputError(`trace: ${e.message}`);
      throw e;
    }
    let result: WalkResult, again: ReturningClient[] | null;
    try {
      result = walker.trace(request);
      again = args.flags.has('again') ? walker.returning(request) : null;
    } catch (e) {
      // the input was accepted, so a walk that fails is NAT Lens's own error: exit 3, one line, at the Service
      const message = (e instanceof Error ? e.message : String(e)).split('\n')[0];
      throw new Error(`${locate(loaded.model, request)}the walk stopped: ${message}`);
    }
    if (args.flags.has('json')) {
      const next = again?.map(r => ({ after: r.first.endpoint, probability: r.first.probability, next: r.again }));
      io.out(JSON.stringify(next ? { ...result, again: next } : result, null, 2) + '\n');
    } else {
      io.out(formatWalk(result, m) + (again ? formatReturning(again, m) : ''));
    }
    return 0;
  },
};

/** "file:line:col: Service ns/name: " of the Service the packet is addressed to, if one is. */
function locate(model: ClusterModel, request: TraceRequest): string {
  for (const s of model.services) {
    for (let i = 0; i < s.ports.length; i++) {
      if (!entryChoices(model, s, i).some(e => e.id !== 'egress' && e.dst === request.dst && e.dport === request.dport)) continue;
      const at = s.obj.range.start;
      return `${s.obj.fileName}:${at.line + 1}:${at.character + 1}: Service ${s.obj.namespace}/${s.obj.name}: `;
    }
  }
  return 'trace: ';
}
