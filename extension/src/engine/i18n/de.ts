// Die deutschen Texte: so, wie ein Kubernetes-Engineer sie schreiben würde, nicht Wort für Wort
// übersetzt. "Service", "Endpoint", "Node", "Pod" bleiben, wie sie im Deutschen benutzt werden.
import type { Messages } from './en';
import { bold, joinList, percentNumber } from './vocabulary';
import { dePodNetwork } from './podNetwork.de';
import { rulesDe } from './rules.de';
import { debugDe } from './debug.de';
import { modelDe } from './model.de';
import { choicesDe } from './choices.de';
import { deliveryDe } from './delivery.de';

export const de: Messages = {
  ...rulesDe,
  ...debugDe,
  ...modelDe,
  ...choicesDe,
  ...deliveryDe,
  locale: () => 'de',
  // gemeinsames Vokabular: Dezimalkomma, Leerzeichen vor dem Prozentzeichen (DIN 5008)
  percent: (p) => `${percentNumber(p, ',')}\u00a0%`,
  andList: (items) => joinList(items, 'und'),

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

  outcomeBlocked: ({ verdict, table, chain, md }) =>
    `${bold(verdict, md)} (${table} ${chain})${verdict === 'REJECT' ? ', „Connection refused“' : ', der Client läuft in einen Timeout'}`,
  outcomeNoRule: () => 'keine Service-Regel greift',
  outcomeDnat: ({ endpoints, snat, seen, reply }) => `DNAT auf ${endpoints}; ${snat}, ${seen}${reply}`,
  entryNoSnat: () => 'kein SNAT',
  entrySnat: ({ md }) => bold('SNAT', md),
  entrySnatSome: ({ masqueraded, branches, md }) => `${bold('SNAT', md)} auf ${masqueraded} von ${branches} Zweigen`,
  entryReplyLost: ({ node, endpoints, md }) => `; ${bold(`die Antwort kommt über ${node} nicht zurück`, md)} (für ${endpoints}), die Verbindung scheitert`,
  seenByEveryPod: ({ seen }) => `der Pod sieht ${seen}`,
  seenByPods: ({ shown, count, node, seen }) =>
    count === 1 ? `der Pod ${shown[0]}${node ? ` (${node})` : ''} sieht ${seen}`
      : `die ${count} Pods${node ? ` auf ${node}` : ''} (${shown.join(', ')}${count > shown.length ? ` und ${count - shown.length} weitere` : ''}) sehen ${seen}`,
  ...dePodNetwork,

  viaNodePort: ({ port }) => `NodePort ${port}`,
  viaLoadBalancer: ({ address }) => `Load-Balancer-IP ${address}`,
  viaExternalIP: ({ address }) => `externe IP ${address}`,
  viaClusterIP: ({ address }) => `ClusterIP ${address}`,
  labelExternal: ({ source, to, node }) => `Externer Client ${source} über ${to} auf ${node}`,
  labelPod: ({ node, source, to }) => `Ein Pod auf ${node} (${source}) → ${to}`,
  labelNode: ({ node, to }) => `Node ${node} selbst → ${to}`,

  etpClusterAllSnat: () => 'externalTrafficPolicy: Cluster — externer Traffic wird auf alle Endpoints verteilt und per SNAT umgeschrieben: der Pod sieht die Client-IP nie.',
  etpCluster: ({ someSnat }) => `externalTrafficPolicy: Cluster — externer Traffic wird auf alle Endpoints verteilt${someSnat ? '; einige Wege laufen über SNAT' : ''}.`,
  etpLocal: ({ others }) => `externalTrafficPolicy: Local — die Client-IP bleibt erhalten; nur Nodes mit einem bereiten lokalen Endpoint antworten${others.length ? `; ${others.join('; ')}` : ''}.`,
  etpLocalNone: ({ nodes, plural, fate }) =>
    `${nodes} ${plural ? 'haben keinen und' : 'hat keinen und'} ${fate === 'drop' ? (plural ? 'verwerfen die Verbindung' : 'verwirft die Verbindung')
      : fate === 'reject' ? (plural ? 'weisen die Verbindung ab (REJECT)' : 'weist die Verbindung ab (REJECT)')
      : `${plural ? 'schicken' : 'schickt'} die Verbindung ohne Masquerading an den Endpoint eines anderen Nodes, dessen Antwort verloren geht`}`,
  itpCluster: ({ clusterIP }) => `internalTrafficPolicy: Cluster — ${clusterIP} erreicht jeden bereiten Endpoint, egal auf welchem Node er läuft.`,
  itpLocal: ({ clusterIP, parts }) => `internalTrafficPolicy: Local — ${clusterIP} erreicht nur Endpoints auf dem Node des Clients${parts.length ? `; ${parts.join('; ')}` : ''}.`,
  itpLocalNone: ({ nodes, plural, reject }) =>
    `${nodes} ${plural ? 'haben keinen und' : 'hat keinen und'} ${reject ? (plural ? 'weisen die Verbindungen ab (REJECT)' : 'weist die Verbindungen ab (REJECT)') : (plural ? 'verwerfen die Verbindungen' : 'verwirft die Verbindungen')} (kein Fallback)`,
  itpLocalElsewhere: ({ nodes }) => `von ${nodes} aus gehen die Verbindungen an Endpoints anderer Nodes`,

  summaryPodsEverywhere: ({ address, someMasqueraded }) => `Pods erreichen ${address} von jedem Node aus${someMasqueraded ? ', teils mit Masquerading' : ' und behalten ihre Adresse'}`,
  summaryPodsOn: ({ address, nodes }) => `Pods erreichen ${address} ${nodes ? `auf ${nodes}` : 'auf keinem Node'}`,
  summaryInternal: ({ service, inside, mode }) => `${service}: ${inside}; von außen nicht erreichbar (${mode}-Modus).`,
  summaryExternalNone: () => 'externe Clients erreichen keinen Endpoint',
  summaryExternalVia: ({ nodes, snatNodes }) => `externe Clients erreichen ihn über ${nodes}${snatNodes ? `, mit SNAT über ${snatNodes}` : ' und behalten ihre Adresse'}`,
  summaryExternalBlocked: ({ nodes, reject }) => `; ${nodes} ${reject ? 'weist sie ab' : 'verwirft sie'}`,
  summaryExternalLost: ({ nodes }) => `; über ${nodes} geht die Antwort verloren`,
  summaryService: ({ service, inside, outside, mode }) => `${service}: ${inside}; ${outside} (${mode}-Modus).`,

  labelFromNodeItself: ({ node }) => `Vom Node ${node} selbst`,
  labelFromNode: ({ node }) => `Vom Node ${node}`,
  labelPodTo: ({ node, to }) => `Ein Pod auf ${node} → ${to}`,
  labelPodOn: ({ node }) => `Ein Pod auf ${node}`,
  labelNodeItself: ({ node }) => `Node ${node} selbst`,
  labelPodTwice: ({ node, source, address }) => `Ein Pod auf ${node} (${source}) → ${address}, zweimal`,
  labelExternalTwice: ({ source, port, first, second }) => `Externer Client ${source} über NodePort ${port} auf ${first}, danach auf ${second}`,
  labelUnlisted: ({ source, address }) => `${source} (nicht freigegeben) → ${address}`,
  labelSourceToNodePort: ({ source, port, node }) => `${source} → NodePort ${port} auf ${node}`,
  labelExternalVia: ({ node }) => `Externer Client über ${node}`,

  hoverEveryWayIn: () => 'Jeder Weg hinein, durch die generierten Regeln jedes Nodes verfolgt:',
  affinityNoEndpoint: ({ label }) => `- ${label}: die erste Verbindung erreicht keinen Endpoint`,
  affinitySticks: ({ label, endpoints }) => `- ${label}: die nächste Verbindung geht an denselben Endpoint wie die erste (${endpoints.join(' oder ')}), mit Wahrscheinlichkeit 1`,
  affinitySpread: ({ label, spread }) => `- ${label}: **keine Bindung**: die nächste Verbindung geht an ${spread}, egal welchen Endpoint die erste bekam`,
  affinityRecent: ({ timeout }) => `kube-proxy merkt sich die Wahl mit \`-m recent --set\` in der Endpoint-Chain und prüft sie vor der Zufallsauswahl mit \`--rcheck --seconds ${timeout} --reap\`. \`--rcheck\` frischt den Eintrag nicht auf: der Timer läuft ab der letzten *neuen* Verbindung des Clients, die eingetragen wurde (das \`--set\` in der Endpoint-Chain), nicht ab seinem letzten Paket. Die \`recent\`-Liste des Kernels hält höchstens 100 Adressen pro Endpoint (\`ip_list_tot\`): bei mehr Clients fliegen die ältesten heraus, und ihre nächste Verbindung wird neu verteilt.`,
  affinitySet: ({ timeout }) => `kube-proxy trägt den Client mit \`update @affinity-… { ip saddr }\` in der Endpoint-Chain ein (ein Set, dessen Einträge nach ${timeout} s ablaufen und von jeder neuen Verbindung zu diesem Endpoint aufgefrischt werden) und prüft vor der Zufallsauswahl \`ip saddr @affinity-… goto\` in der Service-Chain.`,
  affinityIpvs: ({ timeout }) => `kube-proxy macht den virtuellen Server persistent (\`-p ${timeout}\`): IPVS hält pro Client-Adresse ein Template, das aufgefrischt wird, solange der Client Verbindungen hat, und schickt seine späteren Verbindungen an denselben Real Server.`,
  modeNoteNftables: () => '*nftables-Modus* (die Walks oben liefen über seine Regeln): keine NodePorts auf 127.0.0.1; eine Verbindung zu einem ClusterIP-Port, den der Service nicht hat, wird per REJECT abgewiesen, eine zu einer nicht vergebenen Adresse des Service-CIDR per DROP verworfen; die Lastverteilung ist eine einzige Auswahl `numgen random mod N` statt einer Kaskade von Wahrscheinlichkeiten.',
  modeNoteIpvs: () => '*IPVS-Modus* (die Walks oben liefen durch IPVS; wo das aus dem Kernel-Quelltext abgeleitet ist, sagt der Walk es): Services sind virtuelle IPVS-Server, gebunden an kube-ipvs0. Ein unbekannter Port einer ClusterIP wird daher von `KUBE-IPVS-FILTER` abgewiesen, es gibt keine NodePorts auf 127.0.0.1, ein Node ohne lokalen Endpoint fällt bei externalTrafficPolicy Local auf die Endpoints der anderen Nodes zurück, statt zu verwerfen (ohne Masquerading, die Antwort kommt also nicht über diesen Node zurück und die Verbindung scheitert trotzdem), und die Verteilung folgt dem eingestellten Scheduler (standardmäßig rr).',
  addressOnlyInRules: () => 'Die Adresse existiert nur in den Regeln von kube-proxy: niemand beantwortet ARP-Anfragen für sie.',
  addressIpvsStrictArp: () => 'IPVS bindet die Adresse auf jedem Node an das Dummy-Device `kube-ipvs0`; mit `strictARP` beantworten die Nodes keine ARP-Anfragen für sie.',
  addressIpvsAnswersArp: () => 'IPVS bindet die Adresse auf jedem Node an das Dummy-Device `kube-ipvs0`, und ohne `strictARP` beantwortet jeder Node ARP-Anfragen für sie auch auf seinen anderen Interfaces (deshalb verlangen MetalLB und kube-vip im L2-Modus strictARP).',
  hoverHeadlessDetail: () => 'DNS liefert direkt die Pod-Adressen, und Clients verbinden sich mit dem Pod selbst: der Pod sieht die eigene Adresse des Clients. Im Kernel findet keine Lastverteilung statt; das Verteilen übernimmt der DNS-Resolver des Clients.',
  hoverInternalOnly: ({ type, address }) => `${type}: nur clusterintern unter ${address} erreichbar; kein NodePort, nichts von außen.`,
  hoverInternalDnat: ({ address }) => `kube-proxy macht DNAT für ${address} auf dem Node des Clients. Pods behalten ihre Quell-IP; Traffic von der eigenen Adresse eines Nodes wird maskiert (MASQUERADE).`,
  hoverNewConnection: () => 'Was die Regeln von kube-proxy mit einer neuen Verbindung machen (durch die generierten Regeln jedes Nodes verfolgt):',
  hoverProxiedIngress: ({ addresses, nodePort }) =>
    `Der Load Balancer ${addresses} hat \`ipMode: Proxy\`: kube-proxy schreibt für diese Adresse keine Regeln, der Load Balancer leitet die Verbindungen also selbst an die Nodes weiter, und die Pods sehen die Adresse des Load Balancers${nodePort ? ', ankommend auf dem Node-Port wie oben' : ''}.`,
  hoverVipInside: ({ addresses }) =>
    `Clients im Cluster erreichen den Load Balancer über seine IP nie: kube-proxy fängt ${addresses} schon auf ihrem eigenen Node ab (genau das bedeutet \`ipMode: VIP\`; \`ipMode: Proxy\` schaltet es ab):`,
  hoverMasqueradeCluster: ({ chain }) => `Die Markierung fürs Masquerading wird in \`${chain}\` gesetzt, bevor ein Endpoint gewählt ist: die Verbindung bekommt SNAT **auch dann, wenn der gewählte Pod auf dem Node läuft, auf dem sie angekommen ist**. ` +
    'Tutorials, die „kein SNAT, wenn der Pod auf dem empfangenden Node läuft“ zeichnen, beschreiben Ciliums kube-proxy-Ersatz, nicht kube-proxy. Der Pod sieht die Adresse des Interfaces, über das das Paket den Node verlässt: ein Pod auf einem anderen Node sieht in einem gerouteten Pod-Netz die Node-Adresse und in einem Overlay (VXLAN, IPIP, Ciliums Tunnel) die Adresse des Overlay-Devices, ein lokaler Pod das Pod-seitige Gateway, wo das CNI eines hat.',
  hoverShortCircuit: () => 'Innerhalb des Clusters wird die Policy für Pods und für den Node selbst abgekürzt (die Regeln `pod traffic` und `LOCAL traffic`):',
  hoverNoLocalDetector: () => 'kube-proxy hat hier keinen Local-Traffic-Detektor (kein `clusterCIDR`) und schreibt daher keine `pod traffic`-Abkürzung: ein Pod, der den Node-Port anspricht, wird wie ein externer Client behandelt und auf einem Node ohne lokalen Endpoint verworfen. Nur der Node selbst (`LOCAL traffic`) wird abgekürzt:',
  hoverReadyCount: ({ node, n }) => `${node}: ${n} bereit`,
  hoverHealthCheckLb: ({ port, counts }) =>
    `Der Health-Check-Node-Port ${port ?? '(vom API-Server vergeben)'} antwortet mit 200 auf Nodes mit einem bereiten lokalen Endpoint und sonst mit 503 (${counts.join(', ')}); so kann der Load Balancer die Nodes ohne Endpoint auslassen.`,
  hoverItpWalked: () => 'Verbindungen zur ClusterIP, von jedem Node aus verfolgt:',
  hoverItpNote: () => 'internalTrafficPolicy ändert nie etwas am Masquerading; sie schränkt nur die Endpoints ein (NodePort- und Load-Balancer-Traffic richtet sich weiter nach externalTrafficPolicy).',
  hoverEndpointLine: ({ endpoint, node, state, from }) =>
    `- ${endpoint}${node ? ` auf ${node}` : ''}${state === 'ready' ? '' : state === 'terminating' ? ' (terminating, bedient noch)' : ' (nicht bereit)'} — aus ${from}`,
  hoverPortsSummary: ({ address, targetPort, targets, nodePort }) =>
    `${address} → targetPort ${targetPort} → ${targets ? `Endpoint-Port ${targets}` : 'keine Endpoints'}${nodePort ? `; NodePort ${nodePort} auf jedem Node` : ''}`,
  hoverPortsDetail: ({ portName, protocol, serviceChain, externalChain }) =>
    `kube-proxy liest targetPort nie: der DNAT-Port kommt aus dem EndpointSlice-Port namens ${portName} (${protocol}). Entschieden in \`${serviceChain}\`${externalChain ? `; externer Traffic in \`${externalChain}\`` : ''}.`,
  hoverEndpointsDerived: ({ lines }) => `Endpoints (abgeleitet aus den Workloads im Workspace):\n${lines.join('\n')}`,
  hoverEndpointsFrom: ({ origin, lines }) => `Endpoints (${origin}):\n${lines.join('\n')}`,
  hoverNoEndpoints: () => 'Keine Endpoints: Verbindungen werden per REJECT abgewiesen („Connection refused“).',
  hoverAffinityNone: () => 'sessionAffinity: None — jede neue Verbindung wählt zufällig einen Endpoint.',
  hoverAffinityNoneDetail: ({ address }) => `Jeder Endpoint von ${address} hat pro Verbindung die Wahrscheinlichkeit 1/n; langlebige Verbindungen werden nie neu verteilt.`,
  hoverAffinityClientIP: ({ timeout }) => `sessionAffinity: ClientIP — eine Client-Adresse bleibt bis zu ${timeout} s nach ihrer letzten eingetragenen neuen Verbindung an einen Endpoint gebunden, auf jedem Node für sich.`,
  hoverAffinityMechanism: ({ mechanism }) => `${mechanism} Der Eintrag gilt pro Node und hängt nur an der Quell-IP.`,
  hoverAffinityWalks: () => 'Ein Client, der sich innerhalb des Timeouts zweimal verbindet, durch die generierten Regeln verfolgt, mit dem, was die erste Verbindung eingetragen hat:',
  hoverAffinitySo: () => 'Also: hinter SNAT (ein Proxy-Load-Balancer, ein NAT-Gateway) teilen sich viele Clients eine Adresse und landen alle auf demselben Endpoint; mit externalTrafficPolicy Cluster kann ein Client, der über verschiedene Nodes kommt, auf jedem an einem anderen Endpoint hängen.',
  hoverLbsrNotApplicable: () => 'loadBalancerSourceRanges gilt nur für die Load-Balancer-IP eines LoadBalancer-Service mit einer Ingress-IP im Status.',
  hoverLbsrNoChain: () => 'Ohne sie schreibt kube-proxy keine Firewall-Chain.',
  hoverLbsr: ({ ranges, address }) => `loadBalancerSourceRanges: nur ${ranges} dürfen ${address} erreichen; der Rest wird vor dem DNAT verworfen.`,
  hoverLbsrDetail: ({ chain, dropChain }) => `Vor dem DNAT prüft \`${chain}\` die Quell-IP gegen die freigegebenen Bereiche, und \`${dropChain}\` verwirft alles andere. Das gilt auch für Pods.`,
  hoverLbsrNodePortOpen: () => '**Der Node-Port ist nicht geschützt**: kube-proxy wendet loadBalancerSourceRanges nie auf ihn an.',
  hoverExternalIPs: ({ addresses, port }) => `externalIPs: kube-proxy fängt ${addresses ?? 'diese Adressen'} Port ${port} auf jedem Node ab, auch für Traffic von Pods und Nodes.`,
  hoverExternalIPsRouting: () => 'Diese Adressen zu einem Node zu routen ist Ihre Sache; kube-proxy schreibt nur um, was ankommt. externalTrafficPolicy gilt für sie, sogar bei einem ClusterIP-Service.',
  hoverExternalIPsCve: () => 'Wer externalIPs setzen darf, kann Traffic zu beliebigen Adressen abfangen (CVE-2020-8554); neuere API-Server warnen, dass das Feld veraltet ist.',
  hoverClusterIP: ({ clusterIP }) => `ClusterIP ${clusterIP}: DNAT auf einen Endpoint schon auf dem Node des Clients; Pods behalten ihre Quell-IP.`,
  hoverClusterIPMasquerade: () => 'Traffic von außerhalb des Pod-CIDR (Nodes, Pods im Host-Netzwerk, geroutete externe Clients) wird von der Regel `! -s <clusterCIDR>` maskiert; ein Pod, der sich über den Service selbst erreicht, wird ebenfalls maskiert (Hairpin).',
  hoverHealthLine: ({ node, n }) => `- ${node}: ${n} ${n === 1 ? 'bereiter lokaler Endpoint' : 'bereite lokale Endpoints'} → HTTP ${n > 0 ? 200 : 503}`,
  hoverHealth: ({ port }) => `healthCheckNodePort ${port ?? ''}: kube-proxy antwortet mit HTTP 200 auf Nodes mit einem bereiten lokalen Endpoint, sonst mit 503.`,
  hoverAllocFalse: () => 'allocateLoadBalancerNodePorts: false — keine Node-Ports: der Load Balancer muss auf Pod-IPs routen (oder auf seine VIP auf den Nodes).',
  hoverAllocTrue: () => 'allocateLoadBalancerNodePorts: true — jeder Port bekommt zusätzlich einen NodePort auf jedem Node.',
  hoverAllocDetail: ({ nodePort, nodes }) =>
    `Schon vergebene Node-Ports werden nicht freigegeben, wenn das auf false wechselt. ${nodePort ? `Dieser Port hat NodePort ${nodePort}.` : 'Dieser Port hat keinen NodePort.'} Nodes: ${nodes}.`,

  walkFromExternal: () => 'einem externen Client',
  walkFromPod: ({ node }) => `einem Pod auf ${node}`,
  walkFromNode: ({ node }) => `dem Node ${node} selbst`,
  walkConnection: ({ packet, from, node }) => `${packet} (von ${from}, Eintritt über ${node})`,
  walkBlocked: ({ conn, verdict, table, chain, node, rule }) =>
    `${conn} wird ${verdict === 'REJECT' ? 'per REJECT abgewiesen: der Client bekommt sofort „Connection refused“' : 'per DROP verworfen: der Client bekommt keine Antwort und läuft in einen Timeout'}. Die Regel steht in ${table} ${chain} auf ${node}: ${rule}`,
  walkEgress: ({ conn, cniRule, keeps, podAddress, seen, replyNode }) =>
    `${conn} verlässt den Cluster ohne Service-Regel. Die Quell-IP bestimmt das CNI: ${cniRule.replace(/\.?$/, '.')} ${keeps ? `Das Ziel sieht die Pod-Adresse ${podAddress}.` : `Das Ziel sieht ${seen}; Antworten kommen zu ${replyNode} zurück, dessen conntrack sie wieder auf ${podAddress} übersetzt.`}`,
  walkUnchanged: ({ conn, delivered }) => `${conn}: keine Service-Regel hat es übersetzt; es wird unverändert an ${delivered ?? 'sein Ziel'} zugestellt.`,
  walkDnatOne: ({ endpoint, node }) => `bekommt DNAT auf ${endpoint}${node ? ` auf ${node}` : ''}.`,
  walkDnatMany: ({ n, scheduler, endpoints }) =>
    `bekommt DNAT auf einen von ${n} Endpoints, ${scheduler ? `gewählt vom IPVS-Scheduler ${scheduler}` : 'pro Verbindung zufällig gewählt'}: ${endpoints.map(e => `${e.endpoint}${e.node ? ` auf ${e.node}` : ''} (${de.percent(e.probability)})`).join(', ')}.`,
  walkSees: ({ endpoint, seen }) => `${endpoint} sieht ${seen}`,
  walkEverySees: ({ seen }) => `jeder Endpoint sieht ${seen}`,
  walkMasqueraded: ({ node, seen, client }) =>
    `Es wird auf ${node} fürs Masquerading markiert, POSTROUTING setzt die Quell-IP daher auf die Adresse des Interfaces, über das das Paket den Node verlässt: ${seen}. Die Client-Adresse ${client} sieht der Pod nicht.`,
  walkMasqueradedSome: ({ masqueraded, node, sees, kept, client }) =>
    `Nur ein Teil der Zweige wird maskiert: auf dem Weg zu ${de.andList(masqueraded)} wird es auf ${node} fürs Masquerading markiert (${sees}); ${de.andList(kept)} ${kept.length === 1 ? 'sieht' : 'sehen'} die Client-Adresse ${client}.`,
  walkNoMasquerade: ({ seen }) => `Kein Masquerading: der Pod sieht die Client-Adresse ${seen}.`,
  walkAffinityHit: ({ client }) => `Session-Affinity (ClientIP): ${client} ist von einer früheren Verbindung bekannt, diese geht also an den dafür eingetragenen Endpoint.`,
  walkAffinityFirst: ({ client, nodes }) =>
    `Session-Affinity (ClientIP): das ist die erste Verbindung von ${client}; ihr Endpoint wird auf ${nodes} für die Dauer des Affinity-Timeouts gemerkt, und spätere Verbindungen derselben Adresse über diesen Node gehen ebenfalls dorthin.`,
  walkReplyBroken: ({ endpoints, node }) =>
    `Achtung: für ${de.andList(endpoints)} kommt die Antwort nicht über ${node} zurück, wo die Verbindung übersetzt wurde; der Client verwirft sie, und die Verbindung scheitert.`,

  tracePacket: ({ packet, node }) => `Paket: ${packet}, Eintritt über ${node}`,
  traceVerdict: ({ verdict, masqueraded, reached, masquerade, snat }) =>
    `Ergebnis: ${verdict}${!masquerade ? '' : masqueraded < reached ? `, maskiert auf ${masqueraded} von ${reached} Zweigen` : ', maskiert'}${snat ? ` (SNAT auf ${snat})` : ''}`,
  traceEndpoints: ({ endpoints }) => `Endpoints: ${endpoints}`,
  traceBranch: ({ i, n, probability }) => `Zweig ${i}/${n}, ${de.percent(probability)}: `,
  traceDelivered: ({ to }) => `zugestellt an ${to}`,
  traceOutcome: ({ head, verdict, endpoint, fate, seen }) => `${head}${verdict}${endpoint ? ` auf ${endpoint}` : ''}; ${fate}${seen ? `; gesehene Quell-IP: ${seen}` : ''}`,
  traceReply: ({ node, description, packet }) => `  Antwort${node ? ` (${node})` : ''}: ${description}: ${packet}`,
  traceAgain: () => 'erneut: die nächste Verbindung desselben Clients, mit dem, was die erste in den Session-Affinity-Listen hinterlassen hat (als noch nicht abgelaufen angenommen):',
  traceAfter: ({ first, probability, verdict, next }) => `  nach ${first} (${de.percent(probability)}): ${verdict}${next ? ` auf ${next}` : ''}`,

  effectInferred: () => 'aus dem Quelltext von Kernel und kube-proxy abgeleitet: nicht durch Upstream-Tests abgedeckt',
  effectMatched: () => 'passt (ohne Target)',
  effectIpvsNoRealServer: ({ at, virtualServer, inferred }) =>
    `REJECT (IPVS in ${at}: der virtuelle Server ${virtualServer} hat keinen Real Server; ip_vs_leave im Kernel schickt ICMP port unreachable und verwirft das Paket; ${inferred})`,
  effectIpvsAt: ({ scheduler, at }) => `IPVS ${scheduler} in ${at}`,
  effectIpvsTemplate: ({ seconds }) => `der Real Server, den das Persistenz-Template dieses Clients (${seconds} s) nennt`,
  effectIpvsOneOf: ({ n }) => `1 von ${n} Real Servern, für eine erste Verbindung jeweils gleich wahrscheinlich angenommen`,
  effectIpvsOnly: () => 'der einzige Real Server',
  effectIpvsForwarder: () => 'Forwarding mit Masquerading',
  effectIpvsPersistent: ({ seconds }) => `persistent ${seconds} s: spätere Verbindungen dieser Client-Adresse gehen an denselben Real Server`,
  effectIpvsFallback: ({ policy }) =>
    `${policy}TrafficPolicy Local ohne lokalen Endpoint: kube-proxy fällt auf die clusterweiten Endpoints zurück (proxier.go syncEndpoint, kubernetes/kubernetes#97081), wo iptables und nftables verwerfen`,
  effectKeepSource: () => 'kein SNAT: verlässt den Node mit der Pod-Adresse',
  effectLocalSocket: () => 'für einen lokalen Socket auf der kube-ipvs0-Adresse angenommen (der Walk routet ohne kube-ipvs0 und zeigt es weiterlaufen; nicht weiter modelliert)',

  // Diagnosen, aus den Fakten formuliert (facts/diagnostics.ts)
  diagClientIpLost: ({ sameNode, entries, client }) =>
    `Client-IP geht verloren: Bei externalTrafficPolicy Cluster werden externe Verbindungen auf dem Node maskiert, über den sie hereinkommen${sameNode ? ', auch wenn der Endpoint auf genau diesem Node läuft' : ''}: ${entries.join('; ')}${client ? `; nie ${client}, den Client.` : '.'}`,
  diagEnteringSees: ({ node, sees }) => `über ${node}: ${sees}`,
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

  fixPreserveClientIp: () => 'Client-IP erhalten: externalTrafficPolicy: Local setzen (nur Nodes mit einem bereiten lokalen Endpoint antworten)',
  fixBalanceAllNodes: () => 'Auf alle Nodes verteilen: externalTrafficPolicy: Cluster setzen (die Client-IP geht durch SNAT verloren)',
  selectorNoLabel: ({ key }) => `kein Label ${key}`,
  selectorNearMiss: ({ wanted, workload, matched, instead, consequence }) =>
    `Kein Workload passt zum Selektor ${wanted}: die Pods von ${workload} in dieser Datei haben ${matched}, aber ${instead}, also ${consequence}`,
  selectorRuntimeLabels: ({ workloads, labels }) =>
    `die Pods von ${workloads} passen nur, wenn ${labels} den gewählten Wert hat, den der Controller erst zur Laufzeit festlegt`,
  selectorOperator: ({ kinds }) => `die Dateien enthalten Custom Resources (${kinds}), aus denen ein Operator die Pods anlegen kann`,
  selectorElsewhere: () => 'Pods, die ein Operator oder Controller anlegt oder die in nicht angegebenen Dateien stehen, sind hier nicht zu sehen',
  selectorNoWorkload: ({ wanted, because, consequence }) =>
    `Kein Workload in den angegebenen Dateien passt zum Selektor ${wanted}; ${because}. Hat kein laufender Pod diese Labels, ${consequence}`,

  // Hovers, die den Mechanismus des Modus nennen (findings/hover.ts)
  hoverAffinityNoneScheduler: ({ scheduler }) => `sessionAffinity: None – der IPVS-Scheduler ${scheduler} wählt für jede neue Verbindung den Endpoint.`,
  hoverAffinityNoneSchedulerDetail: ({ address }) => `Bei rr kommen die Real Server von ${address} reihum dran, auf jedem Node für sich; lang laufende Verbindungen werden nie neu verteilt.`,
  hoverHealthCheckRule: ({ chain, mode }) =>
    `Wird nur bei type LoadBalancer mit externalTrafficPolicy Local verwendet; ${chain ? `filter \`${chain}\` lässt ihn auf jedem Node durch` : `die ${mode}-Regeln von kube-proxy enthalten dafür nichts`}. Nodes, deren lokale Endpoints alle gerade beendet werden, antworten mit 503, bedienen aber weiterhin Verbindungen, die ankommen.`,

  hoverSkippedDetail: ({ address }) =>
    `Die Regeln, die NAT Lens generiert, enthalten ihn auf keinem Node; Verbindungen zu ${address ?? 'seinen Adressen'} behandelt, was auch immer diesen Proxy-Namen implementiert (oder gar nichts).`,
};
