// Die Meldungen der Diagnoseregeln und die Titel ihrer Quick Fixes. Die API-Regeln folgen dem Aufbau
// der Feldfehler des API-Servers (Feldpfad: Fehlerart: Wert: Erläuterung), auf Deutsch.
import type { rulesEn } from './rules.en';

const list = (values: readonly string[]) => values.join(', ');

export const rulesDe: typeof rulesEn = {
  fixChangeType: ({ type }) => `Typ auf ${type} ändern`,

  ruleEtpNotExternal: ({ value }) => `spec.externalTrafficPolicy: Ungültiger Wert: ${value}: nur bei Services erlaubt, die von außen erreichbar sind`,
  fixRemoveEtp: () => 'externalTrafficPolicy entfernen (gilt nur für NodePort, LoadBalancer und externalIPs)',
  rulePolicyValue: ({ field, value }) => `spec.${field}: Nicht unterstützter Wert: ${value}: erlaubt sind "Cluster" und "Local"`,
  fixUseValue: ({ value }) => `${value} verwenden`,
  ruleHealthCheckNodePort: ({ value }) =>
    `spec.healthCheckNodePort: Ungültiger Wert: ${value}: nur erlaubt, wenn \`type\` 'LoadBalancer' und \`externalTrafficPolicy\` 'Local' ist`,
  fixRemoveField: ({ field }) => `${field} entfernen`,
  ruleNodePortOnClusterIp: ({ i }) => `spec.ports[${i}].nodePort: Nicht erlaubt, wenn \`type\` 'ClusterIP' ist`,
  ruleNodePortRange: ({ i, nodePort, min, max }) =>
    `spec.ports[${i}].nodePort: Ungültiger Wert: ${nodePort}: Der Port liegt nicht im gültigen Bereich ${min}-${max}`,
  ruleNodePortDuplicate: ({ i, nodePort }) => `spec.ports[${i}].nodePort: Doppelter Wert: ${nodePort}`,
  rulePortNameRequired: ({ i }) => `spec.ports[${i}].name: Wert erforderlich`,
  fixNamePort: ({ name }) => `Port ${name} nennen`,
  rulePortNameDuplicate: ({ i, name }) => `spec.ports[${i}].name: Doppelter Wert: ${name}`,
  ruleAffinityTimeout: ({ timeout, max }) =>
    `spec.sessionAffinityConfig.clientIP.timeoutSeconds: Ungültiger Wert: ${timeout}: muss größer als 0 und höchstens ${max} sein`,
  fixAffinityDefault: () => 'Standardwert 10800 (3 Stunden) verwenden',
  ruleSourceRangesNotLoadBalancer: () => "spec.LoadBalancerSourceRanges: Nicht erlaubt, wenn `type` nicht 'LoadBalancer' ist",
  ruleSourceRangeNotCidr: ({ ranges }) =>
    `spec.LoadBalancerSourceRanges: Ungültiger Wert: "[${ranges.join(' ')}]": muss eine Liste von IP-Bereichen sein, zum Beispiel 10.240.0.0/24,10.250.0.0/24`,
  ruleHeadlessExternal: ({ type }) => `spec.clusterIPs[0]: Ungültiger Wert: "None": bei Services vom Typ ${type} nicht erlaubt`,

  ruleAffinityBehindSnat: () =>
    'Die Session Affinity gilt pro Node und pro Quelladresse: Ein Client, den ein Load Balancer über mehrere Nodes schickt, kann auf jedem an einem anderen Endpoint hängen, und alle Clients hinter derselben NAT- oder Proxy-Adresse landen beim selben Endpoint.',
  ruleTargetPortNamed: ({ workload, name, protocol }) =>
    `Kein Container von ${workload} hat einen Port namens ${JSON.stringify(name)} (${protocol}): Seine Pods fehlen in den Endpoints des Service.`,
  ruleTargetPortNumeric: ({ workload, declared, port, protocol }) =>
    `${workload} deklariert die Container-Ports ${list(declared)}, aber nicht ${port}/${protocol}. ` +
    `Für einen numerischen targetPort verlangt Kubernetes keinen containerPort: Verbindungen werden per DNAT auf Port ${port} seiner Pods umgeleitet. Das funktioniert, wenn der Container dort lauscht (das entscheiden sein Kommando oder seine Konfiguration, die NAT Lens nicht sieht), sonst wird die Verbindung abgewiesen.`,
  fixTargetPort: ({ replacement, workload }) => `${replacement} verwenden, den Port, den ${workload} anbietet`,
  ruleExternalIps: ({ addresses }) =>
    `kube-proxy fängt ${list(addresses)} auf jedem Node ab, auch für Pods und Nodes: Wer externalIPs setzen darf, kann Traffic an jede beliebige Adresse abfangen (CVE-2020-8554). Viele Cluster sperren das Feld mit einer Admission Policy.`,
  ruleExposedAdminPort: ({ port, server, type, nodePort }) => {
    const np = nodePort ? `Node-Port ${nodePort}` : 'seinem Node-Port';
    const where = type === 'LoadBalancer' ? `an der Adresse des Load Balancers und auf ${np} jedes Nodes` : `auf ${np} jedes Nodes`;
    return `Port ${port} ist ${server.api ? `die ${server.name}` : `der Port von ${server.name}`}, und dieser ${type}-Service nimmt ihn von jeder Quelladresse an, ${where}: ` +
      `Nichts im Service schränkt ein, wer sich verbindet${type === 'LoadBalancer' ? ' (keine loadBalancerSourceRanges)' : ''}. Firewalls oder Security Groups vor dem Cluster sieht NAT Lens nicht.`;
  },
  fixSourceRanges: ({ placeholder }) => `Nur bestimmte Quellen zulassen: loadBalancerSourceRanges ergänzen (${placeholder} durch die Bereiche Ihrer Clients ersetzen)`,
  ruleIpFamilyNotServed: ({ families, profile }) =>
    `Der Service ist nur ${families.join(' und ')}; das Cluster-Profil ist ${profile}, und dessen kube-proxy überspringt ihn: NAT Lens zeigt für ihn keine Regeln und keine Wege. ` +
    `Um sie zu sehen, prüfen Sie ihn mit einem Profil mit ipFamily: ${families[0]}.`,
  ruleDuplicateObject: ({ objects, where }) => {
    const listed = objects.length <= 3 ? objects.join(', ') : `${objects.slice(0, 2).join(', ')} und ${objects.length - 2} weitere`;
    const at = where.kind === 'same-file' ? `weiter oben in dieser Datei (Zeile ${where.line})` : where.kind === 'file' ? `in ${where.file}` : `in ${where.n} anderen Dateien (zuerst in ${where.first})`;
    return `${objects.length === 1 ? `${listed} ist` : `${objects.length} Objekte (${listed}) sind`} auch ${at} definiert: ` +
      'NAT Lens bildet jedes Objekt einmal nach, aus seiner ersten Definition, und meldet dort seine Befunde; die Kopien hier werden nicht auf NAT untersucht.';
  },

  policySeenEntering: ({ address, node }) => `${address} (beim Eintritt über ${node})`,
  policyIngressNoMatch: ({ cidr, via, seen }) =>
    `Externe Clients aus ${cidr} erreichen diese Pods über ${via}, dessen externer Traffic maskiert wird: Die Pods sehen ${list(seen)}, nie eine Adresse aus ${cidr}. Dieser ipBlock passt nicht auf diesen Traffic, die Policy blockiert ihn also.`,
  policyIngressMatchesAll: ({ cidr, via, matching }) =>
    `Externe Clients erreichen diese Pods über ${via}, dessen externer Traffic auf Node-Adressen maskiert wird, und ${list(matching)} ${matching.length === 1 ? 'liegt' : 'liegen'} in ${cidr}: Dieser ipBlock lässt jeden Client durch, egal mit welcher eigenen Adresse.`,
  policyBehindSnatCni: ({ cni, matching }) =>
    cni === 'calico'
      ? 'Mit der iptables-Datapath von Calico wird die Ingress-Policy in FORWARD geprüft, vor dem MASQUERADE in POSTROUTING: Ein Pod auf dem Node, auf dem ein Client ankommt, sieht dort den Client; genannt sind die Pods auf anderen Nodes, bei denen die Verbindung schon mit SNAT ankommt.'
      : cni === 'cilium'
        ? `Der ipBlock von Cilium passt nie auf Node- oder clusterinterne Adressen (sie tragen die Identität host oder remote-node)${matching ? ', die Node-Adressen in diesem Block lassen diese Clients also auch nicht durch' : ''}.`
        : 'Ob der ipBlock den Client oder die SNAT-Adresse sieht, hängt vom CNI ab, das NAT Lens nicht kennt (NetworkPolicy lässt die Reihenfolge von SNAT und Policy offen): Die iptables-Datapath von Calico prüft vor dem MASQUERADE in POSTROUTING und sieht auf dem Eingangs-Node den Client; der ipBlock von Cilium passt nie auf Node-Adressen. Mit dem CNI (Profil `cni` oder seine Objekte im Workspace) wird die Aussage sicher.',
  fixPolicyLocal: ({ service }) => `Client-Adresse erhalten: externalTrafficPolicy: Local auf ${service} setzen (nur Nodes mit einem bereiten lokalen Endpoint antworten)`,
  policySeenFromPods: ({ address, node }) => `${address} (Pods auf ${node})`,
  policyEgressSnat: ({ cidr, reason, destination, seen }) =>
    `Die Pods, die diese Policy auswählt, gehen mit der Adresse eines Nodes nach ${cidr} hinaus, nicht mit ihrer eigenen: ${reason.replace(/\.?$/, '.')} ` +
    `Eine Verbindung zu ${destination} kommt von ${list(seen)}. Diese Regel lässt die Pods zwar hinaus (die Policy prüft ihre Pakete, bevor das CNI sie umschreibt), ` +
    `aber eine Firewall oder Allowlist bei ${cidr} muss die Node-Adressen zulassen, und damit lässt sie jeden Pod auf diesen Nodes zu.`,
  fixCalicoPool: ({ cidr, file }) =>
    `${cidr} mit einem deaktivierten Calico-IPPool in ${file} von natOutgoing ausnehmen (das Ziel sieht dann Pod-Adressen und muss das Pod-CIDR zu den Nodes zurückrouten)`,
  fixIpMasqAgent: ({ cidr }) =>
    `${cidr} in den nonMasqueradeCIDRs von ip-masq-agent vom Masquerading ausnehmen (das Ziel sieht dann Pod-Adressen und muss das Pod-CIDR zu den Nodes zurückrouten)`,
};
