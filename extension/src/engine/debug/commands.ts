// Commands to check one Service's prediction on a real cluster: kubectl for what the API server
// stored, the node's own rules (iptables, nftables or IPVS) filled with THIS Service's chain names,
// conntrack and tcpdump for what actually got translated, and a throwaway pod for the view from
// inside. Every "look for" quotes what NAT Lens generated or walked for the same node.
import type { ManifestObject } from '../manifest/manifest';
import { localReadyEndpointCounts, type ClusterModel, type PortEntry, type ServiceEntry } from '../model/cluster';
import { dedupEndpoints, type EndpointInfo } from '../model/endpoints';
import type { NodeProfile, ProxyMode } from '../model/profile';
import { defaultService, externallyAccessible, type DefaultedService } from '../model/service';
import { generateIptables, type PayloadLine } from '../proxy/iptables/generator';
import { serviceChains } from '../proxy/iptables/names';
import { generateNftables, type NftablesRuleset } from '../proxy/nftables/generator';
import { nftEndpointNames, nftServiceChains } from '../proxy/nftables/names';
import { EXTERNAL_CLIENT_IP, spareNodePodIP } from '../walk/choices';
import { Walker, type TraceRequest, type WalkResult } from '../walk/walk';
import { cmd, hostPort, iptablesPrintedProbability, shq } from './shell';
import { percent } from '../facts/vocabulary';

export interface DebugCommand {
  readonly title: string;
  /** One shell command line (POSIX sh quoting). */
  readonly command: string;
  /** What the output should show if NAT Lens's prediction holds. */
  readonly lookFor: string;
  /** Where to run it: "workstation" (kubectl), "node <name>" (a root shell there), "outside the cluster". */
  readonly runOn: string;
  /** Output lines NAT Lens predicts (its generated rules), when it has them. */
  readonly expected?: readonly string[] | undefined;
}

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

const MAX_GREP_ENDPOINTS = 8;


/** Whether the walk SNATed the connection (in any branch): the mark, or a MASQUERADE seen executing. */
function masqueraded(r: WalkResult): boolean {
  return r.masquerade || r.outcomes.some(o => o.masqueraded || o.snatAddress !== null);
}

/** "DNAT to a (node-a) 50%, b (node-b) 50%; no SNAT" from a walk. */
function describeWalk(r: WalkResult | null): string {
  if (!r) return 'not walked';
  if (r.verdict === 'REJECT') return 'REJECT ("connection refused": no endpoints)';
  if (r.verdict === 'DROP') return 'DROP (the client times out)';
  if (r.verdict !== 'DNAT') return 'no Service rule matches';
  const eps = r.endpoints.map(e => `${e.endpoint}${e.node ? ` (${e.node})` : ''}${r.endpoints.length > 1 ? ` ${percent(e.probability)}` : ''}`).join(', ');
  return `DNAT to ${eps}; ${masqueraded(r) ? `SNAT to ${snatText(r)}` : 'no SNAT'}`;
}

/** The SNAT address, or per endpoint when MASQUERADE picks different ones (a local pod's gateway, the node address). */
function snatText(r: WalkResult): string {
  if (r.snatAddress) return r.snatAddress;
  if (r.sourceSeenByPod && typeof r.sourceSeenByPod === 'object') return Object.entries(r.sourceSeenByPod).map(([ep, ip]) => `${ip} towards ${ep}`).join(', ');
  return typeof r.sourceSeenByPod === 'string' ? r.sourceSeenByPod : 'a node address';
}

function seenAt(r: WalkResult | null, endpointKey: string): string | null {
  if (!r || r.sourceSeenByPod === null) return null;
  if (typeof r.sourceSeenByPod === 'string') return r.endpoints.some(e => e.endpoint === endpointKey) ? r.sourceSeenByPod : null;
  return r.sourceSeenByPod[endpointKey] ?? null;
}

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
  const nodeName = options.nodeName ?? profile.nodeName;
  const node: NodeProfile | undefined = profile.nodes.find(n => n.name === nodeName);
  const onNode = `node ${nodeName}`;
  const v6 = profile.ipFamily === 'IPv6';
  const domain = options.clusterDomain ?? 'cluster.local';
  const probeImage = options.probeImage ?? 'busybox';
  const debugImage = options.debugImage ?? 'nicolaka/netshoot';
  const out: DebugCommand[] = [];
  const add = (c: DebugCommand) => out.push(c);
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
  if (externallyAccessible(svc)) {
    add({
      title: 'The external traffic policy',
      command: serviceField('{.spec.externalTrafficPolicy}'),
      runOn: 'workstation',
      lookFor: d.externalTrafficPolicy === 'Local'
        ? `Local: external connections go only to endpoints on the node they enter and keep the client IP; ${mode === 'ipvs'
          ? 'in IPVS mode a node without one sends them to another node\'s endpoint unmasqueraded, and the reply does not come back through it.'
          : 'nodes without one drop them.'}`
        : 'Cluster: external connections go to any endpoint and are SNATed to the receiving node\'s address.',
    });
  } else if (!d.headless) {
    add({
      title: 'The internal traffic policy',
      command: serviceField('{.spec.internalTrafficPolicy}'),
      runOn: 'workstation',
      lookFor: d.internalTrafficPolicy === 'Local'
        ? `Local: the ClusterIP reaches only endpoints on the client's own node; on a node without one the connection is ${mode === 'ipvs' ? 'refused (the virtual server has no real server)' : 'dropped'}.`
        : 'Cluster: the ClusterIP reaches every ready endpoint. (externalTrafficPolicy does not apply: the Service is not externally reachable.)',
    });
  }
  const port: PortEntry | undefined = typeof options.port === 'number' ? entry.ports.find(p => p.info.port === options.port)
    : typeof options.port === 'string' ? entry.ports.find(p => p.info.portName === options.port) : entry.ports[0];
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

  // ---- walks (what NAT Lens predicts for this node), through this mode's rules when the walk models
  // them; else through the iptables rules, which the nftables back end translates the same way
  let walker: Walker | null = null;
  let walkedAs: ProxyMode | null = null;
  for (const m of mode === 'ipvs' ? [] : [mode, 'iptables'] as const) {
    try { walker = new Walker(model, new Map(), m); walkedAs = m; break; } catch { walker = null; }
  }
  const trace = (req: TraceRequest): WalkResult | null => { try { return walker ? walker.trace(req) : null; } catch { return null; } };
  const podIP = walker && node ? spareNodePodIP(walker.network, node.name) : null;
  const podWalk = podIP ? trace({ source: { kind: 'pod', ip: podIP, node: nodeName }, dst: sp.clusterIP, dport: sp.port, proto: proto as 'tcp' }) : null;
  const nodePortWalk = sp.nodePort && nodeIP ? trace({ source: { kind: 'external', ip: EXTERNAL_CLIENT_IP }, entryNode: nodeName, dst: nodeIP, dport: sp.nodePort, proto: proto as 'tcp' }) : null;
  const vip = sp.loadBalancerVIPs[0];
  const lbWalk = vip ? trace({ source: { kind: 'external', ip: EXTERNAL_CLIENT_IP }, entryNode: nodeName, dst: vip, dport: sp.port, proto: proto as 'tcp' }) : null;
  const extIP = sp.externalIPs[0];
  const extWalk = extIP ? trace({ source: { kind: 'external', ip: EXTERNAL_CLIENT_IP }, entryNode: nodeName, dst: extIP, dport: sp.port, proto: proto as 'tcp' }) : null;
  const predicted = walkedAs !== null && walkedAs !== mode ? ` (walked through the ${walkedAs} rules; ${mode} mode translates the same way)` : '';

  rootShell(`A shell in ${nodeName}'s namespaces with its root filesystem (or ssh to the node). Run the "${onNode}" commands below in it; they need root. ` +
    `--profile=sysadmin makes the debug pod privileged; conntrack and tcpdump must be installed on the node.${otherPorts.length ? ` These checks are for port ${sp.portName || sp.port}; the Service also has ${otherPorts.join(', ')} (--port).` : ''}`);

  // ---- kube-proxy's rules on the node
  if (mode === 'iptables') iptablesCommands();
  else if (mode === 'nftables') nftablesCommands(generateNftables(model, { nodeName }));
  else ipvsCommands();

  // ---- capture first, then make a connection, then read conntrack
  const eps = dedupEndpoints(port.endpoints, nodeName).filter(e => e.ready);
  const ep: EndpointInfo | undefined = eps.find(e => e.nodeName === nodeName) ?? eps[0];
  if (ep) {
    const sources: string[] = [];
    const fromPod = podWalk && podWalk.verdict === 'DNAT' ? seenAt(podWalk, ep.key) : null;
    if (podWalk?.verdict === 'DNAT') {
      sources.push(fromPod === null ? `from a pod on ${nodeName} via the ClusterIP: not this endpoint (${describeWalk(podWalk)})`
        : masqueraded(podWalk) ? `from a pod via the ClusterIP: ${fromPod} (masqueraded)` : 'from a pod via the ClusterIP: the client pod\'s own address (no SNAT)');
    }
    for (const [label, r] of [[`NodePort ${sp.nodePort} on ${nodeName}`, nodePortWalk], [`the load balancer IP ${vip}`, lbWalk], [`the external IP ${extIP}`, extWalk]] as const) {
      if (!r) continue;
      const seen = seenAt(r, ep.key);
      sources.push(seen === null ? `from an outside client via ${label}: not this endpoint (${describeWalk(r)})` : `from an outside client via ${label}: ${seen === EXTERNAL_CLIENT_IP ? 'the client\'s own address (no SNAT)' : `${seen} (SNAT)`}`);
    }
    add({
      title: `Packets arriving at endpoint ${ep.key}`,
      command: cmd('tcpdump', '-n', '-i', 'any', 'host', ep.ip, 'and', 'port', String(ep.port)),
      runOn: ep.nodeName ? `node ${ep.nodeName}` : `the node running ${ep.ip}`,
      lookFor: `Start it before the probe below. Packets to ${ep.ip}.${ep.port} (after DNAT: the Service address never appears here); their source is what the application sees${sources.length ? `${predicted} — ${sources.join('; ')}` : ''}.` +
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
      lookFor: `${podWalk ? `NAT Lens predicts ${describeWalk(podWalk)}${predicted}. ` : ''}` +
        (podWalk?.verdict === 'REJECT' ? '"Connection refused" confirms it.' : podWalk?.verdict === 'DROP' ? '"download timed out" confirms it.' :
          `${proto === 'tcp' ? 'A response (or, on a port that does not speak HTTP, any error other than "Connection refused" or a timeout)' : 'No ICMP error'} means the connection reached an endpoint; "Connection refused" means REJECT (no endpoints), a timeout DROP. Run it a few times: conntrack below shows which endpoint each connection went to.`),
    });
  } else {
    add({
      title: 'A client for the SCTP port',
      command: runProbe(debugImage, true, ['sh']),
      runOn: 'workstation',
      lookFor: `busybox has no SCTP client: from this shell connect to ${hostPort(sp.clusterIP, sp.port)} with an SCTP-capable tool (e.g. ncat --sctp, if the image has it). ${podWalk ? `NAT Lens predicts ${describeWalk(podWalk)}.` : ''}`,
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
        `${podWalk ? `NAT Lens predicts for a pod client: ${describeWalk(podWalk)}${predicted}, so the reply dst is the pod's own address. ` : ''}` +
        'A reply dst that is a node address means the connection was masqueraded (a host-network client, a pod reaching itself, or masqueradeAll).',
  });

  if (sp.nodePort && nodeIP) {
    const probe = proto === 'udp' ? cmd('nc', '-vzu', '-w', '3', nodeIP, String(sp.nodePort)) : cmd('nc', '-vz', '-w', '3', nodeIP, String(sp.nodePort));
    add({
      title: `NodePort ${sp.nodePort} on ${nodeName} from outside the cluster`,
      command: probe,
      runOn: 'outside the cluster',
      lookFor: `${nodePortWalk ? `For an outside client NAT Lens predicts ${describeWalk(nodePortWalk)}${predicted}. ` : ''}"succeeded"/"open" means an endpoint accepted; "refused" means REJECT (no endpoints); a timeout means DROP (externalTrafficPolicy Local and no endpoint on ${nodeName}) or a firewall in front of the node.`,
    });
    add({
      title: `conntrack entries for NodePort ${sp.nodePort}`,
      command: ct(nodeIP, sp.nodePort),
      runOn: onNode,
      lookFor: nodePortWalk?.verdict === 'DNAT'
        ? `Reply tuple src=<endpoint> and dst=${masqueraded(nodePortWalk) ? `the SNAT address (${snatText(nodePortWalk)}): the connection was SNATed, the pod never sees the client` : 'the client\'s own address: no SNAT, the pod sees the client IP'} (predicted${predicted}: ${describeWalk(nodePortWalk)}).`
        : nodePortWalk ? `No entry: ${describeWalk(nodePortWalk)}.`
          : `Reply tuple src=<endpoint> and dst=${d.externalTrafficPolicy === 'Local' ? 'the client\'s own address (externalTrafficPolicy Local: no SNAT)' : 'a node address (externalTrafficPolicy Cluster: SNATed)'}.`,
    });
  }
  if (vip) {
    add({
      title: `conntrack entries for the load balancer IP ${vip}`,
      command: ct(vip, sp.port),
      runOn: `${onNode} (when the load balancer delivers to it with the destination kept)`,
      lookFor: `${lbWalk ? `Predicted${predicted}: ${describeWalk(lbWalk)}. ` : ''}${sp.loadBalancerSourceRanges.length ? `Only sources in ${sp.loadBalancerSourceRanges.join(', ')} get an entry; others are dropped by KUBE-PROXY-FIREWALL before DNAT. ` : ''}A load balancer that forwards to the NodePort shows up under the NodePort instead.`,
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
      lookFor: `${extWalk ? `Predicted${predicted}: ${describeWalk(extWalk)}. ` : ''}Routing ${extIP} to a node is up to the network; kube-proxy only captures what arrives.`,
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
      lookFor: `HTTP 200 on nodes with a ready local endpoint, 503 elsewhere; the JSON body names the Service and counts "localEndpoints". Predicted: ${perNode.join('; ')}. The load balancer uses this to skip nodes that would drop.`,
    });
  }
  if (ep) {
    add({
      title: 'Established connections, from inside an endpoint pod',
      command: `kubectl debug -it -n ${shq(ns)} ${selectorOf(d) ? `"$(kubectl get pods -n ${shq(ns)} -l ${shq(selectorOf(d)!)} -o name | head -n 1)"` : `"$(kubectl get pods -n ${shq(ns)} --field-selector ${shq(`status.podIP=${ep.ip}`)} -o name)"`} --image=${shq(debugImage)} -- ${proto === 'udp' ? cmd('ss', '-un') : cmd('ss', '-tn', 'state', 'established', `( sport = :${ep.port} )`)}`,
      runOn: 'workstation',
      lookFor: `The Peer Address:Port column: client pod addresses for in-cluster ClusterIP clients; a node address for connections that were masqueraded${nodePortWalk && masqueraded(nodePortWalk) ? ` (e.g. ${snatText(nodePortWalk)} for NodePort traffic through ${nodeName})` : ''}.`,
    });
  }
  return out;

  // ------------------------------------------------------------------------------------------
  function iptablesCommands(): void {
    const ruleset = generateIptables(model, { nodeName });
    const ipt = v6 ? 'ip6tables' : 'iptables';
    const mine = ruleset.lines.filter(l => l.service === sp.nameString);
    const chains = serviceChains(sp);
    const declared = new Set(mine.filter(l => l.text.startsWith(':')).map(l => l.chain));
    const rulesOf = (chain: string) => mine.filter(l => l.chain === chain && l.text.startsWith('-A '));
    const internal = sp.internalPolicyLocal ? chains.svl : chains.svc;
    for (const chain of [internal, chains.ext, chains.fw, ...(internal === chains.svc ? [chains.svl] : [chains.svc])]) {
      if (!declared.has(chain) || out.some(c => c.command.includes(` ${chain} `))) continue;
      const rules = rulesOf(chain);
      add({
        title: `${ipt} chain ${chain} (${chainRole(chain, chains)})`,
        command: cmd(ipt, '-t', 'nat', '-L', chain, '-n', '-v'),
        runOn: onNode,
        lookFor: `${describeChain(rules, chain === chains.fw)} The pkts column counts new connections only: nat rules see the first packet of each connection, conntrack translates the rest.`,
        expected: rules.map(l => l.text),
      });
    }
    if (!declared.has(internal)) {
      add({
        title: `No ${internal} on ${nodeName}`,
        command: cmd(ipt, '-t', 'nat', '-L', internal, '-n'),
        runOn: onNode,
        lookFor: `"No chain/target/match by that name": kube-proxy writes ${internal} only when ${nodeName} has endpoints to send the ClusterIP to${sp.internalPolicyLocal ? ' (internalTrafficPolicy Local: endpoints on this node)' : ''}.`,
      });
    }
    const hash = chains.svc.slice('KUBE-SVC-'.length);
    const seps = [...new Set(mine.filter(l => l.chain?.startsWith('KUBE-SEP-') && l.text.startsWith(':')).map(l => l.chain!))];
    const patterns = [hash, ...seps.slice(0, MAX_GREP_ENDPOINTS)];
    const natExpected = ruleset.lines.filter(l => l.table === 'nat' && patterns.some(p => l.text.includes(p))).map(l => l.text);
    add({
      title: `Every nat rule of ${sp.nameString} in one listing`,
      command: `${cmd(`${ipt}-save`, '-t', 'nat')} | ${cmd('grep', ...patterns.flatMap(p => ['-e', p]))}`,
      runOn: onNode,
      lookFor: natExpected.length === 0
        ? `No output: ${nodeName} has no endpoint it could send ${sp.nameString} to, so kube-proxy writes no nat rule for it there; the filter rules below reject or drop its connections.`
        : `${natExpected.length} lines, as NAT Lens generated them for ${nodeName}${seps.length > MAX_GREP_ENDPOINTS ? ` (endpoint chains after the first ${MAX_GREP_ENDPOINTS} left out of the pattern)` : ''}. ` +
        `iptables-save prints them normalised: single addresses get /32, -p moves first, and probabilities come back as the kernel stored them (${[...new Set(natExpected.flatMap(t => [...t.matchAll(/--probability ([0-9.]+)/g)].map(m => `${m[1]} → ${iptablesPrintedProbability(m[1]!)}`)))].join(', ') || 'none here'}).`,
      expected: natExpected,
    });
    const filterLines = ruleset.lines.filter(l => l.table === 'filter' && l.service === sp.nameString).map(l => l.text);
    if (filterLines.length) {
      add({
        title: `filter rules for ${sp.nameString}`,
        command: `${cmd(`${ipt}-save`, '-t', 'filter')} | ${cmd('grep', '-F', `"${sp.nameString} `)}`,
        runOn: onNode,
        lookFor: [
          filterLines.some(t => t.includes('-j REJECT')) ? 'REJECT "has no endpoints": there is no endpoint anywhere, clients get "connection refused".' : '',
          filterLines.some(t => t.includes('has no local endpoints')) ? `DROP "has no local endpoints": ${nodeName} has no endpoint for the Local policy, so those connections time out here.` : '',
          filterLines.some(t => t.includes('health check node port')) ? `ACCEPT for the health check node port ${sp.healthCheckNodePort}, whether or not ${nodeName} has a local endpoint.` : '',
          filterLines.some(t => t.includes('traffic not accepted by')) ? 'DROP in KUBE-PROXY-FIREWALL for load balancer traffic from sources outside loadBalancerSourceRanges.' : '',
        ].filter(Boolean).join(' '),
        expected: filterLines,
      });
    }
  }

  function chainRole(chain: string, chains: ReturnType<typeof serviceChains>): string {
    return chain === chains.svc ? 'all endpoints, Cluster policy' : chain === chains.svl ? 'endpoints on this node, Local policy'
      : chain === chains.ext ? 'NodePort, load balancer and external IP traffic' : 'loadBalancerSourceRanges';
  }

  function describeChain(rules: readonly PayloadLine[], firewall: boolean): string {
    const parts: string[] = [];
    for (const l of rules) {
      const t = l.text;
      const target = / -j (\S+)/.exec(t)?.[1];
      if (!target) {
        parts.push('anything else falls through (no target), and filter KUBE-PROXY-FIREWALL drops it');
      } else if (firewall) {
        parts.push(`sources in ${/ -s (\S+)/.exec(t)?.[1] ?? '?'} → ${target}`);
      } else if (target === 'KUBE-MARK-MASQ') {
        const src = / (! )?-s (\S+)/.exec(t);
        parts.push(t.includes('--src-type LOCAL') ? 'KUBE-MARK-MASQ for node-local sources' : src ? `KUBE-MARK-MASQ for sources ${src[1] ? 'outside' : 'in'} ${src[2]}` : 'KUBE-MARK-MASQ for every connection (all of them are SNATed)');
      } else if (target.startsWith('KUBE-SEP-')) {
        const prob = /--probability ([0-9.]+)/.exec(t)?.[1];
        const affinity = t.includes('--rcheck') ? 'recent --rcheck (session affinity) → ' : '';
        parts.push(`${affinity}${target} → ${l.endpoint ?? '?'}${prob ? ` with probability ${iptablesPrintedProbability(prob)} (written as ${prob})` : affinity ? '' : ' for the rest'}`);
      } else if (/-s \S+/.test(t) && !t.includes('KUBE-MARK-MASQ')) {
        parts.push(`${/ -s (\S+)/.exec(t)![1]} → ${target} (pods skip the Local policy)`);
      } else if (t.includes('--src-type LOCAL')) {
        parts.push(`node-local sources → ${target}`);
      } else {
        parts.push(`→ ${target}`);
      }
    }
    return parts.length ? `In order: ${parts.join('; ')}.` : 'An empty chain.';
  }

  function nftablesCommands(rs: NftablesRuleset): void {
    const fam = rs.family;
    const chains = nftServiceChains(sp);
    const chainCmd = (chain: string, title: string, what: string) => {
      const c = rs.table.chains.get(chain);
      if (!c) return;
      const rules = c.rules.map(r => `${r.rule}${r.comment ? ` comment "${r.comment}"` : ''}`);
      add({
        title, command: cmd('nft', 'list', 'chain', fam, 'kube-proxy', chain), runOn: onNode,
        lookFor: `${what} kube-proxy's nftables rules carry no counters: use conntrack below to see which endpoint a connection took.`,
        expected: rules,
      });
    };
    const internal = sp.internalPolicyLocal ? chains.local : chains.cluster;
    chainCmd(internal, `nft chain ${internal}`, rs.table.chains.get(internal)?.rules.some(r => r.rule.includes('numgen'))
      ? `The masquerade rule for non-pod sources, then "numgen random mod N vmap" over the endpoint chains (each 1/N).`
      : 'The endpoint dispatch.');
    chainCmd(chains.external, `nft chain ${chains.external}`, sp.externalPolicyLocal ? 'Pods and node-local sources short-circuit to the cluster chain; the rest goes to the local chain without masquerade.' : '"jump mark-for-masquerade" first: every external connection is SNATed, then the cluster chain.');
    chainCmd(chains.firewall, `nft chain ${chains.firewall}`, `Drops sources outside ${sp.loadBalancerSourceRanges.join(', ')}.`);
    const ready = dedupEndpoints(port!.endpoints, nodeName).filter(e => e.ready);
    const first = ready.find(e => e.nodeName === nodeName) ?? ready[0];
    if (first) chainCmd(nftEndpointNames(sp, first.key).chain, `nft endpoint chain for ${first.key}`, `Masquerade when the source is the endpoint itself (hairpin), then "dnat to ${first.key}".`);
    for (const map of ['service-ips', 'service-nodeports', 'no-endpoint-services', 'no-endpoint-nodeports', 'firewall-ips']) {
      const elements = (rs.table.maps.get(map)?.elements ?? []).filter(e => e.service === sp.nameString);
      if (!elements.length) continue;
      add({
        title: `nft map ${map}`,
        command: cmd('nft', 'list', 'map', fam, 'kube-proxy', map),
        runOn: onNode,
        lookFor: `Among the elements, ${sp.nameString}'s: ${elements.map(e => `${e.key.join(' . ')} : ${(e.value ?? []).join(' ')}`).join('; ')}.`,
        expected: elements.map(e => `${e.key.join(' . ')} : ${(e.value ?? []).join(' ')}`),
      });
    }
  }

  function ipvsCommands(): void {
    const flag = proto === 'udp' ? '-u' : proto === 'sctp' ? '--sctp-service' : '-t';
    const eps = dedupEndpoints(port!.endpoints, nodeName).filter(e => e.ready && (!sp.internalPolicyLocal || e.nodeName === nodeName));
    add({
      title: `IPVS virtual server ${hostPort(sp.clusterIP, sp.port)}`,
      command: cmd('ipvsadm', '-Ln', flag, hostPort(sp.clusterIP, sp.port)),
      runOn: onNode,
      lookFor: `One virtual server (scheduler rr unless ipvs.scheduler says otherwise) with one real server per endpoint, forward method Masq, weight 1: ${eps.map(e => e.key).join(', ') || 'none (no real servers: connections are refused)'}. NAT Lens does not generate IPVS rules; this is inferred from kube-proxy's IPVS mode.`,
    });
    if (sp.nodePort && nodeIP) {
      add({
        title: `IPVS virtual server for NodePort ${sp.nodePort}`,
        command: cmd('ipvsadm', '-Ln', flag, hostPort(nodeIP, sp.nodePort)),
        runOn: onNode,
        lookFor: `The same real servers${sp.externalPolicyLocal ? ' restricted to this node\'s endpoints (externalTrafficPolicy Local)' : ''}. IPVS only load-balances: kube-proxy's iptables rules (matching its NodePort ipsets) mark the connection for masquerade unless the policy is Local.`,
      });
    }
  }

  function noRulesCommand(why: string): void {
    add(mode === 'nftables'
      ? {
        title: 'Nothing in kube-proxy\'s table',
        command: `${cmd('nft', 'list', 'table', v6 ? 'ip6' : 'ip', 'kube-proxy')} | ${cmd('grep', '-F', '-e', `-${ns}/${name}/`)}`,
        runOn: onNode,
        lookFor: `No output: ${why}`,
      }
      : {
        title: 'Nothing in kube-proxy\'s rules',
        command: `${cmd(v6 ? 'ip6tables-save' : 'iptables-save')} | ${cmd('grep', '-F', '-e', `"${key}:`, '-e', `"${key} `, '-e', `"${key}"`)}`,
        runOn: onNode,
        lookFor: `No output: ${why}`,
      });
  }

  function externalNameCommands(): DebugCommand[] {
    const target = svc.spec?.externalName ?? '';
    add({
      title: 'The name this Service aliases',
      command: serviceField('{.spec.externalName}'),
      runOn: 'workstation',
      lookFor: `${target || '(empty: the Service is invalid)'}. An ExternalName Service is only a DNS CNAME: no ClusterIP, no endpoints, no kube-proxy rules, no NAT.`,
    });
    rootShell(`A shell in ${nodeName}'s namespaces (or ssh to the node) for the node command below.`);
    noRulesCommand('kube-proxy skips ExternalName Services, so there is nothing of this Service in its rules. What to check instead is DNS, and the egress NAT of the pod\'s connection to whatever the name resolves to.');
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
    noRulesCommand('kube-proxy skips headless Services (clusterIP: None): no DNAT, no SNAT. Check DNS and the pods themselves instead.');
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
