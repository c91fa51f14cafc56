// Die deutschen Texte: so, wie ein Kubernetes-Engineer sie schreiben würde, nicht Wort für Wort
// übersetzt. "Service", "Endpoint", "Node", "Pod" bleiben, wie sie im Deutschen benutzt werden.
import type { Messages } from './en';
import { percentNumber } from './vocabulary';

export const de: Messages = {
  // gemeinsames Vokabular: Dezimalkomma, Leerzeichen vor dem Prozentzeichen (DIN 5008)
  percent: (p) => `${percentNumber(p, ',')}\u00a0%`,

  lensHeadless: () => 'headless: kein NAT durch kube-proxy, Clients erreichen die Pods direkt',
  lensNoRules: () => 'keine kube-proxy-Regeln',
  lensText: ({ parts }) => `NAT: ${parts.join(' · ')}`,
  lensReadyEndpoints: ({ n }) => `${n} ${n === 1 ? 'Endpoint' : 'Endpoints'} bereit`,
  lensRefused: () => 'Verbindungen werden abgewiesen (REJECT)',
  lensSnatSome: ({ snatNodes, keptNodes }) => `extern: SNAT über ${snatNodes}, Client-IP bleibt erhalten über ${keptNodes}`,
  lensSnatAll: () => 'extern: SNAT, die Client-IP geht verloren',
  lensClientIpKept: () => 'extern: die Client-IP bleibt erhalten',
  lensDropsOn: ({ nodes }) => `DROP auf ${nodes}`,
  lensRefusedOn: ({ nodes }) => `abgewiesen auf ${nodes}`,
  lensReplyLost: ({ nodes }) => `Antwort geht über ${nodes} verloren (kein SNAT)`,
  lensInternalOnly: () => 'nur clusterintern',
  lensProxiedIngress: ({ addresses }) => `Load Balancer ${addresses}: ipMode Proxy, nicht über kube-proxy`,
  lensServiceProxyName: ({ proxy }) => `keine kube-proxy-Regeln: service-proxy-name ${proxy || '(leer)'} setzt ihn um`,
  lensHeadlessLabel: () => 'keine kube-proxy-Regeln: Label service.kubernetes.io/headless gesetzt',

  topoNoPorts: () => 'Keine Ports: nichts zu verteilen.',
  topoWhere: ({ used, all }) => (used.length === 0 ? 'hier routet kein Node nach Topologie'
    : used.length === all ? 'jeder Node routet nach Topologie' : `${used.join(', ')} ${used.length === 1 ? 'routet' : 'routen'} nach Topologie, die übrigen nutzen jeden bereiten Endpoint`),
  topoIgnored: (reason) => (reason.kind === 'gate'
    ? `trafficDistribution: ${reason.value} braucht das Feature-Gate PreferSameTrafficDistribution (in ${reason.version} standardmäßig aus); der Controller schreibt keine Hints`
    : reason.kind === 'unknown' ? `trafficDistribution: ${reason.value} ist kein Wert, den der Controller kennt; er schreibt keine Hints`
      : `${reason.annotation}: ${reason.value} schaltet nichts ein (nur Auto)`),
  topoSlicesHinted: ({ ignored, where }) =>
    `${ignored ? `${ignored}. ` : ''}Die EndpointSlices tragen trotzdem Hints, und kube-proxy liest die Hints, nicht den Service: ${where}.`,
  topoIgnoredSpread: ({ ignored }) => `${ignored}; kube-proxy verteilt auf jeden bereiten Endpoint.`,
  topoNone: () => 'Keine Topologie: kube-proxy verteilt die Verbindungen auf jeden bereiten Endpoint, egal wo er läuft.',
  topoTrafficDistribution: ({ value, where }) =>
    `trafficDistribution: ${value} — der EndpointSlice-Controller versieht jeden bereiten Endpoint mit einem Hint für ${value === 'PreferSameNode' ? 'seinen eigenen Node und seine Zone' : 'seine eigene Zone'}; ${where}.`,
  topoAutoRemoved: ({ annotation, removed }) =>
    `${annotation}: Auto — der EndpointSlice-Controller schreibt hier keine Hints (${removed}), also verteilt kube-proxy auf jeden bereiten Endpoint.`,
  topoAuto: ({ annotation, where }) =>
    `${annotation}: Auto — der EndpointSlice-Controller teilt die Endpoints den Zonen im Verhältnis ihrer allokierbaren CPU zu; ${where}.`,
  topoZone: ({ zone }) => (zone ? `Zone ${zone}` : 'kein Zonen-Label'),
  topoMode: ({ mode }) => (mode === 'PreferSameNode' ? 'nur die Endpoints mit Hint für diesen Node' : 'nur die Endpoints mit Hint für seine Zone'),
  topoFallback: ({ fallback }) => ({
    'no-hints': 'kein Endpoint trägt einen Hint, also nutzt er jeden bereiten Endpoint',
    'nodes-without-zone': 'kein Node hat ein Label topology.kubernetes.io/zone, also schreibt der EndpointSlice-Controller keine Zonen-Hints, und kube-proxy nutzt jeden bereiten Endpoint',
    'no-ready-endpoint': 'kein Endpoint ist bereit',
    'unhinted-endpoint': 'ein bereiter Endpoint hat keinen Zonen-Hint, also ignoriert kube-proxy alle Hints und nutzt jeden bereiten Endpoint',
    'no-zone-label': 'der Node hat kein Label topology.kubernetes.io/zone, also ignoriert kube-proxy die Hints und nutzt jeden bereiten Endpoint',
    'no-endpoint-for-zone': 'kein Endpoint hat einen Hint für seine Zone, also weicht kube-proxy auf jeden bereiten Endpoint aus',
  })[fallback],
  topoHintsFrom: ({ from }) => (from === 'derived'
    ? 'Hints so, wie der EndpointSlice-Controller sie für die abgeleiteten Endpoints schreiben würde (kein EndpointSlice in der Eingabe).'
    : 'Hints so, wie die EndpointSlices in der Eingabe sie angeben (kube-proxy liest nur die Hints).'),
  topoAssumed: ({ assumptions }) => `Angenommen: ${assumptions.join('; ')}.`,
  topoPerNode: () => 'Was kube-proxy auf jedem Node für einen Pod programmiert, der die ClusterIP anspricht (pkg/proxy/topology.go CategorizeEndpoints):',

  skippedServiceProxyName: ({ proxy }) =>
    `kube-proxy schreibt für diesen Service keine Regeln: Das Label service.kubernetes.io/service-proxy-name${proxy ? `=${proxy}` : ''} übergibt ihn einem anderen Service-Proxy, und die Informer von kube-proxy überspringen jeden Service und jeden EndpointSlice mit diesem Label. Was mit seinem Traffic geschieht, entscheidet dieser Proxy; NAT Lens bildet ihn nicht nach.`,
  skippedHeadlessLabel: () => 'kube-proxy schreibt für diesen Service keine Regeln: Er trägt das Label service.kubernetes.io/headless, und die Informer von kube-proxy überspringen jeden Service und jeden EndpointSlice mit diesem Label.',
  skippedHeadless: () => 'Headless Service: kube-proxy schreibt für ihn keine Regeln, es gibt also weder DNAT noch SNAT.',
  skippedExternalName: () => 'ExternalName-Service: ein DNS-Alias; kube-proxy schreibt nichts.',
  skippedNoClusterIP: () => 'kube-proxy schreibt für diesen Service keine Regeln (keine ClusterIP oder keine Ports).',
  hiddenSlices: ({ slices }) => (slices.length === 1
    ? `kube-proxy sieht den EndpointSlice ${slices[0]} nicht: Er trägt service.kubernetes.io/service-proxy-name oder service.kubernetes.io/headless, und die Informer filtern solche Objekte heraus, also bekommen seine Endpoints keine Regeln.`
    : `kube-proxy sieht die EndpointSlices ${slices.join(', ')} nicht: Sie tragen service.kubernetes.io/service-proxy-name oder service.kubernetes.io/headless, und die Informer filtern solche Objekte heraus, also bekommen ihre Endpoints keine Regeln.`),

  // Diagnosen, aus den Fakten formuliert (facts/diagnostics.ts)
  diagClientIpLost: ({ sameNode, entries, client }) =>
    `Client-IP geht verloren: Bei externalTrafficPolicy Cluster werden externe Verbindungen auf dem Node maskiert, über den sie hereinkommen${sameNode ? ', auch wenn der Endpoint auf genau diesem Node läuft' : ''}: ${entries.join('; ')}${client ? `; nie ${client}, den Client.` : '.'}`,
  diagEnteringSees: ({ node, sees }) => `über ${node} sieht der Pod ${sees}`,
  diagLocalText: ({ parts, loadBalancer }) => `externalTrafficPolicy Local: ${parts.join('; ')}.${loadBalancer ? ` ${loadBalancer}` : ''}`,
  diagLocalServingNode: ({ node, n }) => `${node} schickt externe Verbindungen an ${n === 1 ? 'seinen eigenen Endpoint' : `seine ${n} eigenen Endpoints`}`,
  diagLocalServing: ({ nodes, keptIp, uneven }) =>
    `${nodes.join(', ')}${keptIp ? ', die Client-IP bleibt erhalten' : ''}${uneven ? ', ein Node mit weniger Endpoints belastet also jeden davon stärker' : ''}`,
  diagLocalBlocked: ({ nodes, several, refused, where }) =>
    `${nodes} ${several ? 'haben' : 'hat'} keinen lokalen Endpoint und ${refused ? `${several ? 'weisen' : 'weist'} die Verbindungen ab (${where}): Clients bekommen „connection refused“` : `${several ? 'verwerfen' : 'verwirft'} die Verbindungen (${where}): Clients laufen in einen Timeout`}`,
  diagLocalLost: ({ nodes, several, targets, fallbackMode }) =>
    `${nodes} ${several ? 'haben' : 'hat'} keinen lokalen Endpoint und ${several ? 'schicken' : 'schickt'} sie ohne SNAT an ${targets}${fallbackMode ? `: kube-proxy weicht im ${fallbackMode}-Modus auf die Endpoints der anderen Nodes aus (kubernetes/kubernetes#97081)` : ''}, und die Antwort kommt nicht über ${nodes} zurück, die Verbindungen scheitern also`,
  diagLocalNoNode: ({ known }) => (known ? 'kein Node hat einen lokalen Endpoint'
    : 'kein Workload und keine EndpointSlice in den angegebenen Dateien gehört zu diesem Service, hier hat also kein Node einen lokalen Endpoint (Pods, die anderswo definiert sind oder von einem Operator angelegt werden, sind nicht zu sehen)'),
  diagLocalBehindLoadBalancer: ({ port, nodes }) =>
    `Hinter einem Load Balancer ist das so gewollt: Der Health-Check-Node-Port ${port || '(vom API-Server vergeben)'} antwortet auf ${nodes} mit 503, ein Load Balancer, der ihn auswertet, schickt dorthin also nichts; nur Clients, die sich direkt mit diesen Nodes verbinden, trifft das oben Beschriebene.`,
  diagInternalText: ({ parts }) => `internalTrafficPolicy Local: ${parts.join('; ')}.`,
  diagInternalBlocked: ({ nodes, address, refused, where }) =>
    `Clients auf ${nodes} haben keinen lokalen Endpoint, ihre Verbindungen zu ${address} werden ${refused ? 'abgewiesen' : 'verworfen'} (${where}) und nicht an einen anderen Node geschickt`,
  diagInternalElsewhere: ({ nodes, address, targets }) => `von ${nodes} gehen Verbindungen zu ${address} an ${targets} auf einem anderen Node`,
  diagNoEndpoints: ({ verdict, where }) =>
    `hat der Service keine Endpoints${verdict === 'REJECT' ? ', und kube-proxy weist Verbindungen zu ihm mit REJECT ab: Clients sehen „connection refused“.' : verdict === 'DROP' ? `, und kube-proxy verwirft Verbindungen zu ihm (${where}): Clients laufen in einen Timeout.` : '.'}`,

  // Hovers, die den Mechanismus des Modus nennen (findings/hover.ts)
  hoverAffinityNoneScheduler: ({ scheduler }) => `sessionAffinity: None – der IPVS-Scheduler ${scheduler} wählt für jede neue Verbindung den Endpoint.`,
  hoverAffinityNoneSchedulerDetail: ({ address }) => `Bei rr kommen die Real Server von ${address} reihum dran, auf jedem Node für sich; lang laufende Verbindungen werden nie neu verteilt.`,
  hoverHealthCheckRule: ({ chain, mode }) =>
    `Wird nur bei type LoadBalancer mit externalTrafficPolicy Local verwendet; ${chain ? `filter \`${chain}\` lässt ihn auf jedem Node durch` : `die ${mode}-Regeln von kube-proxy enthalten dafür nichts`}. Nodes, deren lokale Endpoints alle gerade beendet werden, antworten mit 503, bedienen aber weiterhin Verbindungen, die ankommen.`,
};
