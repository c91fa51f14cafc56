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
import { english, type Messages } from '../i18n';
import type { RunOn } from '../i18n/debug.en';

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
  /** The language of titles and look-fors (default English). */
  readonly messages?: Messages | undefined;
}

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
  const v6 = profile.ipFamily === 'IPv6';
  const domain = options.clusterDomain ?? 'cluster.local';
  const probeImage = options.probeImage ?? 'busybox';
  const debugImage = options.debugImage ?? 'nicolaka/netshoot';
  const m = options.messages ?? english;
  /** What the facts say a new connection gets: "DNAT to …; no SNAT, the pod sees …", "DROP (filter …)". */
  const describe = (e: EntryFact | undefined) => (e ? entryOutcome(e, false, m) : m.debugNotWalked());
  /** Where a command runs, as the command's `where` and its words. */
  const run = (r: RunOn) => ({ where: r.where === 'node-running' ? 'node' as const : r.where, runOn: m.debugRunOn(r) });
  const nodeRun = run({ where: 'node', node: nodeName });
  const workstation = run({ where: 'workstation' });
  const out: DebugCommand[] = [];
  const add = (c: DebugCommand) => out.push(c);
  const serviceOnNode: ServiceOnNode = { model: modeModel, namespace: ns, name, nodeName, onNode: nodeRun, v6, m, add };
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
    title: m.debugRootShellTitle({ node: nodeName }),
    command: cmd('kubectl', 'debug', `node/${nodeName}`, '-it', '--profile=sysadmin', `--image=${probeImage}`, '--', 'chroot', '/host'),
    ...workstation,
    lookFor,
  });
  const dnsAnswer = (lookFor: string) => add({
    title: m.debugDnsTitle(),
    command: runProbe(probeImage, false, ['nslookup', `${name}.${ns}.svc.${domain}`]),
    ...workstation,
    lookFor,
  });
  // allocations the API server would make (endpoints derived from workloads are covered below)
  const assumed = model.assumptions.filter(a => a.subject === key && a.field.startsWith('spec.'));

  // ---- what the API server stored
  const externalIPColumn = d.type === 'ExternalName' ? svc.spec?.externalName ?? '<none>'
    : d.type === 'LoadBalancer'
      ? [...(svc.spec?.externalIPs ?? []), ...(svc.status?.loadBalancer?.ingress ?? []).map(i => i?.ip || i?.hostname || '').filter(Boolean)].join(',') || '<pending>'
      : (svc.spec?.externalIPs ?? []).join(',') || '<none>';
  const clusterIPColumn = d.type === 'ExternalName' ? '<none>' : d.headless ? 'None' : svc.spec?.clusterIP ?? m.debugAllocated();
  add({
    title: m.debugStoredTitle(),
    command: cmd('kubectl', 'get', 'svc', name, ...kns, '-o', 'wide'),
    ...workstation,
    lookFor: m.debugStoredLookFor({ type: d.type, clusterIP: clusterIPColumn, externalIP: externalIPColumn, ports: portsColumn(d), assumed: assumed.map(a => `${a.field} ${a.value}`) }),
  });
  if (d.type === 'ExternalName') return externalNameCommands();
  const port: PortEntry | undefined = typeof options.port === 'number' ? entry.ports.find(p => p.info.port === options.port)
    : typeof options.port === 'string' ? entry.ports.find(p => p.info.portName === options.port) : entry.ports[0];
  // what the rules do with this port, for every way in: each prediction below is rendered from these facts
  const facts = port ? serviceFacts(entry, modeModel, entry.ports.indexOf(port)) : null;
  if (externallyAccessible(svc)) {
    add({
      title: m.debugEtpTitle(),
      command: serviceField('{.spec.externalTrafficPolicy}'),
      ...workstation,
      lookFor: facts ? externalSummary(facts, d.externalTrafficPolicy === 'Local' ? 'Local' : 'Cluster', m) : `${d.externalTrafficPolicy}.`,
    });
  } else if (!d.headless) {
    add({
      title: m.debugItpTitle(),
      command: serviceField('{.spec.internalTrafficPolicy}'),
      ...workstation,
      lookFor: m.debugItpLookFor({ summary: facts ? internalSummary(facts, d.internalTrafficPolicy === 'Local', m) : `${d.internalTrafficPolicy}.` }),
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
    title: m.debugEndpointsTitle(),
    command: cmd('kubectl', 'get', 'endpointslices', ...kns, '-l', `kubernetes.io/service-name=${name}`),
    ...workstation,
    lookFor: readyIPs.length ? m.debugEndpointsReady({ ready: readyIPs, derived, ports: portNumbers }) : m.debugEndpointsNone({ headless: d.headless }),
  });

  if (d.headless) return headlessCommands();
  if (!port) {
    add({
      title: m.debugNoPortTitle(),
      command: serviceField('{.spec.clusterIP} {.spec.ports}'),
      ...workstation,
      lookFor: options.port !== undefined && entry.ports.length
        ? m.debugNoSuchPort({ service: key, port: String(options.port), ports: entry.ports.map(p => p.info.portName || String(p.info.port)) })
        : m.debugNothingProgrammed({ service: key, clusterIP: !!svc.spec?.clusterIP }),
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
  const at: PortOnNode = { ...serviceOnNode, port, nodeIP, has: command => out.some(c => c.command === command) };

  rootShell(m.debugRootShell({ node: nodeName, runOn: nodeRun.runOn, port: sp.portName || String(sp.port), others: otherPorts }));

  // ---- kube-proxy's rules on the node, read with the mode's own tools
  backend.debug.portRules(at);

  // ---- capture first, then make a connection, then read conntrack
  const eps = dedupEndpoints(port.endpoints, nodeName).filter(e => e.ready);
  const ep: EndpointInfo | undefined = eps.find(e => e.nodeName === nodeName) ?? eps[0];
  if (ep) {
    const sources: string[] = [];
    const reached = (e: EntryFact) => e.endpoints.find(p => p.endpoint === ep.key);
    const seenText = (e: EntryFact, pod: boolean) => {
      const p = reached(e);
      if (!p) return m.debugSeenOther({ outcome: describe(e) });
      return `${p.masquerade ? m.debugSeenSnat({ seen: p.sourceSeen ?? '' }) : m.debugSeenOwn({ pod })}${p.replyBroken ? m.debugSeenReplyLost({ node: e.node }) : ''}`;
    };
    if (podWalk?.verdict === 'DNAT') sources.push(m.debugFromPod({ node: nodeName, seen: seenText(podWalk, true) }));
    const outside = [
      [nodePortWalk, () => m.debugViaNodePort({ port: sp.nodePort, node: nodeName })],
      [lbWalk, () => m.debugViaLoadBalancer({ address: vip ?? '' })],
      [extWalk, () => m.debugViaExternalIP({ address: extIP ?? '' })],
    ] as const;
    for (const [e, via] of outside) if (e) sources.push(m.debugFromOutside({ via: via(), seen: seenText(e, false) }));
    add({
      title: m.debugTcpdumpTitle({ endpoint: ep.key }),
      command: cmd('tcpdump', '-n', '-i', 'any', 'host', ep.ip, 'and', 'port', String(ep.port)),
      ...(ep.nodeName ? run({ where: 'node', node: ep.nodeName }) : run({ where: 'node-running', ip: ep.ip })),
      lookFor: m.debugTcpdump({ ip: ep.ip, port: ep.port, sources, derived }),
    });
    const selector = selectorOf(d);
    const podRef = selector
      ? `"$(kubectl get pods -n ${shq(ns)} -l ${shq(selector)} -o name | head -n 1)"`
      : `"$(kubectl get pods -n ${shq(ns)} --field-selector ${shq(`status.podIP=${ep.ip}`)} -o name)"`;
    add({
      title: m.debugPodViewTitle(),
      command: `kubectl debug -it -n ${shq(ns)} ${podRef} --image=${shq(debugImage)} --profile=netadmin -- ${cmd('tcpdump', '-n', '-i', 'any', 'port', String(ep.port))}`,
      ...workstation,
      lookFor: m.debugPodView({ port: ep.port, sources }),
    });
  }

  const url = `http://${hostPort(sp.clusterIP, sp.port)}/`;
  const probeCmd = proto === 'tcp' ? ['wget', '-qO-', '-T', '5', url] : proto === 'udp' ? ['sh', '-c', `echo natlens | nc -u -w 3 ${sp.clusterIP} ${sp.port}`] : null;
  if (probeCmd) {
    add({
      title: m.debugProbeTitle({ node: nodeName }),
      command: runProbe(probeImage, true, probeCmd),
      ...workstation,
      lookFor: `${podWalk ? m.debugPredicts({ outcome: describe(podWalk) }) : ''}` +
        (podWalk?.verdict === 'REJECT' ? m.debugProbeRefused() : podWalk?.verdict === 'DROP' ? m.debugProbeTimeout() : m.debugProbeReached({ tcp: proto === 'tcp' })),
    });
  } else {
    add({
      title: m.debugSctpTitle(),
      command: runProbe(debugImage, true, ['sh']),
      ...workstation,
      lookFor: m.debugSctp({ address: hostPort(sp.clusterIP, sp.port), predicted: podWalk ? describe(podWalk) : null }),
    });
  }

  const ct = (dst: string, dport: number) => cmd('conntrack', '-L', ...(v6 ? ['-f', 'ipv6'] : []), '-d', dst, '-p', proto, '--dport', String(dport));
  add({
    title: m.debugConntrackTitle({ address: hostPort(sp.clusterIP, sp.port) }),
    command: ct(sp.clusterIP, sp.port),
    ...run({ where: 'node', node: nodeName, because: 'client-dnat' }),
    lookFor: podWalk?.verdict === 'REJECT' || podWalk?.verdict === 'DROP'
      ? m.debugConntrackBlocked({ verdict: podWalk.verdict })
      : m.debugConntrack({ clusterIP: sp.clusterIP, port: sp.port, predicted: podWalk ? describe(podWalk) : null }),
  });

  if (sp.nodePort && nodeIP) {
    const probe = proto === 'udp' ? cmd('nc', '-vzu', '-w', '3', nodeIP, String(sp.nodePort)) : cmd('nc', '-vz', '-w', '3', nodeIP, String(sp.nodePort));
    add({
      title: m.debugNodePortTitle({ port: sp.nodePort, node: nodeName }),
      command: probe,
      ...run({ where: 'outside' }),
      lookFor: m.debugNodePort({ predicted: nodePortWalk ? describe(nodePortWalk) : null, node: nodeName }),
    });
    add({
      title: m.debugConntrackNodePortTitle({ port: sp.nodePort }),
      command: ct(nodeIP, sp.nodePort),
      ...nodeRun,
      lookFor: nodePortWalk?.verdict === 'DNAT'
        ? m.debugConntrackNodePortDnat({ snat: masqueraded(nodePortWalk) ? seenSources(nodePortWalk, m) : null, predicted: describe(nodePortWalk) })
        : nodePortWalk ? m.debugConntrackNone({ outcome: describe(nodePortWalk) })
          : m.debugConntrackNodePortPolicy({ local: d.externalTrafficPolicy === 'Local' }),
    });
  }
  if (vip) {
    add({
      title: m.debugConntrackLbTitle({ address: vip }),
      command: ct(vip, sp.port),
      ...run({ where: 'node', node: nodeName, because: 'load-balancer' }),
      lookFor: `${lbWalk ? m.debugPredicted({ outcome: describe(lbWalk) }) : ''}${m.debugConntrackLb({ ranges: sp.loadBalancerSourceRanges, chain: facts?.chains?.sourceRangesDrop ?? null })}`,
    });
  } else if (d.type === 'LoadBalancer') {
    add({
      title: m.debugLbAddressTitle(),
      command: serviceField('{.status.loadBalancer.ingress}'),
      ...workstation,
      lookFor: m.debugLbAddress(),
    });
  }
  if (extIP) {
    add({
      title: m.debugConntrackExternalTitle({ address: extIP }),
      command: ct(extIP, sp.port),
      ...run({ where: 'node', node: nodeName, because: 'routed', address: extIP }),
      lookFor: `${extWalk ? m.debugPredicted({ outcome: describe(extWalk) }) : ''}${m.debugConntrackExternal({ address: extIP })}`,
    });
  }
  if (sp.healthCheckNodePort && nodeIP) {
    const perNode = profile.nodes.map(n => m.debugHealthNode({ node: n.name, n: localReadyEndpointCounts(model, n.name).get(key) ?? 0 }));
    add({
      title: m.debugHealthTitle({ service: key }),
      command: cmd('curl', '-sS', '-i', `http://${hostPort(nodeIP, sp.healthCheckNodePort)}/`),
      ...run({ where: 'outside', orAnyNode: true }),
      lookFor: m.debugHealth({ nodes: perNode }),
    });
  }
  if (ep) {
    add({
      title: m.debugEstablishedTitle(),
      command: `kubectl debug -it -n ${shq(ns)} ${selectorOf(d) ? `"$(kubectl get pods -n ${shq(ns)} -l ${shq(selectorOf(d)!)} -o name | head -n 1)"` : `"$(kubectl get pods -n ${shq(ns)} --field-selector ${shq(`status.podIP=${ep.ip}`)} -o name)"`} --image=${shq(debugImage)} -- ${proto === 'udp' ? cmd('ss', '-un') : cmd('ss', '-tn', 'state', 'established', `( sport = :${ep.port} )`)}`,
      ...workstation,
      lookFor: m.debugEstablished({ example: nodePortWalk && masqueraded(nodePortWalk) ? { seen: seenSources(nodePortWalk, m), node: nodeName } : null }),
    });
  }
  return out;

  function externalNameCommands(): DebugCommand[] {
    const target = svc.spec?.externalName ?? '';
    add({
      title: m.debugAliasTitle(),
      command: serviceField('{.spec.externalName}'),
      ...workstation,
      lookFor: m.debugAlias({ target }),
    });
    rootShell(m.debugRootShellOther({ node: nodeName, several: false }));
    backend.debug.nothingProgrammed(serviceOnNode, m.debugWhyExternalName());
    dnsAnswer(m.debugDnsAlias({ target }));
    const p = d.ports[0];
    if (p) {
      add({
        title: m.debugEgressTitle(),
        command: cmd('conntrack', '-L', ...(v6 ? ['-f', 'ipv6'] : []), '-p', p.protocol.toLowerCase(), '--dport', String(p.port)),
        ...run({ where: 'node', node: nodeName, because: 'client-pod' }),
        lookFor: m.debugEgress({ target, node: nodeName }),
      });
    }
    return out;
  }

  function headlessCommands(): DebugCommand[] {
    const p = p0;
    const eps = headlessEps;
    rootShell(m.debugRootShellOther({ node: nodeName, several: true }));
    backend.debug.nothingProgrammed(serviceOnNode, m.debugWhyHeadless());
    dnsAnswer(m.debugDnsHeadless({ ips: eps.map(e => e.ip) }));
    const ep = eps.find(e => e.nodeName === nodeName) ?? eps[0];
    const target = ep?.port ?? (typeof p?.targetPort === 'number' ? p.targetPort : p?.port);
    if (ep && target) {
      const probe = p?.protocol === 'UDP' ? ['sh', '-c', `echo natlens | nc -u -w 3 ${ep.ip} ${target}`] : ['wget', '-qO-', '-T', '5', `http://${hostPort(ep.ip, target)}/`];
      add({
        title: m.debugHeadlessProbeTitle({ node: nodeName, address: hostPort(ep.ip, target) }),
        command: runProbe(probeImage, true, probe),
        ...workstation,
        lookFor: m.debugHeadlessProbe(),
      });
      add({
        title: m.debugConntrackTitle({ address: hostPort(ep.ip, target) }),
        command: cmd('conntrack', '-L', ...(v6 ? ['-f', 'ipv6'] : []), '-d', ep.ip, '-p', (p?.protocol ?? 'TCP').toLowerCase(), '--dport', String(target)),
        ...run({ where: 'node', node: nodeName, because: 'client' }),
        lookFor: m.debugHeadlessConntrack({ ip: ep.ip, port: target }),
      });
      add({
        title: m.debugHeadlessTcpdumpTitle({ ip: ep.ip }),
        command: cmd('tcpdump', '-n', '-i', 'any', 'host', ep.ip, 'and', 'port', String(target)),
        ...(ep.nodeName ? run({ where: 'node', node: ep.nodeName }) : run({ where: 'node-running', ip: ep.ip })),
        lookFor: m.debugHeadlessTcpdump(),
      });
    }
    return out;
  }
}
