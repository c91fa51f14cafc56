// Die Prüfliste auf Deutsch: Titel, wo ein Befehl läuft und worauf in der Ausgabe zu achten ist.
// Befehle, Spaltennamen (CLUSTER-IP, PORT(S)) und Ausgaben der Werkzeuge bleiben, wie sie sind.
import type { ChainRulePart, NftChainRole, debugEn } from './debug.en';

export const debugDe: typeof debugEn = {
  debugHeading: ({ service, port, node, mode }) => `${service}${port ? ` Port ${port}` : ''} auf Node ${node} prüfen (Modus ${mode})`,
  debugLookFor: () => 'Worauf achten:',
  debugExpected: () => 'Erwartet:',
  debugRunOn: (r) => {
    switch (r.where) {
      case 'workstation': return 'Arbeitsplatz';
      case 'outside': return r.orAnyNode ? 'außerhalb des Clusters (oder auf einem beliebigen Node)' : 'außerhalb des Clusters';
      case 'node-running': return `der Node, auf dem ${r.ip} läuft`;
      case 'node': {
        const on = `Node ${r.node}`;
        switch (r.because) {
          case undefined: return on;
          case 'client-dnat': return `${on} (der Node des Clients: Dort passiert das DNAT der ClusterIP)`;
          case 'client': return `${on} (der Node des Clients)`;
          case 'client-pod': return `${on} (wo der Client-Pod läuft)`;
          case 'load-balancer': return `${on} (wenn der Load Balancer mit unverändertem Ziel an ihn liefert)`;
          case 'routed': return `${on} (wenn ${r.address ?? 'die Adresse'} zu ihm geroutet wird)`;
        }
      }
    }
  },
  debugNotWalked: () => 'nicht verfolgt',

  debugStoredTitle: () => 'Der Service, wie der API-Server ihn gespeichert hat',
  debugAllocated: () => '(vom API-Server vergeben)',
  debugStoredLookFor: ({ type, clusterIP, externalIP, ports, assumed }) =>
    `TYPE ${type}, CLUSTER-IP ${clusterIP}, EXTERNAL-IP ${externalIP}, PORT(S) ${ports}.` +
    (assumed.length ? ` NAT Lens hat ${assumed.join(', ')} angenommen (nicht im Manifest): Wo die echten Werte des Clusters abweichen, setzen Sie diese in die Befehle unten ein.` : ''),
  debugEtpTitle: () => 'Die externe Traffic-Policy',
  debugItpTitle: () => 'Die interne Traffic-Policy',
  debugItpLookFor: ({ summary }) => `${summary} (externalTrafficPolicy gilt hier nicht: Der Service ist von außen nicht erreichbar.)`,
  debugEndpointsTitle: () => 'Die Endpoints, die kube-proxy liest',
  debugEndpointsReady: ({ ready, derived, ports }) =>
    `ENDPOINTS listet die bereiten Pods (kubectl zeigt drei, dann „+ N more...“): ${derived ? `NAT Lens hat ${ready.length} aus den Workloads im Workspace abgeleitet (${ready.join(', ')}); die echten Pod-IPs weichen ab, vergleichen Sie die Anzahl und die Spalte PORTS (${ports.join(',')})` : ready.join(', ')}.`,
  debugEndpointsNone: ({ headless }) =>
    `Keine bereiten Endpoints: ENDPOINTS ist leer (<unset>)${headless ? ', also hat DNS keine Einträge für den Service' : ', also weist kube-proxy Verbindungen ab'}. Prüfen Sie den Selector gegen die Labels der Pods und deren Bereitschaft.`,
  debugNoPortTitle: () => 'Kein Port zu prüfen',
  debugNoSuchPort: ({ service, port, ports }) => `${service} hat keinen Port ${port}; seine Ports: ${ports.join(', ')}.`,
  debugNothingProgrammed: ({ service, clusterIP }) =>
    `kube-proxy programmiert im Modell nichts für ${service}: ${clusterIP ? 'Er hat keine Ports' : 'Er hat keine ClusterIP (setzen Sie eine, oder allocate: true im Profil)'}.`,

  debugRootShellTitle: ({ node }) => `Eine Root-Shell auf ${node}`,
  debugRootShell: ({ node, runOn, port, others }) =>
    `Eine Shell in den Namespaces von ${node} mit seinem Root-Dateisystem (oder per ssh auf den Node). Führen Sie die Befehle für „${runOn}“ unten darin aus; sie brauchen Root-Rechte. ` +
    `--profile=sysadmin macht den Debug-Pod privilegiert; conntrack und tcpdump müssen auf dem Node installiert sein.${others.length ? ` Diese Prüfungen gelten für Port ${port}; der Service hat außerdem ${others.join(', ')} (--port).` : ''}`,
  debugRootShellOther: ({ node, several }) => `Eine Shell in den Namespaces von ${node} (oder per ssh auf den Node) für ${several ? 'die Node-Befehle' : 'den Node-Befehl'} unten.`,

  debugSeenOther: ({ outcome }) => `nicht dieser Endpoint (${outcome})`,
  debugSeenSnat: ({ seen }) => `${seen} (SNAT)`,
  debugSeenOwn: ({ pod }) => (pod ? 'die eigene Adresse des Client-Pods (kein SNAT)' : 'die eigene Adresse des Clients (kein SNAT)'),
  debugSeenReplyLost: ({ node }) => `, aber die Antwort kommt nicht über ${node} zurück`,
  debugFromPod: ({ node, seen }) => `von einem Pod auf ${node} über die ClusterIP: ${seen}`,
  debugFromOutside: ({ via, seen }) => `von einem Client außerhalb über ${via}: ${seen}`,
  debugViaNodePort: ({ port, node }) => `NodePort ${port} auf ${node}`,
  debugViaLoadBalancer: ({ address }) => `die Load-Balancer-IP ${address}`,
  debugViaExternalIP: ({ address }) => `die externe IP ${address}`,
  debugTcpdumpTitle: ({ endpoint }) => `Pakete, die bei Endpoint ${endpoint} ankommen`,
  debugTcpdump: ({ ip, port, sources, derived }) =>
    `Vor dem Test-Client unten starten. Pakete an ${ip}.${port} (nach dem DNAT: Die Service-Adresse taucht hier nie auf); ihre Quelle ist, was die Anwendung sieht${sources.length ? ` — ${sources.join('; ')}` : ''}.` +
    `${derived ? ' Die Endpoint-Adresse ist aus dem Workspace abgeleitet; nehmen Sie eine echte Pod-IP aus dem EndpointSlice.' : ''}`,
  debugPodViewTitle: () => 'Was ein Endpoint-Pod sieht, von innen',
  debugPodView: ({ port, sources }) =>
    `Ein ephemerer Container im Netzwerk-Namespace des Pods (--profile=netadmin gibt die Rechte zum Mitschneiden). Die Quelle jeder Verbindung zu Port ${port} ist die Client-Adresse, die die Anwendung protokolliert${sources.length ? `: ${sources.join('; ')}` : ''}.`,

  debugProbeTitle: ({ node }) => `Ein Wegwerf-Client-Pod auf ${node}, der die ClusterIP anspricht`,
  debugPredicts: ({ outcome }) => `NAT Lens sagt voraus: ${outcome}. `,
  debugProbeRefused: () => '„Connection refused“ bestätigt das.',
  debugProbeTimeout: () => '„download timed out“ bestätigt das.',
  debugProbeReached: ({ tcp }) =>
    `${tcp ? 'Eine Antwort (oder, auf einem Port, der kein HTTP spricht, jeder Fehler außer „Connection refused“ oder einem Timeout)' : 'Kein ICMP-Fehler'} heißt, die Verbindung hat einen Endpoint erreicht; „Connection refused“ heißt REJECT (keine Endpoints), ein Timeout DROP. Mehrmals ausführen: conntrack unten zeigt, zu welchem Endpoint jede Verbindung ging.`,
  debugSctpTitle: () => 'Ein Client für den SCTP-Port',
  debugSctp: ({ address, predicted }) =>
    `busybox hat keinen SCTP-Client: Verbinden Sie sich aus dieser Shell mit einem SCTP-fähigen Werkzeug mit ${address} (z. B. ncat --sctp, falls das Image es hat). ${predicted ? `NAT Lens sagt voraus: ${predicted}.` : ''}`,

  debugConntrackTitle: ({ address }) => `conntrack-Einträge für ${address}`,
  debugConntrackBlocked: ({ verdict }) => `Kein Eintrag: Das erste Paket wird ${verdict === 'REJECT' ? 'abgewiesen' : 'verworfen'}, bevor conntrack die Verbindung bestätigt.`,
  debugConntrack: ({ clusterIP, port, predicted }) =>
    `Eine Zeile pro Verbindung: das Original-Tupel src=<Client> dst=${clusterIP} dport=${port}, dann das Antwort-Tupel src=<Endpoint> sport=<sein Port> dst=<wohin Antworten gehen>. ` +
    `${predicted ? `NAT Lens sagt für einen Pod als Client voraus: ${predicted}, also ist das dst der Antwort die eigene Adresse des Pods. ` : ''}` +
    'Ist das dst der Antwort eine Node-Adresse, wurde die Verbindung maskiert (ein Client im Host-Netzwerk, ein Pod, der sich selbst erreicht, oder masqueradeAll).',
  debugNodePortTitle: ({ port, node }) => `NodePort ${port} auf ${node} von außerhalb des Clusters`,
  debugNodePort: ({ predicted, node }) =>
    `${predicted ? `Für einen Client von außen sagt NAT Lens voraus: ${predicted}. ` : ''}„succeeded“/„open“ heißt, ein Endpoint hat angenommen; „refused“ heißt REJECT (keine Endpoints); ein Timeout heißt DROP (externalTrafficPolicy Local und kein Endpoint auf ${node}) oder eine Firewall vor dem Node.`,
  debugConntrackNodePortTitle: ({ port }) => `conntrack-Einträge für NodePort ${port}`,
  debugConntrackNodePortDnat: ({ snat, predicted }) =>
    `Antwort-Tupel src=<Endpoint> und dst=${snat ? `die SNAT-Adresse (${snat}): Die Verbindung wurde per SNAT umgeschrieben, der Pod sieht den Client nie` : 'die eigene Adresse des Clients: kein SNAT, der Pod sieht die Client-IP'} (vorhergesagt: ${predicted}).`,
  debugConntrackNone: ({ outcome }) => `Kein Eintrag: ${outcome}.`,
  debugConntrackNodePortPolicy: ({ local }) =>
    `Antwort-Tupel src=<Endpoint> und dst=${local ? 'die eigene Adresse des Clients (externalTrafficPolicy Local: kein SNAT)' : 'eine Node-Adresse (externalTrafficPolicy Cluster: per SNAT umgeschrieben)'}.`,
  debugConntrackLbTitle: ({ address }) => `conntrack-Einträge für die Load-Balancer-IP ${address}`,
  debugPredicted: ({ outcome }) => `Vorhergesagt: ${outcome}. `,
  debugConntrackLb: ({ ranges, chain }) =>
    `${ranges.length ? `Nur Quellen aus ${ranges.join(', ')} bekommen einen Eintrag; die übrigen verwirft ${chain ?? 'die Firewall-Regel'} vor dem DNAT. ` : ''}Ein Load Balancer, der an den NodePort weiterleitet, erscheint stattdessen unter dem NodePort.`,
  debugLbAddressTitle: () => 'Die Adresse des Load Balancers',
  debugLbAddress: () => 'status.loadBalancer.ingress ist im Manifest leer, also hat NAT Lens keine VIP-Regeln vorherzusagen. Nach der Bereitstellung: eine ip (VIP-Modus, von kube-proxy auf jedem Node abgefangen) oder ein hostname bzw. ipMode Proxy (nicht abgefangen: Der Traffic kommt am NodePort an).',
  debugConntrackExternalTitle: ({ address }) => `conntrack-Einträge für die externe IP ${address}`,
  debugConntrackExternal: ({ address }) => `${address} zu einem Node zu routen ist Sache des Netzwerks; kube-proxy fängt nur ab, was ankommt.`,
  debugHealthTitle: ({ service }) => `Der Health Check von kube-proxy für ${service}`,
  debugHealthNode: ({ node, n }) => `${node}: ${n > 0 ? `200, "localEndpoints": ${n}` : '503, "localEndpoints": 0'}`,
  debugHealth: ({ nodes }) =>
    `HTTP 200 auf Nodes mit einem bereiten lokalen Endpoint, sonst 503; der JSON-Body nennt den Service und zählt "localEndpoints". Vorhergesagt: ${nodes.join('; ')}. Ein Load Balancer, der ihn beachtet, lässt die Nodes ohne lokalen Endpoint aus.`,
  debugEstablishedTitle: () => 'Aufgebaute Verbindungen, von innen aus einem Endpoint-Pod',
  debugEstablished: ({ example }) =>
    `Die Spalte Peer Address:Port: Adressen der Client-Pods für ClusterIP-Clients im Cluster; eine Node-Adresse für maskierte Verbindungen${example ? ` (z. B. ${example.seen} für NodePort-Traffic über ${example.node})` : ''}.`,

  debugAliasTitle: () => 'Der Name, für den dieser Service ein Alias ist',
  debugAlias: ({ target }) => `${target || '(leer: Der Service ist ungültig)'}. Ein ExternalName-Service ist nur ein DNS-CNAME: keine ClusterIP, keine Endpoints, keine kube-proxy-Regeln, kein NAT.`,
  debugWhyExternalName: () => 'kube-proxy überspringt ExternalName-Services, in seinen Regeln steht also nichts von diesem Service. Zu prüfen sind stattdessen DNS und das Egress-NAT der Verbindung des Pods zu dem, worauf der Name auflöst.',
  debugDnsTitle: () => 'Was das Cluster-DNS antwortet',
  debugDnsAlias: ({ target }) =>
    `„canonical name = ${target}“, dann die Adressen, auf die ${target} auflöst. Clients verbinden sich direkt mit ihnen: kein DNAT. Ob das Ziel die IP des Pods oder die des Nodes sieht, entscheidet das CNI beim Egress (IPPool natOutgoing, ip-masq-agent, ... siehe docs/egress.md).`,
  debugEgressTitle: () => 'Die ausgehende Verbindung des Pods in conntrack',
  debugEgress: ({ target, node }) =>
    `Einträge zu den Adressen von ${target}: Ist das dst der Antwort die IP des Pods, gab es kein Egress-SNAT; eine Node-Adresse heißt, das CNI hat die Verbindung maskiert, und Antworten müssen über ${node} zurückkommen.`,
  debugWhyHeadless: () => 'kube-proxy überspringt Headless Services (clusterIP: None): kein DNAT, kein SNAT. Prüfen Sie stattdessen DNS und die Pods selbst.',
  debugDnsHeadless: ({ ips }) =>
    `Ein A-Record pro bereitem Pod${ips.length ? ` (${ips.length}: ${ips.join(', ')}, aus den Workloads im Workspace abgeleitet: Vergleichen Sie die Anzahl)` : ': Kein Workload im Workspace passt zum Selector, also erwartet NAT Lens keinen'}; Clients verbinden sich direkt mit einer Pod-Adresse.`,
  debugHeadlessProbeTitle: ({ node, address }) => `Ein Wegwerf-Client-Pod auf ${node}, der ${address} anspricht`,
  debugHeadlessProbe: () => 'Der Pod antwortet selbst: Die Adresse gehört dem Pod, nicht einem Service, also ist keine kube-proxy-Regel beteiligt.',
  debugHeadlessConntrack: ({ ip, port }) => `Das Antwort-Tupel spiegelt das Original: src=${ip} sport=${port} dst=<IP des Test-Pods>, es gab also weder DNAT noch SNAT.`,
  debugHeadlessTcpdumpTitle: ({ ip }) => `Pakete, die bei ${ip} ankommen`,
  debugHeadlessTcpdump: () => 'Die eigene Adresse des Client-Pods als Quelle: Pods erreichen einander ohne NAT.',

  debugNoOutput: ({ why }) => `Keine Ausgabe: ${why}`,
  debugIptablesNothingTitle: () => 'Nichts in den Regeln von kube-proxy',
  debugIptablesChainTitle: ({ ipt, chain, role }) =>
    `${ipt}-Chain ${chain} (${{ svc: 'alle Endpoints, Policy Cluster', svl: 'Endpoints auf diesem Node, Policy Local', ext: 'Traffic über NodePort, Load Balancer und externe IPs', fw: 'loadBalancerSourceRanges' }[role]})`,
  debugIptablesChain: ({ parts }) =>
    `${parts.length ? `Der Reihe nach: ${parts.map(chainRulePartDe).join('; ')}.` : 'Eine leere Chain.'} Die Spalte pkts zählt nur neue Verbindungen: nat-Regeln sehen das erste Paket jeder Verbindung, conntrack übersetzt den Rest.`,
  debugIptablesNoChainTitle: ({ chain, node }) => `Kein ${chain} auf ${node}`,
  debugIptablesNoChain: ({ chain, node, local }) =>
    `„No chain/target/match by that name“: kube-proxy schreibt ${chain} nur, wenn ${node} Endpoints hat, an die es die ClusterIP schicken kann${local ? ' (internalTrafficPolicy Local: Endpoints auf diesem Node)' : ''}.`,
  debugIptablesNatTitle: ({ service }) => `Alle nat-Regeln von ${service} in einer Liste`,
  debugIptablesNatNone: ({ node, service }) =>
    `Keine Ausgabe: ${node} hat keinen Endpoint, an den es ${service} schicken könnte, also schreibt kube-proxy dort keine nat-Regel dafür; die filter-Regeln unten weisen seine Verbindungen ab oder verwerfen sie.`,
  debugIptablesNat: ({ n, node, cut, probabilities }) =>
    `${n} Zeilen, so wie NAT Lens sie für ${node} erzeugt hat${cut ? ` (Endpoint-Chains nach den ersten ${cut} nicht im Suchmuster)` : ''}. ` +
    `iptables-save gibt sie normalisiert aus: Einzeladressen bekommen /32, -p rückt nach vorn, und Wahrscheinlichkeiten kommen so zurück, wie der Kernel sie gespeichert hat (${probabilities.map(p => `${p.written} → ${p.printed}`).join(', ') || 'hier keine'}).`,
  debugIptablesFilterTitle: ({ service }) => `filter-Regeln für ${service}`,
  debugIptablesFilterRule: ({ kind, target, comment, node, port }) => {
    const quoted = comment ? ` "${comment}"` : '';
    switch (kind) {
      case 'no-endpoints': return `${target}${quoted}: Es gibt nirgends einen Endpoint, Clients bekommen „Connection refused“.`;
      case 'no-local-endpoints': return `${target}${quoted}: ${node} hat keinen Endpoint für die Policy Local, diese Verbindungen laufen hier also in einen Timeout.`;
      case 'health-check': return `${target}${quoted} für Port ${port}, ob ${node} einen lokalen Endpoint hat oder nicht.`;
      case 'firewall': return `${target}${quoted} in KUBE-PROXY-FIREWALL: Load-Balancer-Traffic von Quellen außerhalb von loadBalancerSourceRanges.`;
      case 'other': return `${target}${quoted}.`;
    }
  },
  debugNftNothingTitle: () => 'Nichts in der Tabelle von kube-proxy',
  debugNftChainTitle: ({ chain }) => `nft-Chain ${chain}`,
  debugNftEndpointTitle: ({ endpoint }) => `nft-Endpoint-Chain für ${endpoint}`,
  debugNftChain: ({ what }) => `${nftChainRoleDe(what)} Die nftables-Regeln von kube-proxy haben keine Zähler: Welchen Endpoint eine Verbindung genommen hat, zeigt conntrack unten.`,
  debugNftMapTitle: ({ map }) => `nft-Map ${map}`,
  debugAmongElements: ({ service, elements }) => `Unter den Elementen die von ${service}: ${elements.join('; ')}.`,
  debugIpvsNothingTitle: () => 'Kein virtueller IPVS-Server für den Service',
  debugIpvsNothing: ({ service, why }) => `Kein virtueller Server für ${service}: ${why}`,
  debugIpvsTitle: ({ address, kind }) =>
    `Virtueller IPVS-Server ${address} (${{ clusterIP: 'die ClusterIP', nodePort: 'der Node-Port', loadBalancer: 'die Load-Balancer-IP', externalIP: 'die externe IP' }[kind]})`,
  debugIpvs: ({ scheduler, timeout, servers }) =>
    `Scheduler ${scheduler}${timeout ? `, persistent ${timeout} s (Session Affinity)` : ''}; ${servers.length} Real Server, Forward-Methode Masq, Gewicht 1: ${servers.join(', ')}. ActiveConn und InActConn zählen die Verbindungen, die IPVS an jeden geschickt hat.`,
  debugIpvsNoServer: ({ node, address }) => `Keine Real Server auf ${node}: IPVS kann Verbindungen zu ${address} nirgendwohin schicken, sie werden abgewiesen.`,
  debugIpsetTitle: ({ set }) => `ipset ${set}`,
  debugIpset: ({ service, entries, comment }) =>
    `Unter den Mitgliedern die von ${service}: ${entries.join(', ')}. Die iptables-Regeln von kube-proxy prüfen gegen dieses Set (Kommentar "${comment}").`,
};

function nftChainRoleDe(what: NftChainRole): string {
  switch (what.kind) {
    case 'numgen': return 'Die Masquerade-Regel für Quellen, die keine Pods sind, dann „numgen random mod N vmap“ über die Endpoint-Chains (jede 1/N).';
    case 'dispatch': return 'Die Verteilung auf die Endpoints.';
    case 'external-cluster': return 'Zuerst „jump mark-for-masquerade“: Jede externe Verbindung wird per SNAT umgeschrieben, dann die Cluster-Chain.';
    case 'external-local': return `${what.pods ? 'Pods und Node-lokale Quellen' : 'Node-lokale Quellen'} springen direkt in die Cluster-Chain; der Rest geht ohne Masquerade in die Local-Chain.`;
    case 'firewall': return `Verwirft Quellen außerhalb von ${what.ranges.join(', ')}.`;
    case 'endpoint': return `Masquerade, wenn die Quelle der Endpoint selbst ist (Hairpin), dann „dnat to ${what.endpoint}“.`;
  }
}

function chainRulePartDe(p: ChainRulePart): string {
  switch (p.kind) {
    case 'fall-through': return 'alles andere fällt durch (kein Ziel), und filter KUBE-PROXY-FIREWALL verwirft es';
    case 'firewall-source': return `Quellen aus ${p.source} → ${p.target}`;
    case 'mark-masq': return p.sources === 'node-local' ? 'KUBE-MARK-MASQ für Node-lokale Quellen' : p.sources === 'all' ? 'KUBE-MARK-MASQ für jede Verbindung (alle werden per SNAT umgeschrieben)'
      : `KUBE-MARK-MASQ für Quellen ${p.sources.outside ? 'außerhalb von' : 'aus'} ${p.sources.cidr}`;
    case 'endpoint': return `${p.affinity ? 'recent --rcheck (Session Affinity) → ' : ''}${p.target} → ${p.endpoint}${p.probability ? ` mit Wahrscheinlichkeit ${p.probability.printed} (geschrieben als ${p.probability.written})` : p.affinity ? '' : ' für den Rest'}`;
    case 'pods-skip': return `${p.source} → ${p.target} (Pods umgehen die Policy Local)`;
    case 'node-local': return `Node-lokale Quellen → ${p.target}`;
    case 'jump': return `→ ${p.target}`;
  }
}
