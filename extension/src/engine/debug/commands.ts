// Commands to check one Service's prediction on a real cluster: kubectl for what the API server
// stored, the node's own rules (iptables, nftables or IPVS) filled with THIS Service's chain names,
// conntrack and tcpdump for what actually got translated, and a throwaway pod for the view from
// inside. Every "look for" quotes what NAT Lens generated or walked for the same node.
import type { ManifestObject } from '../manifest/manifest';
import { localReadyEndpointCounts, type ClusterModel, type PortEntry, type ServiceEntry } from '../model/cluster';
import { dedupEndpoints, type EndpointInfo } from '../model/endpoints';
import { withProxyMode, type NodeProfile, type ProxyMode } from '../model/profile';
import { defaultService, externallyAccessible, type DefaultedService } from '../model/service';
import { backendFor } from '../proxy/backends';
import { serviceFacts, type EntryFact, type EntryVia } from '../facts/service';
import { entryOutcome, externalSummary, internalSummary, seenSources } from '../facts/render';
import { cmd, hostPort, shq } from './shell';
import type { DebugCommand, PortOnNode, ServiceOnNode } from './types';

export type { DebugCommand } from './types';

export interface DebugOptions {
  /** The node whose rules and conntrack table to inspect (default: the profile's nodeName). */
  readonly nodeName?: string | undefined;
  /** kube-proxy's mode on that node (default: the profile's proxyMode). */
  readonly proxyMode?: ProxyMode | undefined;
  /** Which port of the Service: its name or its port number (default: the first). */
  readonly port?: string | number | undefined;
  /** The cluster's DNS domain (default cluster.local). */
  readonly clusterDomain?: string | undefined;
  /** Image of the throwaway client pod (default busybox). */
  readonly probeImage?: string | undefined;
  /** Image of the ephemeral debug container (default nicolaka/netshoot: tcpdump and ss). */
  readonly debugImage?: string | undefined;
}

/** What the facts say a new connection gets: "DNAT to …; no SNAT, the pod sees …", "DROP (filter …)". */
const describe = (e: EntryFact | undefined) => (e ? entryOutcome(e) : 'not walked');
const masqueraded = (e: EntryFact) => e.endpoints.some(p => p.masquerade);

function resolveEntry(model: ClusterModel, service: ServiceEntry | ManifestObject<'Service'>): ServiceEntry {
  if ('ports' in service && 'obj' in service) return service;
  const obj = service as ManifestObject<'Service'>;
  const found = model.services.find(s => s.obj === obj) ?? model.services.find(s => s.obj.namespace === obj.namespace && s.obj.name === obj.name);
  if (!found) throw new Error(`Service ${obj.namespace}/${obj.name} is not in the model`);
  return found;
}

function selectorOf(d: DefaultedService): string | null {
  const entries = Object.entries(d.selector ?? {});
  return entries.length ? entries.map(([k, v]) => `${k}=${v}`).join(',') : null;
}

/** kubectl's PORT(S) column: port[:nodePort]/protocol, comma-separated. */
function portsColumn(d: DefaultedService): string {
  return d.ports.map(p => (p.nodePort ? `${p.port}:${p.nodePort}/${p.protocol}` : `${p.port}/${p.protocol}`)).join(',') || '<none>';
}

/** The ordered checks for one Service port on one node. */
export function debugCommands(model: ClusterModel, service: ServiceEntry | ManifestObject<'Service'>, options: DebugOptions = {}): DebugCommand[] {
  const entry = resolveEntry(model, service);
  const profile = model.profile;
  const svc = entry.service;
  const d = defaultService(svc);
  const ns = entry.obj.namespace, name = entry.obj.name, key = `${ns}/${name}`;
  const mode = options.proxyMode ?? profile.proxyMode;
  // the model as kube-proxy in that mode sees it (nftables listens on other node-port addresses by default)
  const modeModel: ClusterModel = mode === profile.proxyMode ? model : { ...model, profile: withProxyMode(profile, mode) };
  const backend = backendFor(mode);
  const nodeName = options.nodeName ?? profile.nodeName;
  const node: NodeProfile | undefined = profile.nodes.find(n => n.name === nodeName);
  const onNode = `node ${nodeName}`;
  const v6 = profile.ipFamily === 'IPv6';
  const domain = options.clusterDomain ?? 'cluster.local';
  const probeImage = options.probeImage ?? 'busybox';
  const debugImage = options.debugImage ?? 'nicolaka/netshoot';
  const out: DebugCommand[] = [];
  const add = (c: DebugCommand) => out.push(c);
  const serviceOnNode: ServiceOnNode = { model: modeModel, namespace: ns, name, nodeName, onNode, v6, add };
  /** kubectl run of the throwaway client, pinned to the node when `pin` (so its conntrack entries are there). */
  const runProbe = (image: string, pin: boolean, words: readonly string[]) => [
    cmd('kubectl', 'run', 'natlens-probe', '--rm', '-it', '--restart=Never', `--image=${image}`, '-n', ns),
    ...(pin && node ? [`--overrides=${shq(JSON.stringify({ apiVersion: 'v1', spec: { nodeName } }))}`] : []),
    cmd('--', ...words),
  ].join(' ');
  const kns = ['-n', ns];
  /** kubectl printing one field of the Service (`path` like {.spec.externalTrafficPolicy}). */
  const serviceField = (path: string) => `kubectl get svc ${shq(name)} -n ${shq(ns)} -o jsonpath=${shq(path)}`;
  /** The node shell every "node …" command below runs in. */
  const rootShell = (lookFor: string) => add({
    title: `A root shell on ${nodeName}`,
    command: cmd('kubectl', 'debug', `node/${nodeName}`, '-it', '--profile=sysadmin', `--image=${probeImage}`, '--', 'chroot', '/host'),
    runOn: 'workstation',
    lookFor,
  });
  const dnsAnswer = (lookFor: string) => add({
    title: 'What cluster DNS answers',
    command: runProbe(probeImage, false, ['nslookup', `${name}.${ns}.svc.${domain}`]),
    runOn: 'workstation',
    lookFor,
  });
  // allocations the API server would make (endpoints derived from workloads are covered below)
  const assumed = model.assumptions.filter(a => a.subject === key && a.field.startsWith('spec.'));
  const assumedText = assumed.length
    ? ` NAT Lens assumed ${assumed.map(a => `${a.field} ${a.value}`).join(', ')} (not in the manifest): where the cluster's real values differ, use them in the commands below.`
    : '';

  // ---- what the API server stored
  const externalIPColumn = d.type === 'ExternalName' ? svc.spec?.externalName ?? '<none>'
    : d.type === 'LoadBalancer'
      ? [...(svc.spec?.externalIPs ?? []), ...(svc.status?.loadBalancer?.ingress ?? []).map(i => i?.ip || i?.hostname || '').filter(Boolean)].join(',') || '<pending>'
      : (svc.spec?.externalIPs ?? []).join(',') || '<none>';
  const clusterIPColumn = d.type === 'ExternalName' ? '<none>' : d.headless ? 'None' : svc.spec?.clusterIP ?? '(allocated by the API server)';
  add({
    title: 'The Service as the API server stored it',
    command: cmd('kubectl', 'get', 'svc', name, ...kns, '-o', 'wide'),
    runOn: 'workstation',
    lookFor: `TYPE ${d.type}, CLUSTER-IP ${clusterIPColumn}, EXTERNAL-IP ${externalIPColumn}, PORT(S) ${portsColumn(d)}.${assumedText}`,
  });
  if (d.type === 'ExternalName') return externalNameCommands();
  const port: PortEntry | undefined = typeof options.port === 'number' ? entry.ports.find(p => p.info.port === options.port)
    : typeof options.port === 'string' ? entry.ports.find(p => p.info.portName === options.port) : entry.ports[0];
  // what the rules do with this port, for every way in: each prediction below is rendered from these facts
  const facts = port ? serviceFacts(entry, modeModel, entry.ports.indexOf(port)) : null;
  if (externallyAccessible(svc)) {
    add({
      title: 'The external traffic policy',
      command: serviceField('{.spec.externalTrafficPolicy}'),
      runOn: 'workstation',
      lookFor: facts ? externalSummary(facts, d.externalTrafficPolicy === 'Local' ? 'Local' : 'Cluster') : `${d.externalTrafficPolicy}.`,
    });
  } else if (!d.headless) {
    add({
      title: 'The internal traffic policy',
      command: serviceField('{.spec.internalTrafficPolicy}'),
      runOn: 'workstation',
      lookFor: `${facts ? internalSummary(facts, d.internalTrafficPolicy === 'Local') : `${d.internalTrafficPolicy}.`} (externalTrafficPolicy does not apply: the Service is not externally reachable.)`,
    });
  }
  const allEndpoints = port?.endpoints ?? entry.ports.flatMap(p => p.endpoints);
  // kube-proxy skips headless Services, so the model derives no endpoints for them: use the
  // selected workloads' pods, with the target port each would serve
  const p0 = d.ports[0];
  const headlessEps = !d.headless ? [] : entry.selectedWorkloads.flatMap(w => w.pods.filter(pod => pod.ip).map(pod => ({
    ip: pod.ip, nodeName: pod.nodeName,
    port: typeof p0?.targetPort === 'number' ? p0.targetPort : w.ports.find(c => c.name === p0?.targetPort)?.containerPort ?? p0?.port ?? 0,
  })));
  const readyIPs = d.headless ? headlessEps.map(e => e.ip) : [...new Set(allEndpoints.filter(e => e.ready).map(e => e.ip))];
  const derived = d.headless || allEndpoints.some(e => e.origin === 'derived');
  const portNumbers = d.headless ? [...new Set(headlessEps.map(e => e.port))] : [...new Set(allEndpoints.map(e => e.port))];
  add({
    title: 'The endpoints kube-proxy reads',
    command: cmd('kubectl', 'get', 'endpointslices', ...kns, '-l', `kubernetes.io/service-name=${name}`),
    runOn: 'workstation',
    lookFor: readyIPs.length
      ? `ENDPOINTS lists the ready pods (kubectl shows three, then "+ N more..."): ${derived ? `NAT Lens derived ${readyIPs.length} from the workloads in the workspace (${readyIPs.join(', ')}); the real pod IPs differ, compare the count and the PORTS column (${portNumbers.join(',')})` : readyIPs.join(', ')}.`
      : `No ready endpoints: ENDPOINTS is empty (<unset>)${d.headless ? ', so DNS has no records for the Service' : ', so kube-proxy rejects connections'}. Check the selector against the pods' labels and their readiness.`,
  });

  if (d.headless) return headlessCommands();
  if (!port) {
    add({
      title: 'No port to check',
      command: serviceField('{.spec.clusterIP} {.spec.ports}'),
      runOn: 'workstation',
      lookFor: options.port !== undefined && entry.ports.length
        ? `${key} has no port ${options.port}; its ports: ${entry.ports.map(p => p.info.portName || String(p.info.port)).join(', ')}.`
        : `kube-proxy programs nothing for ${key} in the model: ${svc.spec?.clusterIP ? 'it has no ports' : 'it has no ClusterIP (set one, or profile allocate: true)'}.`,
    });
    return out;
  }
  const sp = port.info;
  const proto = sp.protocol.toLowerCase();
  const nodeIP = node ? node.ips.find(ip => ip.includes(':') === v6) ?? node.ips[0] ?? null : null;
  const otherPorts = entry.ports.filter(p => p !== port).map(p => p.info.portName || String(p.info.port));

  // ---- what the facts say for this node: a pod's connection to the ClusterIP, an outside client's
  // through the node port, the first load-balancer IP and the first external IP
  const on = (client: EntryFact['client'], via: EntryVia, dst?: string) =>
    facts!.entries.find(e => e.client === client && e.via === via && e.node === nodeName && (dst === undefined || e.request.dst === dst));
  const podWalk = on('pod', 'clusterIP');
  const nodePortWalk = sp.nodePort && nodeIP ? on('external', 'nodePort') : undefined;
  const vip = sp.loadBalancerVIPs[0];
  const lbWalk = vip ? on('external', 'loadBalancer', vip) : undefined;
  const extIP = sp.externalIPs[0];
  const extWalk = extIP ? on('external', 'externalIP', extIP) : undefined;
  const at: PortOnNode = { model: modeModel, namespace: ns, name, nodeName, onNode, v6, port, nodeIP, add, has: command => out.some(c => c.command === command) };

  rootShell(`A shell in ${nodeName}'s namespaces with its root filesystem (or ssh to the node). Run the "${onNode}" commands below in it; they need root. ` +
    `--profile=sysadmin makes the debug pod privileged; conntrack and tcpdump must be installed on the node.${otherPorts.length ? ` These checks are for port ${sp.portName || sp.port}; the Service also has ${otherPorts.join(', ')} (--port).` : ''}`);

  // ---- kube-proxy's rules on the node, read with the mode's own tools
  backend.debug.portRules(at);

  // ---- capture first, then make a connection, then read conntrack
  const eps = dedupEndpoints(port.endpoints, nodeName).filter(e => e.ready);
  const ep: EndpointInfo | undefined = eps.find(e => e.nodeName === nodeName) ?? eps[0];
  if (ep) {
    const sources: string[] = [];
    const reached = (e: EntryFact) => e.endpoints.find(p => p.endpoint === ep.key);
    const seenText = (e: EntryFact, own: string) => {
      const p = reached(e);
      if (!p) return `not this endpoint (${describe(e)})`;
      return `${p.masquerade ? `${p.sourceSeen} (SNAT)` : `${own} (no SNAT)`}${p.replyBroken ? `, but the reply does not come back through ${e.node}` : ''}`;
    };
    if (podWalk?.verdict === 'DNAT') sources.push(`from a pod on ${nodeName} via the ClusterIP: ${seenText(podWalk, 'the client pod\'s own address')}`);
    for (const [label, e] of [[`NodePort ${sp.nodePort} on ${nodeName}`, nodePortWalk], [`the load balancer IP ${vip}`, lbWalk], [`the external IP ${extIP}`, extWalk]] as const) {
      if (e) sources.push(`from an outside client via ${label}: ${seenText(e, 'the client\'s own address')}`);
    }
    add({
      title: `Packets arriving at endpoint ${ep.key}`,
      command: cmd('tcpdump', '-n', '-i', 'any', 'host', ep.ip, 'and', 'port', String(ep.port)),
      runOn: ep.nodeName ? `node ${ep.nodeName}` : `the node running ${ep.ip}`,
      lookFor: `Start it before the probe below. Packets to ${ep.ip}.${ep.port} (after DNAT: the Service address never appears here); their source is what the application sees${sources.length ? ` — ${sources.join('; ')}` : ''}.` +
        `${derived ? ' The endpoint address is derived from the workspace; use a real pod IP from the EndpointSlice.' : ''}`,
    });
    const selector = selectorOf(d);
    const podRef = selector
      ? `"$(kubectl get pods -n ${shq(ns)} -l ${shq(selector)} -o name | head -n 1)"`
      : `"$(kubectl get pods -n ${shq(ns)} --field-selector ${shq(`status.podIP=${ep.ip}`)} -o name)"`;
    add({
      title: 'What an endpoint pod sees, from inside it',
      command: `kubectl debug -it -n ${shq(ns)} ${podRef} --image=${shq(debugImage)} --profile=netadmin -- ${cmd('tcpdump', '-n', '-i', 'any', 'port', String(ep.port))}`,
      runOn: 'workstation',
      lookFor: `An ephemeral container in the pod's network namespace (--profile=netadmin grants the capture capabilities). The source of each connection to port ${ep.port} is the client address the application logs${sources.length ? `: ${sources.join('; ')}` : ''}.`,
    });
  }

  const url = `http://${hostPort(sp.clusterIP, sp.port)}/`;
  const probeCmd = proto === 'tcp' ? ['wget', '-qO-', '-T', '5', url] : proto === 'udp' ? ['sh', '-c', `echo natlens | nc -u -w 3 ${sp.clusterIP} ${sp.port}`] : null;
  if (probeCmd) {
    add({
      title: `A throwaway client pod on ${nodeName} connecting to the ClusterIP`,
      command: runProbe(probeImage, true, probeCmd),
      runOn: 'workstation',
      lookFor: `${podWalk ? `NAT Lens predicts ${describe(podWalk)}. ` : ''}` +
        (podWalk?.verdict === 'REJECT' ? '"Connection refused" confirms it.' : podWalk?.verdict === 'DROP' ? '"download timed out" confirms it.' :
          `${proto === 'tcp' ? 'A response (or, on a port that does not speak HTTP, any error other than "Connection refused" or a timeout)' : 'No ICMP error'} means the connection reached an endpoint; "Connection refused" means REJECT (no endpoints), a timeout DROP. Run it a few times: conntrack below shows which endpoint each connection went to.`),
    });
  } else {
    add({
      title: 'A client for the SCTP port',
      command: runProbe(debugImage, true, ['sh']),
      runOn: 'workstation',
      lookFor: `busybox has no SCTP client: from this shell connect to ${hostPort(sp.clusterIP, sp.port)} with an SCTP-capable tool (e.g. ncat --sctp, if the image has it). ${podWalk ? `NAT Lens predicts ${describe(podWalk)}.` : ''}`,
    });
  }

  const ct = (dst: string, dport: number) => cmd('conntrack', '-L', ...(v6 ? ['-f', 'ipv6'] : []), '-d', dst, '-p', proto, '--dport', String(dport));
  add({
    title: `conntrack entries for ${hostPort(sp.clusterIP, sp.port)}`,
    command: ct(sp.clusterIP, sp.port),
    runOn: `${onNode} (the client's node: ClusterIP DNAT happens there)`,
    lookFor: podWalk?.verdict === 'REJECT' || podWalk?.verdict === 'DROP'
      ? `No entry: the first packet is ${podWalk.verdict === 'REJECT' ? 'rejected' : 'dropped'} before conntrack confirms the connection.`
      : `One line per connection: the original tuple src=<client> dst=${sp.clusterIP} dport=${sp.port}, then the reply tuple src=<endpoint> sport=<its port> dst=<where replies go>. ` +
        `${podWalk ? `NAT Lens predicts for a pod client: ${describe(podWalk)}, so the reply dst is the pod's own address. ` : ''}` +
        'A reply dst that is a node address means the connection was masqueraded (a host-network client, a pod reaching itself, or masqueradeAll).',
  });

  if (sp.nodePort && nodeIP) {
    const probe = proto === 'udp' ? cmd('nc', '-vzu', '-w', '3', nodeIP, String(sp.nodePort)) : cmd('nc', '-vz', '-w', '3', nodeIP, String(sp.nodePort));
    add({
      title: `NodePort ${sp.nodePort} on ${nodeName} from outside the cluster`,
      command: probe,
      runOn: 'outside the cluster',
      lookFor: `${nodePortWalk ? `For an outside client NAT Lens predicts ${describe(nodePortWalk)}. ` : ''}"succeeded"/"open" means an endpoint accepted; "refused" means REJECT (no endpoints); a timeout means DROP (externalTrafficPolicy Local and no endpoint on ${nodeName}) or a firewall in front of the node.`,
    });
    add({
      title: `conntrack entries for NodePort ${sp.nodePort}`,
      command: ct(nodeIP, sp.nodePort),
      runOn: onNode,
      lookFor: nodePortWalk?.verdict === 'DNAT'
        ? `Reply tuple src=<endpoint> and dst=${masqueraded(nodePortWalk) ? `the SNAT address (${seenSources(nodePortWalk)}): the connection was SNATed, the pod never sees the client` : 'the client\'s own address: no SNAT, the pod sees the client IP'} (predicted: ${describe(nodePortWalk)}).`
        : nodePortWalk ? `No entry: ${describe(nodePortWalk)}.`
          : `Reply tuple src=<endpoint> and dst=${d.externalTrafficPolicy === 'Local' ? 'the client\'s own address (externalTrafficPolicy Local: no SNAT)' : 'a node address (externalTrafficPolicy Cluster: SNATed)'}.`,
    });
  }
  if (vip) {
    add({
      title: `conntrack entries for the load balancer IP ${vip}`,
      command: ct(vip, sp.port),
      runOn: `${onNode} (when the load balancer delivers to it with the destination kept)`,
      lookFor: `${lbWalk ? `Predicted: ${describe(lbWalk)}. ` : ''}${sp.loadBalancerSourceRanges.length ? `Only sources in ${sp.loadBalancerSourceRanges.join(', ')} get an entry; others are dropped by ${facts!.chains!.sourceRangesDrop} before DNAT. ` : ''}A load balancer that forwards to the NodePort shows up under the NodePort instead.`,
    });
  } else if (d.type === 'LoadBalancer') {
    add({
      title: 'The load balancer\'s address',
      command: serviceField('{.status.loadBalancer.ingress}'),
      runOn: 'workstation',
      lookFor: 'status.loadBalancer.ingress is empty in the manifest, so NAT Lens has no VIP rules to predict. Once provisioned: an ip (VIP mode, captured by kube-proxy on every node) or a hostname/ipMode Proxy (not captured: traffic arrives at the NodePort).',
    });
  }
  if (extIP) {
    add({
      title: `conntrack entries for the external IP ${extIP}`,
      command: ct(extIP, sp.port),
      runOn: `${onNode} (if ${extIP} is routed to it)`,
      lookFor: `${extWalk ? `Predicted: ${describe(extWalk)}. ` : ''}Routing ${extIP} to a node is up to the network; kube-proxy only captures what arrives.`,
    });
  }
  if (sp.healthCheckNodePort && nodeIP) {
    const perNode = profile.nodes.map(n => {
      const c = localReadyEndpointCounts(model, n.name).get(key) ?? 0;
      return `${n.name}: ${c > 0 ? `200, "localEndpoints": ${c}` : '503, "localEndpoints": 0'}`;
    });
    add({
      title: `kube-proxy's health check for ${key}`,
      command: cmd('curl', '-sS', '-i', `http://${hostPort(nodeIP, sp.healthCheckNodePort)}/`),
      runOn: 'outside the cluster (or any node)',
      lookFor: `HTTP 200 on nodes with a ready local endpoint, 503 elsewhere; the JSON body names the Service and counts "localEndpoints". Predicted: ${perNode.join('; ')}. A load balancer that honours it skips the nodes without a local endpoint.`,
    });
  }
  if (ep) {
    add({
      title: 'Established connections, from inside an endpoint pod',
      command: `kubectl debug -it -n ${shq(ns)} ${selectorOf(d) ? `"$(kubectl get pods -n ${shq(ns)} -l ${shq(selectorOf(d)!)} -o name | head -n 1)"` : `"$(kubectl get pods -n ${shq(ns)} --field-selector ${shq(`status.podIP=${ep.ip}`)} -o name)"`} --image=${shq(debugImage)} -- ${proto === 'udp' ? cmd('ss', '-un') : cmd('ss', '-tn', 'state', 'established', `( sport = :${ep.port} )`)}`,
      runOn: 'workstation',
      lookFor: `The Peer Address:Port column: client pod addresses for in-cluster ClusterIP clients; a node address for connections that were masqueraded${nodePortWalk && masqueraded(nodePortWalk) ? ` (e.g. ${seenSources(nodePortWalk)} for NodePort traffic through ${nodeName})` : ''}.`,
    });
  }
  return out;

  function externalNameCommands(): DebugCommand[] {
    const target = svc.spec?.externalName ?? '';
    add({
      title: 'The name this Service aliases',
      command: serviceField('{.spec.externalName}'),
      runOn: 'workstation',
      lookFor: `${target || '(empty: the Service is invalid)'}. An ExternalName Service is only a DNS CNAME: no ClusterIP, no endpoints, no kube-proxy rules, no NAT.`,
    });
    rootShell(`A shell in ${nodeName}'s namespaces (or ssh to the node) for the node command below.`);
    backend.debug.nothingProgrammed(serviceOnNode, 'kube-proxy skips ExternalName Services, so there is nothing of this Service in its rules. What to check instead is DNS, and the egress NAT of the pod\'s connection to whatever the name resolves to.');
    dnsAnswer(`"canonical name = ${target}", then the addresses ${target} resolves to. Clients connect to those directly: no DNAT. Whether the destination sees the pod's IP or the node's is the CNI's egress decision (IPPool natOutgoing, ip-masq-agent, ... see docs/egress.md).`);
    const p = d.ports[0];
    if (p) {
      add({
        title: 'The pod\'s outgoing connection in conntrack',
        command: cmd('conntrack', '-L', ...(v6 ? ['-f', 'ipv6'] : []), '-p', p.protocol.toLowerCase(), '--dport', String(p.port)),
        runOn: `${onNode} (where the client pod runs)`,
        lookFor: `Entries towards ${target}'s addresses: a reply dst equal to the pod's IP means no egress SNAT; a node address means the CNI masqueraded the connection, and replies must return through ${nodeName}.`,
      });
    }
    return out;
  }

  function headlessCommands(): DebugCommand[] {
    const p = p0;
    const eps = headlessEps;
    rootShell(`A shell in ${nodeName}'s namespaces (or ssh to the node) for the node commands below.`);
    backend.debug.nothingProgrammed(serviceOnNode, 'kube-proxy skips headless Services (clusterIP: None): no DNAT, no SNAT. Check DNS and the pods themselves instead.');
    dnsAnswer(`One A record per ready pod${eps.length ? ` (${eps.length}: ${eps.map(e => e.ip).join(', ')}, derived from the workloads in the workspace: compare the count)` : ': no workload in the workspace matches the selector, so NAT Lens expects none'}; clients connect to a pod address directly.`);
    const ep = eps.find(e => e.nodeName === nodeName) ?? eps[0];
    const target = ep?.port ?? (typeof p?.targetPort === 'number' ? p.targetPort : p?.port);
    if (ep && target) {
      const probe = p?.protocol === 'UDP' ? ['sh', '-c', `echo natlens | nc -u -w 3 ${ep.ip} ${target}`] : ['wget', '-qO-', '-T', '5', `http://${hostPort(ep.ip, target)}/`];
      add({
        title: `A throwaway client pod on ${nodeName} connecting to ${hostPort(ep.ip, target)}`,
        command: runProbe(probeImage, true, probe),
        runOn: 'workstation',
        lookFor: 'The pod answers itself: the address is the pod\'s, not a Service address, so no kube-proxy rule is involved.',
      });
      add({
        title: `conntrack entries for ${hostPort(ep.ip, target)}`,
        command: cmd('conntrack', '-L', ...(v6 ? ['-f', 'ipv6'] : []), '-d', ep.ip, '-p', (p?.protocol ?? 'TCP').toLowerCase(), '--dport', String(target)),
        runOn: `${onNode} (the client's node)`,
        lookFor: `The reply tuple mirrors the original: src=${ep.ip} sport=${target} dst=<the probe pod's IP>, so neither DNAT nor SNAT happened.`,
      });
      add({
        title: `Packets arriving at ${ep.ip}`,
        command: cmd('tcpdump', '-n', '-i', 'any', 'host', ep.ip, 'and', 'port', String(target)),
        runOn: ep.nodeName ? `node ${ep.nodeName}` : `the node running ${ep.ip}`,
        lookFor: 'The client pod\'s own address as the source: pods reach each other without NAT.',
      });
    }
    return out;
  }
}
